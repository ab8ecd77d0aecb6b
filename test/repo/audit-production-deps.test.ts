import test from 'ava';
import { assessAudit } from '../../scripts/audit-production-deps.js';

const report = {
  auditReportVersion: 2,
  vulnerabilities: {
    'koa-ish': {
      severity: 'high',
      via: [
        {
          name: 'koa-ish',
          title: 'Open redirect',
          url: 'https://github.com/advisories/GHSA-aaaa-bbbb-cccc',
          severity: 'high',
        },
      ],
    },
    'uses-koa-ish': { severity: 'high', via: ['koa-ish'] },
    'minor-lib': {
      severity: 'moderate',
      via: [
        { name: 'minor-lib', title: 'ReDoS', url: 'https://github.com/advisories/GHSA-dddd', severity: 'moderate' },
      ],
    },
  },
};

test('when a production dependency has a high advisory, then the audit fails naming it once', (t) => {
  const assessment = assessAudit(report, []);
  t.like(assessment, { outcome: 'failed' });
  if (assessment.outcome !== 'failed') return;
  t.deepEqual(assessment.findings, [
    { package: 'koa-ish', severity: 'high', advisory: 'GHSA-aaaa-bbbb-cccc', title: 'Open redirect' },
  ]);
});

test('when the advisory is listed as an exception for that package, then the audit passes and reports it excused', (t) => {
  const assessment = assessAudit(report, [
    { advisory: 'GHSA-aaaa-bbbb-cccc', package: 'koa-ish', reason: 'not reachable: we never redirect' },
  ]);
  t.like(assessment, { outcome: 'clean' });
  if (assessment.outcome === 'unreachable') return;
  t.is(assessment.excused.length, 1);
  t.like(assessAudit(report, [{ advisory: 'GHSA-aaaa-bbbb-cccc', package: 'other', reason: 'x' }]), {
    outcome: 'failed',
  });
});

test('when only moderate advisories exist, then the audit passes', (t) => {
  t.like(
    assessAudit({ auditReportVersion: 2, vulnerabilities: { 'minor-lib': report.vulnerabilities['minor-lib'] } }, []),
    {
      outcome: 'clean',
    },
  );
});

test('when the registry answers no report, then the audit says the service is unreachable', (t) => {
  t.deepEqual(assessAudit({ message: '405 Method Not Allowed', statusCode: 405 }, []), {
    outcome: 'unreachable',
    reason: '405 Method Not Allowed',
  });
});

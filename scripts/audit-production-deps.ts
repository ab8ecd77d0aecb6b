// `npm run audit`, part of `npm test`: no high or critical advisory in the production dependencies
// (`npm audit --omit=dev`), apart from exceptions listed with a reason in audit-exceptions.json.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export interface AuditException {
  advisory: string;
  package: string;
  reason: string;
}

export interface Finding {
  package: string;
  severity: string;
  advisory: string;
  title: string;
}

export type Assessment =
  | { outcome: 'clean' | 'failed'; findings: Finding[]; excused: Finding[] }
  | { outcome: 'unreachable'; reason: string };

interface Via {
  name?: string;
  title?: string;
  url?: string;
  severity?: string;
}

interface AuditReport {
  auditReportVersion?: number;
  vulnerabilities?: Record<string, { severity?: string; via?: Array<Via | string> }>;
  message?: string;
  statusCode?: number;
}

const blocking = new Set(['high', 'critical']);

/** Decides what an `npm audit --json` report means for the build. */
export function assessAudit(report: AuditReport, exceptions: AuditException[]): Assessment {
  if (report.auditReportVersion === undefined) {
    return { outcome: 'unreachable', reason: report.message ?? `no audit report (status ${report.statusCode ?? '?'})` };
  }
  const findings: Finding[] = [];
  for (const [name, vulnerability] of Object.entries(report.vulnerabilities ?? {})) {
    for (const via of vulnerability.via ?? []) {
      // A string names another vulnerable package; its own advisories are listed under it.
      if (typeof via === 'string' || !blocking.has(via.severity ?? '')) continue;
      const advisory = via.url?.split('/').at(-1) ?? via.title ?? 'unknown';
      findings.push({ package: name, severity: via.severity ?? '', advisory, title: via.title ?? '' });
    }
  }
  const excused = findings.filter((finding) =>
    exceptions.some((exception) => exception.advisory === finding.advisory && exception.package === finding.package),
  );
  const remaining = findings.filter((finding) => !excused.includes(finding));
  return { outcome: remaining.length > 0 ? 'failed' : 'clean', findings: remaining, excused };
}

async function main(): Promise<void> {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const exceptions = JSON.parse(await readFile(`${root}audit-exceptions.json`, 'utf8')) as AuditException[];
  const missingReason = exceptions.find((exception) => !exception.reason?.trim());
  if (missingReason) throw new Error(`audit-exceptions.json: ${missingReason.advisory} has no reason`);
  // npm audit exits non-zero when it finds anything; the JSON on stdout is what counts.
  const { stdout } = await promisify(execFile)('npm', ['audit', '--omit=dev', '--json'], {
    cwd: root,
    maxBuffer: 64 * 1024 * 1024,
  }).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '{}' }));
  const assessment = assessAudit(JSON.parse(stdout || '{}') as AuditReport, exceptions);
  if (assessment.outcome === 'unreachable') {
    const message = `npm audit: the registry's advisory service is unreachable (${assessment.reason})`;
    if (process.env.AUDIT_REQUIRED === '1') throw new Error(message);
    console.warn(`${message}; not checked here. Set AUDIT_REQUIRED=1 where the service is reachable.`);
    return;
  }
  for (const finding of assessment.excused) {
    console.log(`excused: ${finding.package} ${finding.advisory} (${finding.severity}) ${finding.title}`);
  }
  if (assessment.outcome === 'failed') {
    for (const finding of assessment.findings) {
      console.error(`${finding.severity}: ${finding.package} ${finding.advisory} ${finding.title}`);
    }
    throw new Error(`npm audit: ${assessment.findings.length} high or critical advisories in production dependencies`);
  }
  console.log('npm audit: no high or critical advisories in production dependencies');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((error: unknown) => {
    console.error((error as Error).message);
    process.exit(1);
  });
}

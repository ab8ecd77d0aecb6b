import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { environmentSettings } from '../src/environments.js';
import { applyNagSuppressions } from '../src/nag-suppressions.js';
import { ShopStack } from '../src/shop-stack.js';
import { temporaryWebBuild } from './web-build-fixture.js';

export interface NagViolation {
  rule: string;
  resources: string[];
}

interface Synthesized {
  stack: Stack;
  template: Template;
  /** cdk-nag AwsSolutions findings that no acknowledgement covers. */
  violations: NagViolation[];
}

const synthesized = new Map<string, Synthesized>();

interface ValidationReport {
  pluginReports?: Array<{
    violations?: Array<{ ruleName?: string; violatingConstructs?: Array<{ constructPath?: string }> }>;
  }>;
}

/**
 * The whole stack of an environment, synthesized once per test file as `cdk synth` does it: with
 * the cdk-nag AwsSolutions pack as a policy validation plugin and the project's acknowledgements.
 */
export function synthesizedStack(environment: 'dev' | 'prod' = 'dev'): Synthesized {
  const known = synthesized.get(environment);
  if (known) return known;
  const outdir = mkdtempSync(join(tmpdir(), 'shop-cdk-test-'));
  const webDist = temporaryWebBuild();
  try {
    const app = new App({ outdir, context: { environment } });
    const stack = new ShopStack(app, `Shop-${environment}`, {
      settings: environmentSettings(app),
      webDist,
      env: { account: '111111111111', region: 'us-east-1' },
    });
    applyNagSuppressions(stack);
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
    let violations: NagViolation[] = [];
    try {
      app.synth();
    } catch (error) {
      const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as ValidationReport;
      violations = (report.pluginReports ?? []).flatMap((plugin) =>
        (plugin.violations ?? []).map((violation) => ({
          rule: violation.ruleName ?? 'unknown',
          resources: (violation.violatingConstructs ?? []).map((construct) => construct.constructPath ?? '?'),
        })),
      );
      if (violations.length === 0) throw error;
    }
    const result = { stack, template: Template.fromStack(stack), violations };
    synthesized.set(environment, result);
    return result;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
    rmSync(webDist, { recursive: true, force: true });
  }
}

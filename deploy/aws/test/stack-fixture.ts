import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
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

/** What the validation plugins found in a synthesized stack, unacknowledged. */
interface Findings {
  /** cdk-nag AwsSolutions findings (and any other plugin's, except the template check below). */
  violations: NagViolation[];
  /**
   * aws-cdk-lib's built-in CloudFormation template validation (schemas and rules). Synthesis only
   * warns about these, so the tests read them from the report.
   */
  templateFindings: NagViolation[];
}

interface Synthesized extends Findings {
  stack: Stack;
  template: Template;
}

interface ValidationReport {
  pluginReports?: Array<{
    pluginName?: string;
    violations?: Array<{ ruleName?: string; violatingConstructs?: Array<{ constructPath?: string }> }>;
  }>;
}

const templateValidation = 'CloudFormation Validate';

/** The findings of a synthesis's validation report (`validation-report.json` in its output folder). */
function findingsIn(outdir: string): Findings {
  const path = join(outdir, 'validation-report.json');
  const report = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as ValidationReport) : {};
  const of = (plugins: NonNullable<ValidationReport['pluginReports']>) =>
    plugins.flatMap((plugin) =>
      (plugin.violations ?? []).map((violation) => ({
        rule: violation.ruleName ?? 'unknown',
        resources: (violation.violatingConstructs ?? []).map((construct) => construct.constructPath ?? '?'),
      })),
    );
  const plugins = report.pluginReports ?? [];
  return {
    violations: of(plugins.filter((plugin) => plugin.pluginName !== templateValidation)),
    templateFindings: of(plugins.filter((plugin) => plugin.pluginName === templateValidation)),
  };
}

const synthesized = new Map<string, Synthesized>();

/**
 * The whole stack of an environment, synthesized once per test file as `cdk synth` does it: with
 * the cdk-nag AwsSolutions pack as a policy validation plugin, the project's acknowledgements and
 * the built-in template validation. The dev stack is checked through the app itself (`cliSynth`);
 * tests needing the constructs use prod.
 */
export function synthesizedStack(environment: 'dev' | 'prod'): Synthesized {
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
    try {
      app.synth();
    } catch (error) {
      if (findingsIn(outdir).violations.length === 0) throw error;
    }
    // Read from the output: after failed validation, Template.fromStack would synthesize again and throw.
    const template = Template.fromJSON(
      JSON.parse(readFileSync(join(outdir, `${stack.artifactId}.template.json`), 'utf8')) as Record<string, unknown>,
    );
    const result = { stack, template, ...findingsIn(outdir) };
    synthesized.set(environment, result);
    return result;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
    rmSync(webDist, { recursive: true, force: true });
  }
}

export interface CliSynthesis extends Findings {
  /** What the app wrote to its output folder. */
  files: string[];
  template: Template;
}

const appDir = fileURLToPath(new URL('..', import.meta.url));
let cliSynthesis: Promise<CliSynthesis> | undefined;

/**
 * The app (`bin/shop-app.ts`) run once as `cdk synth` runs it offline: a separate process, context
 * from CDK_CONTEXT_JSON, no AWS credentials and no account, the default environment (dev), cdk-nag
 * as its validation plugin. Its template and validation report are what the dev tests read.
 */
export function cliSynth(): Promise<CliSynthesis> {
  cliSynthesis ??= runApp();
  return cliSynthesis;
}

async function runApp(): Promise<CliSynthesis> {
  const outdir = await mkdtemp(join(tmpdir(), 'shop-cdk-'));
  const webDist = temporaryWebBuild();
  try {
    // web/dist may not be built on this machine.
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: outdir,
      CDK_OUTDIR: outdir,
      CDK_CONTEXT_JSON: JSON.stringify({ webDist }),
    };
    try {
      await promisify(execFile)(process.execPath, ['--import', 'tsx', 'bin/shop-app.ts'], {
        cwd: appDir,
        env,
        maxBuffer: 64 * 1024 * 1024,
      });
    } catch (error) {
      if (findingsIn(outdir).violations.length === 0) throw error;
    }
    const files = await readdir(outdir);
    const template = Template.fromJSON(
      JSON.parse(await readFile(join(outdir, 'Shop-dev.template.json'), 'utf8')) as Record<string, unknown>,
    );
    return { files, template, ...findingsIn(outdir) };
  } finally {
    await rm(outdir, { recursive: true, force: true });
    await rm(webDist, { recursive: true, force: true });
  }
}

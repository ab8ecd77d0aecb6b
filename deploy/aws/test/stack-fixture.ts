import { existsSync, readFileSync, rmSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { environmentSettings } from '../src/environments.js';
import { ShopStack } from '../src/shop-stack.js';
import { runCommand } from './command-runner.js';
import { temporaryWebBuild } from './web-build-fixture.js';

export type Environment = 'dev' | 'prod';

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

export interface CliSynthesis extends Findings {
  /** How `cdk synth` exited, and what it wrote to stderr (validation findings among it). */
  exitCode: number;
  stderr: string;
  /** What the CLI wrote to its output folder (`-o`). */
  files: string[];
  /** The stack's template file, for the linters that read templates from disk. */
  templatePath: string;
  template: Template;
}

const appDir = fileURLToPath(new URL('..', import.meta.url));
/** The CLI the README's commands run: `npx cdk` in deploy/aws resolves to this one. */
const cdkCli = join(appDir, 'node_modules', '.bin', 'cdk');

const syntheses = new Map<Environment, Promise<CliSynthesis>>();
const outdirs: string[] = [];

/**
 * An environment's stack as `npx cdk synth --quiet -c environment=<name>` writes it, run once per
 * test process: the real CLI (which runs the app from cdk.json, with cdk-nag as its validation
 * plugin and the built-in template validation), offline, with no AWS credentials and no account,
 * and a stand-in web build (`-c webDist=`) in place of web/dist. The output folder stays until
 * `removeCliOutputs`, so the linters can read the templates the CLI wrote.
 */
export function cliSynth(environment: Environment): Promise<CliSynthesis> {
  let synthesis = syntheses.get(environment);
  if (!synthesis) {
    synthesis = runCliSynth(environment);
    syntheses.set(environment, synthesis);
  }
  return synthesis;
}

/** Removes the output folders of `cliSynth`; for `test.after.always`. */
export async function removeCliOutputs(): Promise<void> {
  await Promise.all(outdirs.map((outdir) => rm(outdir, { recursive: true, force: true })));
}

async function runCliSynth(environment: Environment): Promise<CliSynthesis> {
  const outdir = await mkdtemp(join(tmpdir(), `shop-cdk-${environment}-`));
  outdirs.push(outdir);
  // An empty home: no AWS profile, credentials or CDK user settings from the machine.
  const home = await mkdtemp(join(tmpdir(), 'shop-cdk-home-'));
  const webDist = temporaryWebBuild();
  try {
    const { exitCode, stderr } = await runCommand(
      cdkCli,
      [
        'synth',
        '--quiet',
        '--no-notices',
        '-c',
        `environment=${environment}`,
        '-c',
        `webDist=${webDist}`,
        '-o',
        outdir,
      ],
      {
        cwd: appDir,
        env: {
          // `node` for the CLI's shebang and the app's `npx tsx`: the Node that runs the tests.
          PATH: [dirname(process.execPath), process.env.PATH].join(delimiter),
          HOME: home,
          // Nothing that would reach the network: no version check, telemetry or instance metadata.
          CDK_DISABLE_VERSION_CHECK: 'true',
          CDK_DISABLE_CLI_TELEMETRY: 'true',
          AWS_EC2_METADATA_DISABLED: 'true',
        },
        timeout: 5 * 60_000,
      },
    );
    const files = await readdir(outdir);
    const templatePath = join(outdir, `Shop-${environment}.template.json`);
    if (!files.includes(`Shop-${environment}.template.json`)) {
      throw new Error(`cdk synth (exit ${exitCode}) wrote no template for ${environment}:\n${stderr}`);
    }
    const template = Template.fromJSON(JSON.parse(await readFile(templatePath, 'utf8')) as Record<string, unknown>);
    return { exitCode, stderr, files, templatePath, template, ...findingsIn(outdir) };
  } finally {
    await rm(home, { recursive: true, force: true });
    await rm(webDist, { recursive: true, force: true });
  }
}

/**
 * The whole stack of an environment built in this process: for tests that need its constructs
 * (logical ids are the same as the CLI's template, whatever the account), or a variant the CLI
 * runs do not cover. Template validation is left to the CLI runs, should it be synthesized.
 */
export function constructedStack(environment: Environment, context: Record<string, string> = {}): ShopStack {
  const app = new App({ context: { environment, ...context }, builtinCloudFormationValidation: false });
  const webDist = temporaryWebBuild();
  try {
    return new ShopStack(app, `Shop-${environment}`, {
      settings: environmentSettings(app),
      webDist,
      env: { account: '111111111111', region: 'us-east-1' },
    });
  } finally {
    rmSync(webDist, { recursive: true, force: true });
  }
}

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCommand } from './command-runner.js';

/** The venv the root postinstall makes from deploy/aws/requirements.txt (cfn-lint, checkov). */
const venvBin = fileURLToPath(new URL('../.venv/bin/', import.meta.url));

export interface CfnLintFinding {
  level: string;
  rule: string;
  resource: string;
  message: string;
}

interface CfnLintMatch {
  Level: string;
  Rule: { Id: string };
  Location: { Path: (string | number)[] };
  Message: string;
}

/** cfn-lint's findings in a template, all levels (it exits non-zero on any, so the exit says nothing more). */
export async function cfnLint(templatePath: string): Promise<CfnLintFinding[]> {
  const { stdout, stderr } = await runLinter(`${venvBin}cfn-lint`, ['--format', 'json', templatePath]);
  let matches: CfnLintMatch[];
  try {
    matches = JSON.parse(stdout) as CfnLintMatch[];
  } catch (error) {
    throw new Error(`cfn-lint wrote no JSON report:\n${stdout}\n${stderr}`, { cause: error });
  }
  return matches.map((match) => ({
    level: match.Level,
    rule: match.Rule.Id,
    resource: String(match.Location.Path[1] ?? ''),
    message: match.Message,
  }));
}

export interface CheckovCheck {
  id: string;
  resource: string;
  name: string;
  /** The reason written into the template, for a skipped check. */
  comment?: string;
}

export interface CheckovReport {
  summary: { passed: number; failed: number; skipped: number; parsing_errors: number; resource_count: number };
  failed: CheckovCheck[];
  skipped: CheckovCheck[];
}

interface CheckovResult {
  check_id: string;
  resource: string;
  check_name: string;
  check_result?: { suppress_comment?: string };
}

interface CheckovOutput {
  summary: CheckovReport['summary'];
  results?: { failed_checks?: CheckovResult[]; skipped_checks?: CheckovResult[] };
}

/** checkov's CloudFormation checks on a template, offline (`--skip-download`: no Prisma Cloud calls). */
export async function checkov(templatePath: string): Promise<CheckovReport> {
  const { stdout, stderr } = await runLinter(`${venvBin}checkov`, [
    '--file',
    templatePath,
    '--framework',
    'cloudformation',
    '--output',
    'json',
    '--quiet',
    '--compact',
    '--skip-download',
  ]);
  let output: CheckovOutput;
  try {
    output = JSON.parse(stdout) as CheckovOutput;
  } catch (error) {
    throw new Error(`checkov wrote no JSON report:\n${stdout}\n${stderr}`, { cause: error });
  }
  const checks = (results: CheckovResult[] = []) =>
    results.map((result) => ({
      id: result.check_id,
      resource: result.resource,
      name: result.check_name,
      ...(result.check_result?.suppress_comment ? { comment: result.check_result.suppress_comment } : {}),
    }));
  return {
    summary: output.summary,
    failed: checks(output.results?.failed_checks),
    skipped: checks(output.results?.skipped_checks),
  };
}

async function runLinter(command: string, args: string[]) {
  // An empty home, so neither tool reads or writes settings of the machine's user.
  const home = await mkdtemp(join(tmpdir(), 'shop-lint-home-'));
  try {
    return await runCommand(command, args, {
      env: { PATH: process.env.PATH, HOME: home },
      timeout: 5 * 60_000,
    });
  } catch (error) {
    throw new Error(`${command} could not run; \`npm install\` makes deploy/aws/.venv`, { cause: error });
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

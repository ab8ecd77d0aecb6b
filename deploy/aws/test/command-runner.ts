import { type ExecFileOptions, execFile } from 'node:child_process';

export interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command to its end and answers how it exited, non-zero included: the CDK CLI and the
 * linters report findings through their exit code, which the tests assert on. Only a command that
 * could not run at all (not found, killed, timed out) rejects.
 */
export function runCommand(command: string, args: string[], options: ExecFileOptions): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { maxBuffer: 64 * 1024 * 1024, ...options, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') {
        reject(new Error(`${command} ${args.join(' ')} did not run to its end: ${error.message}\n${stderr}`));
        return;
      }
      resolve({ exitCode: error ? Number(error.code) : 0, stdout, stderr });
    });
  });
}

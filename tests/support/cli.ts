import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { builtEntry } from './test-build';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs an entry point (`src/cli/verify.ts`) compiled, the way npm scripts run the built one. */
export function runScript(
  script: string,
  env: Record<string, string>,
  args: string[] = [],
): Promise<CliRun> {
  return runNode([builtEntry(script), ...args], env);
}

/** Runs `node <args>` in the repository with only PATH, a quiet log level and `env`. */
export function runNode(args: string[], env: Record<string, string>): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'error', ...env },
      cwd: join(__dirname, '../..'),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

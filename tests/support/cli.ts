import { spawn } from 'node:child_process';
import { join } from 'node:path';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a TypeScript entry point the way npm scripts run the built one. */
export function runScript(
  script: string,
  env: Record<string, string>,
  args: string[] = [],
): Promise<CliRun> {
  return runNode(['-r', 'ts-node/register/transpile-only', script, ...args], env);
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

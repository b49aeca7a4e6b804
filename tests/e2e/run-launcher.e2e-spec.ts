import { copyFile, mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runNode } from '../support/cli';

/**
 * scripts/run.js in a project of its own, whose `npm run build` writes dist/entry.js and counts
 * its runs: the launcher builds only when dist is missing or older than the sources.
 */
describe('scripts/run.js', () => {
  let project: string;
  const launcher = () => join(project, 'scripts', 'run.js');
  const builds = async () => Number(await readFile(join(project, 'builds'), 'utf8').catch(() => 0));
  const run = (...args: string[]) =>
    runNode([launcher(), 'dist/entry.js', ...args], {
      HOME: process.env.HOME ?? tmpdir(),
      ...(process.env.npm_execpath ? { npm_execpath: process.env.npm_execpath } : {}),
    });

  beforeAll(async () => {
    project = await mkdtemp(join(tmpdir(), 'attest-launcher-'));
    await mkdir(join(project, 'scripts'));
    await mkdir(join(project, 'src'));
    await copyFile(join(__dirname, '../../scripts/run.js'), launcher());
    await copyFile(
      join(__dirname, '../../scripts/build-sources.js'),
      join(project, 'scripts', 'build-sources.js'),
    );
    await writeFile(
      join(project, 'package.json'),
      JSON.stringify({
        name: 'launcher-probe',
        private: true,
        scripts: { build: 'node build.js' },
      }),
    );
    await writeFile(
      join(project, 'build.js'),
      `const fs = require('fs');
       if (fs.existsSync('src/broken')) { console.log('src/a.ts(1,1): error TS1000: broken'); process.exit(2); }
       fs.mkdirSync('dist', { recursive: true });
       fs.writeFileSync('dist/entry.js', "console.log('ran ' + process.argv.slice(2).join(' ')); process.exitCode = 3;");
       fs.writeFileSync('builds', String(Number(fs.existsSync('builds') ? fs.readFileSync('builds', 'utf8') : 0) + 1));`,
    );
    await writeFile(join(project, 'src', 'a.ts'), 'export const a = 1;\n');
  });

  afterAll(() => rm(project, { recursive: true, force: true }));

  it('builds once, then runs the built entry at once with its arguments and exit code', async () => {
    const first = await run('--sub', 'me');
    expect(first.stderr).toMatch(/^attest: building… \(dist has not been built here; /);
    expect(first.stderr).toMatch(/attest: built in \d+\.\d s\n$/);
    // The command's own output stays alone on stdout: `$(npm run -s token …)` gets the token.
    expect(first.stdout).toBe('ran --sub me\n');
    expect(first.code).toBe(3);
    expect(await builds()).toBe(1);

    const second = await run('again');
    expect(second).toEqual({ code: 3, stdout: 'ran again\n', stderr: '' });
    expect(await builds()).toBe(1);
  });

  it('builds again once a source is newer than the last build, but not for a test file', async () => {
    const later = new Date(Date.now() + 60_000);
    await writeFile(join(project, 'src', 'a.spec.ts'), 'it.todo("x");\n');
    await utimes(join(project, 'src', 'a.spec.ts'), later, later);
    expect((await run()).stderr).toBe('');
    expect(await builds()).toBe(1);

    await utimes(join(project, 'src', 'a.ts'), later, later);
    const rebuilt = await run();
    expect(rebuilt.stderr).toContain('the sources changed since the last build');
    expect(await builds()).toBe(2);
    expect((await run()).stderr).toBe('');
  });

  it('runs nothing when the build fails, with the compiler’s output on stderr', async () => {
    const later = new Date(Date.now() + 120_000);
    await writeFile(join(project, 'src', 'broken'), '');
    await utimes(join(project, 'src', 'broken'), later, later);
    const failed = await run();
    expect(failed.stdout).toBe('');
    expect(failed.stderr).toContain('error TS1000: broken');
    expect(failed.stderr).toContain('attest: the build failed (exit code 2)');
    expect(failed.code).toBe(2);
  });
});

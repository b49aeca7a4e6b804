import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { minVersion, satisfies } from 'semver';

const root = join(__dirname, '..', '..');
const json = (file: string) => JSON.parse(readFileSync(join(root, file), 'utf8'));

interface LockEntry {
  engines?: { node?: string } | string[];
  dev?: boolean;
  optional?: boolean;
}

/**
 * What a newcomer sees on install and start (README: Quick start): npm says nothing about the
 * project's own config, and every package installed runs on the Node versions the README states.
 */
describe('package hygiene', () => {
  const pkg = json('package.json');
  const lock = json('package-lock.json');

  it('states one Node range in package.json, the lock and the README', () => {
    expect(lock.packages[''].engines).toEqual(pkg.engines);
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const stated = /Node\.js (\d+\.\d+) or later in the (\d+) line, or (\d+\.\d+) or later/.exec(
      readme,
    );
    expect(stated).not.toBeNull();
    const [, lowest, , next] = stated as RegExpExecArray;
    expect(minVersion(pkg.engines.node)?.version).toBe(`${lowest}.0`);
    expect(satisfies(`${next}.0`, pkg.engines.node)).toBe(true);
    expect(satisfies(process.version, pkg.engines.node)).toBe(true);
  });

  it('installs no package that wants a Node the range allows out', () => {
    const lowest = minVersion(pkg.engines.node)?.version as string;
    const unfit = Object.entries(lock.packages as Record<string, LockEntry>)
      .filter(
        ([path, entry]) => path !== '' && !Array.isArray(entry.engines) && entry.engines?.node,
      )
      .filter(([, entry]) => !satisfies(lowest, (entry.engines as { node: string }).node))
      .map(([path, entry]) => `${path} wants node ${(entry.engines as { node: string }).node}`);
    expect(unfit).toEqual([]);
  });

  it('denies onnxruntime-node its GPU download in package.json, not through an unknown npm key', () => {
    expect(pkg.allowScripts?.['onnxruntime-node']).toBe(false);
    const npmrc = readFileSync(join(root, '.npmrc'), 'utf8');
    expect(npmrc).not.toMatch(/onnxruntime/);
  });

  it('lets npm read the project config without a warning', async () => {
    const { stderr } = await promisify(execFile)('npm', ['pkg', 'get', 'name'], {
      cwd: root,
      env: { ...process.env, npm_config_loglevel: 'warn' },
    });
    expect(stderr).not.toMatch(/warn/i);
  });
});

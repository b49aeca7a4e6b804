import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** A scratch database on the server at `base`, dropped by `drop()`: benchmarks never touch real data. */
export async function scratchDatabase(
  base: string,
): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `attest_bench_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new Client({ connectionString: base });
      await client.connect();
      await client.query(`DROP DATABASE ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

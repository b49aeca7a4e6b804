import { readFile } from 'node:fs/promises';
import type { JSONWebKeySet } from 'jose';
import { type EvidenceBundle, BUNDLE_FORMAT, verifyBundle } from '../integrity/evidence-bundle';
import { embeddedFiles } from '../integrity/pdf-attachment';

const USAGE = `usage: npm run verify -- <audit-pack.pdf | evidence.json> [options]

Checks an Attest audit pack or report with no service and no database: the checkpoint's
signature, every cited event's hash against its content, every inclusion proof against the
checkpoint, and optionally consistency with an older checkpoint you kept and the PDF's signature.

  --jwks <file>          the keys to trust (save https://<attest>/.well-known/jwks.json);
                         without it, the bundle's own copy is used, which proves less
  --previous <file>      an older checkpoint you kept (its JWS, or the JSON of
                         GET /api/v1/ledger/checkpoints/latest)
  --consistency <file>   the proof that the pack's checkpoint extends it (the JSON of
                         GET /api/v1/ledger/proofs/consistency?from=<old size>&to=<pack's size>)
  --pdf <file>           with an evidence.json: the PDF it belongs to
  --signature <jws>      the PDF's detached signature (its Attest-Signature header), or a file holding it

Exit status: 0 when every check passes, 1 when any fails, 2 when the input cannot be read.`;

class UsageError extends Error {}

function options(argv: string[]): { file: string; flags: Map<string, string> } {
  const flags = new Map<string, string>();
  const files: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') throw new UsageError('');
    if (arg.startsWith('--')) {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith('--'))
        throw new UsageError(`${arg} needs a value`);
      flags.set(arg.slice(2), value);
      i++;
    } else files.push(arg);
  }
  const known = new Set(['jwks', 'previous', 'consistency', 'pdf', 'signature']);
  const unknown = [...flags.keys()].filter((flag) => !known.has(flag));
  if (unknown.length > 0) throw new UsageError(`unknown option --${unknown[0]}`);
  if (files.length !== 1)
    throw new UsageError('give exactly one audit pack (.pdf) or evidence bundle (.json)');
  if (flags.has('previous') !== flags.has('consistency')) {
    throw new UsageError('--previous and --consistency go together');
  }
  return { file: files[0], flags };
}

async function readJson(file: string, what: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`${what} ${file} is not readable JSON (${(error as Error).message})`);
  }
}

/** A JWS given as itself, or inside JSON that has a `jws` member, in a file. */
async function readJws(file: string): Promise<string> {
  const text = (await readFile(file, 'utf8')).trim();
  if (/^[\w-]+\.[\w-]*\.[\w-]+$/.test(text)) return text;
  const parsed = JSON.parse(text) as { jws?: unknown; checkpoint?: { jws?: unknown } };
  const jws = parsed.jws ?? parsed.checkpoint?.jws;
  if (typeof jws !== 'string') throw new UsageError(`${file} holds no checkpoint JWS`);
  return jws;
}

async function main(argv: string[]): Promise<number> {
  const { file, flags } = options(argv);
  const bytes = await readFile(file).catch(() => {
    throw new UsageError(`cannot read ${file}`);
  });
  const isPdf = bytes.subarray(0, 5).toString('latin1') === '%PDF-';
  let bundle: EvidenceBundle | undefined;
  if (isPdf) {
    for (const embedded of embeddedFiles(bytes)) {
      try {
        const parsed = JSON.parse(embedded.toString('utf8')) as EvidenceBundle;
        if (parsed.format === BUNDLE_FORMAT) bundle = parsed;
      } catch {
        // another attachment
      }
    }
    if (!bundle) throw new UsageError(`${file} holds no Attest evidence bundle`);
  } else {
    bundle = (await readJson(file, 'the evidence bundle')) as EvidenceBundle;
  }
  const jwks = flags.has('jwks')
    ? ((await readJson(flags.get('jwks') as string, 'the JWKS')) as JSONWebKeySet)
    : undefined;
  const pdfBytes = isPdf
    ? bytes
    : flags.has('pdf')
      ? await readFile(flags.get('pdf') as string)
      : undefined;
  const signatureFlag = flags.get('signature');
  const signature =
    signatureFlag === undefined
      ? undefined
      : /^[\w-]+\.\.[\w-]+$/.test(signatureFlag)
        ? signatureFlag
        : (await readFile(signatureFlag, 'utf8')).trim();
  let previous: { jws: string; consistencyProof: string[] } | undefined;
  if (flags.has('previous')) {
    const proof = (await readJson(flags.get('consistency') as string, 'the consistency proof')) as
      { proof?: unknown } | unknown[];
    const hashes = Array.isArray(proof) ? proof : proof.proof;
    if (!Array.isArray(hashes)) throw new UsageError('the consistency proof holds no proof array');
    previous = {
      jws: await readJws(flags.get('previous') as string),
      consistencyProof: hashes as string[],
    };
  }

  console.log(
    `verifying ${bundle.subject?.title ?? file}: ${bundle.events?.length ?? 0} cited events`,
  );
  const result = await verifyBundle(bundle, {
    jwks,
    previous,
    pdf:
      pdfBytes && (signature || bundle.pdf || isPdf) ? { bytes: pdfBytes, signature } : undefined,
    onCheck: (check) => {
      // Each event that passes is summed up at the end; failures are named one by one.
      if (!check.ok || !check.what.startsWith('event ')) {
        console.log(`${check.ok ? '✓' : '✗'} ${check.what}`);
      }
    },
  });
  const failed = result.checks.filter((check) => !check.ok).length;
  console.log(
    result.ok ? 'VERIFIED: every check passed' : `FAILED: ${failed} check(s) did not pass`,
  );
  return result.ok ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      if (error.message) console.error(`attest verify: ${error.message}\n`);
      console.error(USAGE);
      process.exit(error.message ? 2 : 0);
    }
    console.error(`attest verify: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  },
);

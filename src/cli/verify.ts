import { readFile } from 'node:fs/promises';
import type { JSONWebKeySet } from 'jose';
import { NODE_VERIFIER } from '../integrity/evidence-bundle';
import {
  type CheckResult,
  NotEvidence,
  checkEvidenceFile,
  isPdf,
  verdictOf,
} from '../integrity/evidence-checks';
import {
  RECEIPT_PROOF_FORMAT,
  type ReceiptProof,
  verifyReceiptProof,
} from '../receipts/receipt-proof-check';

const USAGE = `usage: node attest-verify.js <audit-pack.pdf | report.pdf | evidence.json | receipt.json> [options]
       (in a checkout of Attest: npm run verify -- <file> [options])

Checks an Attest audit pack or report from the file alone, with no service and no database: the
PDF's own signature (its ByteRange covers every byte but the signature, the CMS signature is
valid over them, and the ledger's key vouches for its certificate), the attached evidence
(whole, its digest as recorded), the checkpoint's signature, every cited event's hash against
its content, every inclusion proof against the checkpoint; optionally consistency with an older
checkpoint you kept.

A decision receipt saved from GET /api/v1/receipts/{id} (receipt.json) is checked the same way:
the receipt's hash from its content, its inclusion proof into the batch's Merkle root, the batch's
PredictionBatchRecorded carrying that root, and that event's proof into the signed checkpoint.

  --jwks <file | URL>    the keys to trust: a file you saved, or the service's
                         https://<attest>/.well-known/jwks.json; without it, the pack's own
                         copy is used, which shows the pack is whole but not who signed it
  --previous <file>      an older checkpoint you kept (its JWS, or the JSON of
                         GET /api/v1/ledger/checkpoints/latest)
  --consistency <file>   the proof that the pack's checkpoint extends it (the JSON of
                         GET /api/v1/ledger/proofs/consistency?from=<old size>&to=<pack's size>)
  --pdf <file>           with an evidence.json: the PDF it belongs to
  --signature <jws>      the PDF's detached signature (its Attest-Signature header), or a file holding it

Exit status: 0 when every check passes; 1 when any fails, with one sentence saying what was
changed; 2 when the input is not an Attest pack, report or evidence bundle at all, or an option
is wrong.`;

/** The input cannot be checked at all (not a pack; a wrong option): exit 2. */
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
    throw new UsageError('give exactly one audit pack or report (.pdf) or evidence bundle (.json)');
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

/** The keys to trust, from a file or fetched from the service's published address. */
async function readJwks(source: string): Promise<JSONWebKeySet> {
  if (!/^https?:\/\//.test(source)) return (await readJson(source, 'the JWKS')) as JSONWebKeySet;
  let keys: unknown;
  try {
    const response = await fetch(source, { signal: AbortSignal.timeout(15_000) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    keys = await response.json();
  } catch (error) {
    throw new UsageError(`cannot fetch the keys from ${source} (${(error as Error).message})`);
  }
  if (!Array.isArray((keys as { keys?: unknown }).keys)) {
    throw new UsageError(`${source} is not a JWKS (no keys array)`);
  }
  return keys as JSONWebKeySet;
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
  if (!isPdf(bytes) && bytes.subarray(0, 1).toString() === '{') {
    const parsed = (await readJson(file, 'the evidence bundle')) as { format?: unknown } | null;
    if (parsed?.format === RECEIPT_PROOF_FORMAT) {
      if (flags.size > (flags.has('jwks') ? 1 : 0)) {
        throw new UsageError('a receipt proof takes only --jwks');
      }
      const jwks = flags.has('jwks') ? await readJwks(flags.get('jwks') as string) : undefined;
      return receiptProof(parsed as ReceiptProof, jwks);
    }
  }
  const jwks = flags.has('jwks') ? await readJwks(flags.get('jwks') as string) : undefined;
  const pdfBytes = flags.has('pdf') ? await readFile(flags.get('pdf') as string) : undefined;
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

  // The checks are evidence-checks.ts's, shared with the console's in-browser verifier.
  let result;
  try {
    result = await checkEvidenceFile(
      bytes,
      {
        name: file,
        jwks,
        previous,
        pdfBytes,
        signature,
        onStart: (bundle) =>
          console.log(
            `verifying ${bundle?.subject?.title ?? file}: ${bundle?.events?.length ?? 0} cited events`,
          ),
        // Each event that passes is summed up at the end; failures are named one by one.
        onCheck: (check) => {
          if (!check.ok || !check.what.startsWith('event ')) {
            console.log(`${check.ok ? '✓' : '✗'} ${check.what}`);
          }
        },
      },
      NODE_VERIFIER,
    );
  } catch (error) {
    if (error instanceof NotEvidence) throw new UsageError(error.message);
    throw error;
  }
  // The one sentence: the most particular change first (the evidence, then the file's bytes).
  return verdict(result.checks, () => result.named);
}

/**
 * Prints the outcome, exit code 0 when every check passed; else the failure `pick` names (the
 * first one by default) in one sentence, and 1.
 */
function verdict(
  checks: CheckResult[],
  pick: (failed: CheckResult[]) => CheckResult | undefined = () => undefined,
): number {
  const failed = checks.filter((check) => !check.ok);
  console.log(verdictOf(checks, failed.length > 0 ? pick(failed) : undefined));
  return failed.length === 0 ? 0 : 1;
}

/** A saved GET /receipts/{id}: every check printed, exit 1 when any fails. */
async function receiptProof(
  document: ReceiptProof,
  jwks: JSONWebKeySet | undefined,
): Promise<number> {
  console.log(`verifying decision receipt ${String(document.receipt?.receiptId)}`);
  const { checks } = await verifyReceiptProof(document, {
    jwks,
    onCheck: (check) => console.log(`${check.ok ? '✓' : '✗'} ${check.what}`),
  });
  return verdict(checks);
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

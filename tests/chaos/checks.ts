/**
 * After the kills: is every acknowledged write in the ledger exactly once, do the chains and the
 * integrity tree verify, and do the read models agree with the ledger?
 */
import { HttpAnswer, HttpClient, sleep } from './service';
import {
  Acknowledged,
  DEPLOYMENT,
  MODEL,
  SHARED_DATASETS,
  WriteKind,
  WriterFigures,
} from './workload';

export interface LedgerEvent {
  id: string;
  type: string;
  stream: string;
  revision: number;
  position: string;
  data: Record<string, unknown>;
}

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

/** A GET that waits out restarts and projection lag (503), answering 200 or throwing. */
export async function read<T>(
  http: HttpClient,
  token: string,
  path: string,
  position?: string,
): Promise<T> {
  let last: HttpAnswer | undefined;
  for (let attempt = 0; attempt < 20; attempt++) {
    last = await http
      .call('GET', path, {
        token,
        headers: position ? { 'x-ledger-position': position } : {},
        timeoutMs: 60_000,
      })
      .catch(() => undefined);
    if (last?.status === 200) return last.body as T;
    if (last && last.status !== 503) break;
    await sleep(250);
  }
  throw new Error(
    `GET ${path}: ${last ? `${last.status} ${JSON.stringify(last.body)}` : 'no answer'}`,
  );
}

/** Every event in ledger order, a thousand a page. */
export async function scanLedger(http: HttpClient, token: string): Promise<LedgerEvent[]> {
  const events: LedgerEvent[] = [];
  let after: string | null = null;
  do {
    const query: string = after ? `&after=${encodeURIComponent(after)}` : '';
    const page: { items: LedgerEvent[]; nextCursor: string | null } = await read(
      http,
      token,
      `/api/v1/ledger/events?limit=1000${query}`,
    );
    for (const { id, type, stream, revision, position, data } of page.items)
      events.push({ id, type, stream, revision, position, data });
    after = page.nextCursor;
  } while (after);
  return events;
}

/** The write an event records, as the writers named it (see `nextWrite`). */
export function markerOf(event: LedgerEvent): { kind: WriteKind; marker: string } | undefined {
  if (event.type === 'DatasetVersionRegistered')
    return {
      kind: 'dataset-version',
      marker: `${String(event.data.name)}@${String(event.data.version)}`,
    };
  if (event.type === 'TrainingRunStarted')
    return {
      kind: 'training-run',
      marker: String((event.data.code as { commit?: string } | undefined)?.commit),
    };
  if (event.type === 'PredictionBatchRecorded')
    return { kind: 'prediction-batch', marker: String(event.data.inputDigest) };
  return undefined;
}

/** The id a write answers: name@version, the run id, the batch id. */
function resourceIdOf(event: LedgerEvent): string {
  if (event.type === 'DatasetVersionRegistered')
    return `${String(event.data.name)}@${String(event.data.version)}`;
  if (event.type === 'TrainingRunStarted') return String(event.data.runId);
  return String(event.data.batchId);
}

export interface LedgerAudit {
  events: number;
  /** Events recording a writer's write (one per acknowledged write when all is well). */
  writeEvents: number;
  acknowledged: number;
  replayed: number;
  retriedKeys: number;
  lost: string[];
  duplicated: string[];
  duplicatedRetried: number;
  /** Acknowledged event ids the ledger does not hold. */
  missingEventIds: string[];
  /** Answers naming another resource than the ledger recorded for the write. */
  wrongIds: string[];
  /** Writes stored although never acknowledged (their writer gave up or was refused). */
  storedUnacknowledged: number;
  duplicateEventIds: number;
  duplicateRevisions: number;
}

export function auditLedger(events: LedgerEvent[], figures: WriterFigures[]): LedgerAudit {
  const acks = figures.flatMap((f) => f.acknowledged);
  const byMarker = new Map<string, LedgerEvent[]>();
  for (const event of events) {
    const named = markerOf(event);
    if (!named) continue;
    const key = `${named.kind} ${named.marker}`;
    byMarker.set(key, [...(byMarker.get(key) ?? []), event]);
  }
  const ids = new Set<string>();
  let duplicateEventIds = 0;
  const revisions = new Set<string>();
  let duplicateRevisions = 0;
  for (const event of events) {
    if (ids.has(event.id)) duplicateEventIds++;
    ids.add(event.id);
    const at = `${event.stream}#${event.revision}`;
    if (revisions.has(at)) duplicateRevisions++;
    revisions.add(at);
  }
  const lost: string[] = [];
  const duplicated: string[] = [];
  const wrongIds: string[] = [];
  const missingEventIds: string[] = [];
  let duplicatedRetried = 0;
  const acknowledgedMarkers = new Set<string>();
  for (const ack of acks) {
    const key = `${ack.request.kind} ${ack.request.marker}`;
    acknowledgedMarkers.add(key);
    const stored = byMarker.get(key) ?? [];
    if (stored.length === 0) lost.push(`${key} (key ${ack.request.key}, id ${ack.id})`);
    if (stored.length > 1) {
      duplicated.push(`${key} ×${stored.length} (key ${ack.request.key})`);
      if (ack.attempts > 1) duplicatedRetried++;
    }
    if (stored.length > 0 && resourceIdOf(stored[0]) !== ack.id)
      wrongIds.push(`${key}: answered ${ack.id}, recorded ${resourceIdOf(stored[0])}`);
    for (const id of ack.eventIds) if (!ids.has(id)) missingEventIds.push(id);
  }
  // The setup's own writes are not the writers'; every other recorded write must be acknowledged.
  const writerKeys = [...byMarker.keys()].filter(
    (key) => !key.startsWith('dataset-version chaos-base@') && key !== 'training-run a1b2c3d4',
  );
  return {
    events: events.length,
    writeEvents: writerKeys.reduce((sum, key) => sum + (byMarker.get(key)?.length ?? 0), 0),
    acknowledged: acks.length,
    replayed: acks.filter((ack) => ack.replayed).length,
    retriedKeys: acks.filter((ack) => ack.attempts > 1).length,
    lost,
    duplicated,
    duplicatedRetried,
    missingEventIds,
    wrongIds,
    storedUnacknowledged: writerKeys.filter((key) => !acknowledgedMarkers.has(key)).length,
    duplicateEventIds,
    duplicateRevisions,
  };
}

interface StreamEntry {
  stream: string;
  eventCount: number;
  lastRevision: number;
  lastEventId: string;
}

/** The stream index (read model) against the ledger: every stream's count, last revision and id. */
export async function checkStreamIndex(
  http: HttpClient,
  token: string,
  events: LedgerEvent[],
  position: string,
): Promise<Check> {
  const entries = new Map<string, StreamEntry>();
  let after: string | null = null;
  do {
    const query: string = after ? `&after=${encodeURIComponent(after)}` : '';
    const page: { items: StreamEntry[]; nextCursor: string | null } = await read(
      http,
      token,
      `/api/v1/ledger/streams?limit=1000${query}`,
      position,
    );
    for (const entry of page.items) entries.set(entry.stream, entry);
    after = page.nextCursor;
  } while (after);
  const fromLedger = new Map<string, { count: number; last: LedgerEvent }>();
  for (const event of events) {
    const seen = fromLedger.get(event.stream);
    fromLedger.set(event.stream, {
      count: (seen?.count ?? 0) + 1,
      last: !seen || event.revision > seen.last.revision ? event : seen.last,
    });
  }
  const wrong: string[] = [];
  for (const [stream, { count, last }] of fromLedger) {
    const entry = entries.get(stream);
    if (
      !entry ||
      entry.eventCount !== count ||
      entry.lastRevision !== last.revision ||
      entry.lastEventId !== last.id
    ) {
      wrong.push(
        `${stream}: index ${entry ? `${entry.eventCount} events, last ${entry.lastRevision}` : 'missing'}, ledger ${count} events, last ${last.revision}`,
      );
    }
  }
  for (const stream of entries.keys())
    if (!fromLedger.has(stream)) wrong.push(`${stream}: in the index, not in the ledger`);
  return {
    name: 'stream index = ledger',
    ok: wrong.length === 0,
    detail:
      wrong.length === 0
        ? `${fromLedger.size} streams agree`
        : `${wrong.length} streams disagree; first: ${wrong.slice(0, 3).join('; ')}`,
  };
}

async function inParallel<T>(items: T[], width: number, each: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await each(items[next++]);
    }),
  );
}

async function pageAll<T>(
  http: HttpClient,
  token: string,
  path: string,
  position: string,
): Promise<T[]> {
  const items: T[] = [];
  let after: string | null = null;
  const separator = path.includes('?') ? '&' : '?';
  do {
    const query: string = after ? `&after=${encodeURIComponent(after)}` : '';
    const page: { items: T[]; nextCursor: string | null } = await read(
      http,
      token,
      `${path}${separator}limit=200${query}`,
      position,
    );
    items.push(...page.items);
    after = page.nextCursor;
  } while (after);
  return items;
}

const sameSet = (a: Set<string>, b: Set<string>) =>
  a.size === b.size && [...a].every((item) => b.has(item));

/** The governance read models against the ledger and against what the writers were told. */
export async function checkReadModels(
  http: HttpClient,
  token: string,
  events: LedgerEvent[],
  acks: Acknowledged[],
  position: string,
): Promise<Check[]> {
  const checks: Check[] = [];

  // Every acknowledged dataset version reads back with the hash it was registered with.
  const versions = acks.filter((ack) => ack.request.kind === 'dataset-version');
  const unreadable: string[] = [];
  await inParallel(versions, 8, async (ack) => {
    const [name, version] = ack.id.split('@');
    const row = await read<{ contentHash: string }>(
      http,
      token,
      `/api/v1/datasets/${name}/versions/${encodeURIComponent(version)}`,
      position,
    ).catch((error: unknown) => ({ contentHash: String(error) }));
    if (row.contentHash !== ack.request.body.contentHash)
      unreadable.push(`${ack.id}: ${row.contentHash}`);
  });
  checks.push({
    name: 'acknowledged dataset versions readable',
    ok: unreadable.length === 0,
    detail: `${versions.length - unreadable.length}/${versions.length}${unreadable.length ? `; first: ${unreadable[0]}` : ''}`,
  });

  // Each dataset's versions (GET /datasets/{name}) are the ones its stream registered.
  const wrongDatasets: string[] = [];
  for (let shared = 0; shared < SHARED_DATASETS; shared++) {
    const name = `chaos-ds-${shared}`;
    const inLedger = new Set(
      events
        .filter((e) => e.type === 'DatasetVersionRegistered' && e.data.name === name)
        .map((e) => String(e.data.version)),
    );
    if (inLedger.size === 0) continue;
    const view = await read<{ versions: { version: string }[] }>(
      http,
      token,
      `/api/v1/datasets/${name}`,
      position,
    );
    const inView = new Set(view.versions.map((v) => v.version));
    if (!sameSet(inLedger, inView))
      wrongDatasets.push(`${name}: view ${inView.size}, ledger ${inLedger.size}`);
  }
  checks.push({
    name: 'dataset views = ledger',
    ok: wrongDatasets.length === 0,
    detail: wrongDatasets.length === 0 ? 'every version list matches' : wrongDatasets.join('; '),
  });

  // The training-run list of the model holds exactly the runs its streams started.
  const runs = new Set(
    events
      .filter((e) => e.type === 'TrainingRunStarted' && e.data.model === MODEL)
      .map((e) => String(e.data.runId)),
  );
  const listedRuns = new Set(
    (
      await pageAll<{ id: string }>(http, token, `/api/v1/training-runs?model=${MODEL}`, position)
    ).map((r) => r.id),
  );
  checks.push(
    listCheck(
      'training-run list = ledger',
      runs,
      listedRuns,
      acks.filter((ack) => ack.request.kind === 'training-run'),
    ),
  );

  // The deployment's prediction batches are those its batch streams recorded.
  const batches = new Set(
    events
      .filter((e) => e.type === 'PredictionBatchRecorded' && e.data.deploymentId === DEPLOYMENT)
      .map((e) => String(e.data.batchId)),
  );
  const listedBatches = new Set(
    (
      await pageAll<{ batchId: string }>(
        http,
        token,
        `/api/v1/deployments/${DEPLOYMENT}/prediction-batches`,
        position,
      )
    ).map((b) => b.batchId),
  );
  checks.push(
    listCheck(
      'prediction-batch list = ledger',
      batches,
      listedBatches,
      acks.filter((ack) => ack.request.kind === 'prediction-batch'),
    ),
  );
  return checks;
}

/**
 * A list read through the API against the ledger: the same ids as the ledger's events, and no
 * acknowledged write missing from it.
 */
function listCheck(
  name: string,
  ledger: Set<string>,
  listed: Set<string>,
  acknowledged: readonly { id: string }[],
): Check {
  const unlisted = acknowledged.filter((ack) => !listed.has(ack.id));
  return {
    name,
    ok: sameSet(ledger, listed) && unlisted.length === 0,
    detail: `list ${listed.size}, ledger ${ledger.size}; acknowledged and unlisted ${unlisted.length}`,
  };
}

export interface VerifyAnswer {
  ok: boolean;
  eventsChecked: number;
  streamsChecked: number;
  mismatchCount: number;
  firstMismatch: unknown;
  tree: { ok: boolean; leavesChecked: number; checkpointsChecked: number; firstMismatch: unknown };
}

export async function verifyViaApi(http: HttpClient, token: string): Promise<Check> {
  const report = await read<VerifyAnswer>(http, token, '/api/v1/ledger/verify');
  const ok = report.ok && report.tree.ok;
  return {
    name: 'GET /ledger/verify',
    ok,
    detail: ok
      ? `ok: ${report.eventsChecked} events, ${report.streamsChecked} streams; tree ${report.tree.leavesChecked} leaves, ${report.tree.checkpointsChecked} checkpoints`
      : `FAILED: ${JSON.stringify({ chain: report.firstMismatch, tree: report.tree.firstMismatch })}`,
  };
}

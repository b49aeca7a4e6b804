import { MARK_READ_MODEL_TRANSACTION } from '../postgres/postgres-event-log';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { DiscoveryService } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { EVENT_LOG, EventLog, LedgerPosition, RecordedEvent } from '../event-log.port';
import { decodeRecorded } from '../events/event-registry';
import { LedgerPage, PageReader } from './page-reader';
import { Projection, ReadModelProjection } from './projection';
import { LeaseLost, PROJECTION_LEASES, ProjectionLeases, SoleProjector } from './projection-leases';
import {
  NO_FAULTS,
  OpenFaults,
  classifyProjectionError,
  describeProjectionError,
  readOpenFaults,
  recordFault,
  resolveFaultsExcept,
} from './projection-faults';

export interface ProjectionStatus {
  name: string;
  /**
   * `faulted`: running (live or catching up) past events it could not apply (`faults`).
   * `standby`: run by another process (another projector holds its lease, or this process only
   * observes, ATTEST_ROLE=api); `position` is its checkpoint as last read from the database.
   */
  state: 'stopped' | 'catching-up' | 'live' | 'failing' | 'faulted' | 'standby';
  position: LedgerPosition | null;
  caughtUp: boolean;
  eventsApplied: number;
  /** Transactions that failed and were rolled back since start (each retried or split). */
  failures: number;
  /** The last failure's SQLSTATE or error class and its message without literal values. */
  lastError: string | null;
  /** 0 when live; otherwise seconds since the newest event it has applied was recorded. */
  lagSeconds: number;
  /** Open faults in `projection_faults`: events skipped because they cannot be applied. */
  faults: OpenFaults;
  /** Faults this process has recorded since start. */
  faultsRecorded: number;
}

/** What a rebuild did to one projection. */
export interface RebuildResult {
  name: string;
  eventsApplied: number;
  /** Events it still could not apply (each an open fault). */
  faulted: number;
  /** Open faults it closed: their events now apply (or no longer reach the projection). */
  resolved: number;
}

/**
 * Who feeds a projection now. `fed`: the process's one reader (the main feed). `alone`: its own
 * subscription, catching up until it can join the main feed. `rebuilding`: a rebuild's reader (or
 * its own, alone, during a rebuild). `idle`: not run by this process (stopped, or its lease held
 * elsewhere: `held` says which).
 */
type Mode = 'idle' | 'fed' | 'alone' | 'rebuilding';

interface Worker {
  projection: Projection;
  /** The event types it handles; null: every event. */
  types: ReadonlySet<string> | null;
  status: ProjectionStatus;
  mode: Mode;
  /** This process holds its lease (ProjectionLeases). */
  held: boolean;
  /**
   * The checkpoint row as this process last wrote or read it: what a page's compare-and-set
   * expects. status.position (what waitFor reads) may be ahead of it by events the projection
   * does not handle, whose checkpoint write failed or is under way.
   */
  checkpoint: LedgerPosition | null;
  /** Its own feed while alone. */
  ownFeed?: Feed;
  /** Its alone loop, while one runs. */
  running?: Promise<void>;
  lastAppliedRecordedAt?: Date;
  faults: OpenFaults;
  /** Failed transactions since the last applied page: the backoff grows with them. */
  failingInARow: number;
  /** Events faulted during the rebuild under way. */
  rebuildFaults?: Set<string>;
}

/**
 * One reader of the ledger and the projections it feeds. `main`: the process's reader, fed to
 * every projection that keeps up with it. `alone`: one projection's own, while it catches up.
 * `rebuild`: a rebuild's reader, from the start of the ledger to its head.
 */
interface Feed {
  kind: 'main' | 'alone' | 'rebuild';
  /** Its pages go to projections being rebuilt (ProjectionContext.rebuilding). */
  rebuilding: boolean;
  members: Set<Worker>;
  /** Where the next page to hand out starts: a projection that has reached it may join. */
  nextFrom: LedgerPosition | null;
  filter: readonly string[] | undefined;
  reader?: PageReader;
  closed: boolean;
  /** The page being handed out, until every member has applied or skipped it. */
  dispatching?: Promise<void>;
  /** Aborts its backoffs. */
  signal: AbortSignal;
  /** alone: the projection must re-read its checkpoint and start again (it moved elsewhere). */
  restart?: boolean;
  running?: Promise<void>;
  onPage?: () => void;
}

export const PROJECTION_RETRY_MS = Symbol('ProjectionRetryMs');

/**
 * An event that fails on its own is tried this many times, each in its own transaction, before
 * it is recorded as a fault: a failure that goes away was not the event's.
 */
const ATTEMPTS_ALONE = 3;

/**
 * A projection whose page fails this many times in a row (transiently: database unreachable,
 * deadlock, lock timeout) leaves the main feed and goes on alone, retrying with backoff on its
 * own subscription, so the other projections are never held up by it for longer than these
 * attempts; once it has caught up again it rejoins the main feed.
 */
const DETACH_AFTER_FAILURES = 2;

/** Projections whose lease this process lacks are tried again this often (ProjectionLeases). */
const LEASE_RETRY_MS = 1500;

/**
 * Checkpoints of projections run elsewhere are read this often, and only while a waitFor is
 * waiting on one of them (ATTEST_ROLE=api, or a standby projector): an idle API replica sends none.
 */
const OBSERVE_POLL_MS = 50;

/** Pages read ahead of the one being applied. */
const PAGES_AHEAD = 4;
/**
 * Pages read ahead while one applied are handed on merged, up to this many events: catching up,
 * each projection's transaction takes a few pages at once.
 */
const MERGED_PAGE_EVENTS = 2000;

/** Open faults are read again at most this often for readiness and metrics. */
const FAULTS_MAX_AGE_MS = 1000;
/** How long readiness and metrics wait for that read before showing the faults last read. */
const FAULTS_READ_MS = 1000;

/** How long the start waits for the ledger's head (progress only) before going on without it. */
const HEAD_READ_MS = 2000;

/** While the projections catch up at start, their progress is logged at most this often. */
const CATCH_UP_REPORT_MS = 1000;

/** Thrown inside a page's transaction when another runner has moved the checkpoint. */
class CheckpointMoved extends Error {}

/** Ends the search for a failing event when the runner stops or a rebuild takes over. */
class RunnerHalted extends Error {}

/** Events decodeRecorded refused, with its error: applying one throws it (a fault, in the end). */
const undecodable = new WeakMap<RecordedEvent, unknown>();

function decode(event: RecordedEvent): RecordedEvent {
  try {
    return decodeRecorded(event);
  } catch (error) {
    undecodable.set(event, error);
    return event;
  }
}

/**
 * Feeds the projections from the ledger (README, "Projections"). A process reads the ledger ONCE,
 * in pages, on one subscription (the main feed), from the earliest checkpoint of the projections
 * it runs, each event decoded once (decodeRecorded); each page goes to every projection: the
 * events after ITS checkpoint that it handles are applied in one transaction with its checkpoint,
 * after checking that the checkpoint is still where the page starts (compare-and-set): crash,
 * retry or a second runner never apply an event twice or skip one. Projections of one page apply
 * concurrently, each in its own transaction, while the next page is read; the checkpoints of
 * every projection the page had nothing for move in one statement, so another process reading
 * projection_checkpoints (observe()) sees them at once.
 *
 * A transient failure (database unreachable, serialization, deadlock) retries the page with
 * backoff; after DETACH_AFTER_FAILURES in a row the projection leaves the main feed and retries
 * on its own subscription (alone), joining the main feed again once it has caught up with it, so
 * one failing projection never stalls the others. Any other failure is split: halves apply on
 * their own, and an event that still fails alone, ATTEMPTS_ALONE times, is recorded in
 * `projection_faults` in the transaction that moves the checkpoint past it, so one bad event never
 * stalls the read side (README "Projection faults").
 *
 * Leases (ProjectionLeases, README "Projector role"): the runner runs only the projections whose
 * lease it holds, asks for the others every LEASE_RETRY_MS, and fences every page transaction; a
 * projection whose lease was lost stops at once (state `standby`). A rebuild of several
 * projections reads the ledger once for all of them.
 */
@Injectable()
export class ProjectionRunner {
  private readonly logger = new Logger(ProjectionRunner.name);
  private readonly workers = new Map<string, Worker>();
  private readonly waiters = new Set<() => void>();
  private readonly leases: ProjectionLeases;
  /** Projections this process should run (start's names), whether or not it holds their lease. */
  private readonly wanted = new Set<string>();
  private main?: Feed;
  private stopping = false;
  /** Only observe(): every projection is run elsewhere. */
  private observing = false;
  private leaseTimer?: NodeJS.Timeout;
  private takingLeases?: Promise<void>;
  private polling?: Promise<void>;
  private observedAt = 0;
  /** Aborted by stop(), so a retry backoff never outlives the runner. */
  private halt = new AbortController();
  private faultsReadAt = 0;
  /** Set by the first start() of every projection until they have all caught up once. */
  private catchUp?: CatchUpReport;
  private catchUpBegun = false;
  private readonly caughtUpOnce: Promise<number>;
  private reportCaughtUp: (seconds: number) => void = () => undefined;
  private allTypes?: readonly string[] | null;

  constructor(
    @Inject(EVENT_LOG) private readonly eventLog: EventLog,
    private readonly dataSource: DataSource,
    private readonly discovery: DiscoveryService,
    @Inject(PROJECTION_RETRY_MS) private readonly retryMs: number,
    @Optional() @Inject(PROJECTION_LEASES) leases?: ProjectionLeases,
  ) {
    this.leases = leases ?? new SoleProjector();
    this.caughtUpOnce = new Promise((resolve) => (this.reportCaughtUp = resolve));
  }

  /**
   * Resolves, with the seconds it took, once every projection this process holds has caught up
   * with the ledger after the first start() (main.ts logs "ready" then); at once when it holds
   * none, and after the first read of the checkpoints for observe().
   */
  caughtUp(): Promise<number> {
    return this.caughtUpOnce;
  }

  projections(): Projection[] {
    if (this.workers.size === 0) {
      for (const wrapper of this.discovery.getProviders({ metadataKey: ReadModelProjection.KEY })) {
        const projection = wrapper.instance as Projection;
        const types = projection.eventTypes;
        this.workers.set(projection.name, {
          projection,
          types: types ? new Set(types) : null,
          status: initialStatus(projection.name),
          mode: 'idle',
          held: false,
          checkpoint: null,
          faults: NO_FAULTS,
          failingInARow: 0,
        });
      }
    }
    return [...this.workers.values()].map((worker) => worker.projection);
  }

  status(): ProjectionStatus[] {
    this.projections();
    return [...this.workers.values()].map((worker) => ({
      ...worker.status,
      state:
        worker.faults.open > 0 && ['live', 'catching-up'].includes(worker.status.state)
          ? 'faulted'
          : worker.status.state,
      lagSeconds: lagSeconds(worker),
      faults: worker.faults,
    }));
  }

  /**
   * Reads the open faults of every projection again (at most once a second unless `maxAgeMs`
   * says otherwise), so status() shows faults another process recorded or resolved; and the
   * checkpoints of projections run elsewhere.
   */
  async refreshFaults(maxAgeMs = FAULTS_MAX_AGE_MS): Promise<void> {
    if (Date.now() - this.faultsReadAt < maxAgeMs) return;
    this.faultsReadAt = Date.now();
    // A probe or a scrape must answer while the database does not: keep the last faults known.
    const open = await within(
      readOpenFaults(this.dataSource.manager),
      FAULTS_READ_MS,
      'projection faults unread',
    );
    this.projections();
    for (const worker of this.workers.values())
      worker.faults = open.get(worker.projection.name) ?? NO_FAULTS;
    if (this.observedWorkers().length > 0)
      await within(this.readObserved(), FAULTS_READ_MS, 'projection checkpoints unread');
  }

  /**
   * Starts every projection (or the named ones) from its checkpoint: those whose lease this
   * process gets join one reader; the others are asked for again every LEASE_RETRY_MS.
   */
  async start(names?: readonly string[]): Promise<void> {
    const selected = this.select(names);
    this.stopping = false;
    this.observing = false;
    if (this.halt.signal.aborted) this.halt = new AbortController();
    const everyProjection = !names || names.length === 0;
    for (const projection of selected) this.wanted.add(projection.name);
    await this.ensureCheckpointRows(selected.map((projection) => projection.name));
    const held = await this.acquire([...this.wanted]);
    const gained = selected
      .map((projection) => this.workers.get(projection.name) as Worker)
      .filter((worker) => held.has(worker.projection.name) && worker.mode === 'idle');
    if (everyProjection && !this.catchUpBegun) await this.beginCatchUp();
    // Run by another projector: followed through their checkpoints until a lease comes free.
    for (const projection of selected) {
      const worker = this.workers.get(projection.name) as Worker;
      if (!worker.held) worker.status.state = 'standby';
    }
    await this.readCheckpoints(gained);
    for (const worker of gained) {
      worker.status.state = 'catching-up';
      if (this.main && !this.main.closed) this.goAlone(worker);
      else worker.mode = 'fed';
    }
    this.startMain();
    this.leaseTimer ??= setInterval(() => void this.takeLeases(), LEASE_RETRY_MS);
    this.leaseTimer.unref();
    if (this.catchUp) this.reportCatchUp(this.catchUp);
    // The projections run already: faults left unread (database slow or down) are read later.
    await this.refreshFaults(0).catch(() => undefined);
  }

  /**
   * Runs no projection: status(), waitFor() and furthestPosition() read the checkpoints the
   * projector processes write (ATTEST_ROLE=api). They are read while a waitFor() waits, every
   * OBSERVE_POLL_MS (each page moves every checkpoint in the same moment, README "Projector
   * role"), and by refreshFaults() for readiness and metrics; never while idle.
   */
  async observe(): Promise<void> {
    this.projections();
    this.observing = true;
    this.stopping = false;
    for (const worker of this.workers.values()) worker.status.state = 'standby';
    await this.readObserved().catch(() => undefined);
    this.reportCaughtUp(0);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.halt.abort();
    this.catchUp = undefined;
    clearInterval(this.leaseTimer);
    this.leaseTimer = undefined;
    await this.takingLeases;
    const workers = [...this.workers.values()];
    const main = this.main;
    if (main) await this.closeFeed(main);
    await Promise.all(
      workers.map(async (worker) => {
        if (worker.ownFeed) await this.closeFeed(worker.ownFeed);
        await worker.running;
      }),
    );
    for (const worker of workers) {
      if (worker.mode === 'rebuilding') continue;
      worker.mode = 'idle';
      if (worker.status.state !== 'standby' || worker.held) worker.status.state = 'stopped';
    }
    const given = workers.filter((worker) => worker.held && worker.mode === 'idle');
    for (const worker of given) worker.held = false;
    this.wanted.clear();
    if (given.length > 0)
      await this.leases
        .release(given.map((worker) => worker.projection.name))
        .catch(() => undefined);
    this.wakeWaiters();
  }

  /**
   * Empties the projections' tables, resets their checkpoints and replays the whole log into
   * them through ONE reader, resolving once they have caught up with what was committed when the
   * rebuild started. Refused for a projection another projector holds.
   */
  async rebuild(
    names?: readonly string[],
    onProgress?: (name: string, applied: number) => void,
  ): Promise<RebuildResult[]> {
    const selected = this.select(names).map((p) => this.workers.get(p.name) as Worker);
    if (selected.length === 0) return [];
    const held = await this.acquire(selected.map((worker) => worker.projection.name));
    const elsewhere = selected.filter((worker) => !held.has(worker.projection.name));
    if (elsewhere.length > 0) {
      throw new Error(
        `projection ${elsewhere.map((worker) => worker.projection.name).join(', ')} is run by another projector; rebuild it there, or stop that projector first`,
      );
    }
    const resume = selected.filter(
      (worker) => !this.stopping && this.wanted.has(worker.projection.name),
    );
    // The live feeds step aside, or their next page would meet a checkpoint the rebuild moved.
    for (const worker of selected) {
      this.main?.members.delete(worker);
      worker.mode = 'rebuilding';
    }
    await this.main?.dispatching;
    await Promise.all(
      selected.map(async (worker) => {
        if (worker.ownFeed) await this.closeFeed(worker.ownFeed);
        await worker.running;
      }),
    );
    try {
      await this.ensureCheckpointRows(selected.map((worker) => worker.projection.name));
      await this.reset(selected);
      const rebuild = this.newFeed('rebuild', selected, null, new AbortController().signal, true);
      rebuild.onPage = () => {
        for (const worker of selected)
          onProgress?.(worker.projection.name, worker.status.eventsApplied);
      };
      await this.runFeed(rebuild);
      // Those that kept failing went on alone, each until it caught up.
      await Promise.all(selected.map((worker) => worker.running));
      const results: RebuildResult[] = [];
      for (const worker of selected) {
        const stillFaulted = [...(worker.rebuildFaults ?? [])];
        const resolved = await resolveFaultsExcept(
          this.dataSource.manager,
          worker.projection.name,
          stillFaulted,
        );
        results.push({
          name: worker.projection.name,
          eventsApplied: worker.status.eventsApplied,
          faulted: stillFaulted.length,
          resolved,
        });
      }
      // The rebuild is done: faults left unread (database slow or down) are read later.
      await this.refreshFaults(0).catch(() => undefined);
      return results;
    } finally {
      const done: string[] = [];
      for (const worker of selected) {
        worker.rebuildFaults = undefined;
        worker.mode = 'idle';
        if (resume.includes(worker) && !this.stopping && worker.held) this.goAlone(worker);
        else if (worker.held) {
          worker.held = false;
          done.push(worker.projection.name);
        }
      }
      // Nobody runs them here: another projector may take them.
      if (done.length > 0) await this.leases.release(done).catch(() => undefined);
    }
  }

  /**
   * Rebuilds the projections (of those named) that hold open faults, once the code that could
   * not apply their events has been fixed: a fault whose event now applies is resolved.
   */
  async replayFaults(
    names?: readonly string[],
    onProgress?: (name: string, applied: number) => void,
  ): Promise<RebuildResult[]> {
    const open = await readOpenFaults(this.dataSource.manager);
    const faulted = this.select(names)
      .map((projection) => projection.name)
      .filter((name) => open.has(name));
    if (faulted.length === 0) return [];
    return this.rebuild(faulted, onProgress);
  }

  /** The furthest position any projection has applied: wait for it to have all read models agree. */
  furthestPosition(): LedgerPosition | null {
    this.projections();
    // Checkpoints written elsewhere are read in the background; this answer uses the last read.
    if (Date.now() - this.observedAt > OBSERVE_POLL_MS && this.observedWorkers().length > 0)
      void this.readObserved().catch(() => undefined);
    let furthest: LedgerPosition | null = null;
    for (const worker of this.workers.values()) {
      const at = worker.status.position;
      if (at !== null && (furthest === null || this.eventLog.comparePositions(at, furthest) > 0)) {
        furthest = at;
      }
    }
    return furthest;
  }

  /**
   * Resolves once every projection has applied everything up to `position`; false on timeout.
   * Projections run elsewhere are followed through their checkpoints (observe()).
   */
  async waitFor(position: LedgerPosition, timeoutMs: number): Promise<boolean> {
    this.projections();
    const reached = () =>
      [...this.workers.values()].every(
        (worker) =>
          worker.status.position !== null &&
          this.eventLog.comparePositions(worker.status.position, position) >= 0,
      );
    if (reached()) return true;
    return new Promise((resolve) => {
      const check = () => {
        if (!reached() && !this.stopping) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(reached());
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        resolve(reached());
      }, timeoutMs);
      this.waiters.add(check);
      this.pollObserved();
    });
  }

  // ---- feeds ----

  private newFeed(
    kind: Feed['kind'],
    members: readonly Worker[],
    from: LedgerPosition | null,
    signal: AbortSignal,
    rebuilding = false,
  ): Feed {
    return {
      kind,
      rebuilding,
      members: new Set(members),
      nextFrom: from,
      filter: kind === 'main' ? this.typesOfAll() : typesOf(members),
      closed: false,
      signal,
    };
  }

  /** Starts the main feed for the projections that joined it, unless it runs already. */
  private startMain(): void {
    if ((this.main && !this.main.closed) || this.stopping) return;
    const members = [...this.workers.values()].filter((worker) => worker.mode === 'fed');
    if (members.length === 0) return;
    const feed = this.newFeed('main', members, this.earliest(members), this.halt.signal);
    this.main = feed;
    feed.running = this.runMain(feed).finally(() => {
      if (this.main === feed) this.main = undefined;
    });
  }

  private async runMain(feed: Feed): Promise<void> {
    while (!feed.closed && !this.stopping && feed.members.size > 0) {
      try {
        if ((await this.runFeed(feed)) !== 'ended') continue;
        // The subscription ended on its own (the event log closing): read again after a pause.
        await this.pause(this.retryMs, feed.signal);
        feed.nextFrom = this.earliest([...feed.members]);
      } catch (error) {
        if (this.stopping || feed.closed) break;
        const described = describeProjectionError(error);
        this.logger.error(
          { errorCode: described.code, error: described.message },
          'ledger reader failed; reading again from the projections’ checkpoints',
        );
        await this.pause(this.retryMs, feed.signal);
        feed.nextFrom = this.earliest([...feed.members]);
      }
    }
    feed.closed = true;
    // Whoever still counts on this feed (it ended while a projection joined) starts another.
    for (const worker of this.workers.values())
      if (worker.mode === 'fed' && !feed.members.has(worker)) return this.startMain();
  }

  /**
   * Reads `feed` page by page and hands each page to its members; ends when it is closed, has no
   * members left, or (rebuild) has caught up with the ledger.
   */
  private async runFeed(feed: Feed): Promise<'caughtUp' | 'closed' | 'ended'> {
    const subscription = this.eventLog.subscribe({
      from: feed.nextFrom ?? undefined,
      filter: feed.filter ? { eventTypes: feed.filter } : undefined,
    });
    const reader = new PageReader(
      subscription,
      feed.nextFrom,
      decode,
      PAGES_AHEAD,
      MERGED_PAGE_EVENTS,
    );
    feed.reader = reader;
    try {
      for (;;) {
        if (feed.closed) return 'closed';
        const item = await reader.next();
        if (feed.closed) return 'closed';
        if (!item) return 'ended';
        if (item.kind === 'page') {
          feed.nextFrom = item.to;
          feed.dispatching = this.dispatch(feed, item);
          try {
            await feed.dispatching;
          } finally {
            feed.dispatching = undefined;
          }
          feed.onPage?.();
        } else {
          // A rebuild ends with what was committed when it started.
          if (feed.rebuilding) return 'caughtUp';
          for (const worker of feed.members) {
            worker.status.caughtUp = true;
            worker.status.state = 'live';
          }
          this.wakeWaiters();
          const [worker] = feed.members;
          if (feed.kind === 'alone' && worker && this.join(worker)) {
            feed.closed = true;
            return 'caughtUp';
          }
        }
        if (feed.members.size === 0) {
          feed.closed = true;
          return 'closed';
        }
      }
    } finally {
      await reader.close();
    }
  }

  private async closeFeed(feed: Feed): Promise<void> {
    feed.closed = true;
    await feed.reader?.close();
    await feed.dispatching?.catch(() => undefined);
    await feed.running;
  }

  /**
   * Hands a page to every member: the events after its own position that it handles. Members
   * with none only have their checkpoints moved, all in one statement.
   */
  private async dispatch(feed: Feed, page: LedgerPage): Promise<void> {
    const skipping: Worker[] = [];
    const work: Promise<void>[] = [];
    for (const worker of [...feed.members]) {
      const share = this.shareOf(worker, page);
      if (share === 'ahead') continue;
      worker.status.caughtUp = false;
      if (share === 'gap') this.leave(feed, worker);
      else if (share.length === 0) skipping.push(worker);
      else work.push(this.applyShare(feed, worker, page, share));
    }
    if (skipping.length > 0) work.push(this.skipPast(feed, skipping, page.to));
    await Promise.all(work);
  }

  /**
   * The events of `page` for this projection: 'ahead' when it has passed the page already,
   * 'gap' when it is behind the page's start (it must catch up on its own first).
   */
  private shareOf(worker: Worker, page: LedgerPage): RecordedEvent[] | 'ahead' | 'gap' {
    const reached = worker.status.position;
    if (reached !== null && this.eventLog.comparePositions(reached, page.to) >= 0) return 'ahead';
    if (
      page.from !== null &&
      (reached === null || this.eventLog.comparePositions(reached, page.from) < 0)
    )
      return 'gap';
    let events = page.events;
    if (reached !== null && reached !== page.from)
      events = events.filter(
        (event) => this.eventLog.comparePositions(event.position, reached) > 0,
      );
    const types = worker.types;
    return types ? events.filter((event) => types.has(event.type)) : events;
  }

  /** Applies one projection's share of a page, retrying a transient failure with backoff. */
  private async applyShare(
    feed: Feed,
    worker: Worker,
    page: LedgerPage,
    events: RecordedEvent[],
  ): Promise<void> {
    const halted = () =>
      feed.closed || !feed.members.has(worker) || (!feed.rebuilding && this.stopping);
    for (;;) {
      try {
        await this.commit(worker, events, page.to, halted, feed.rebuilding);
        worker.status.lastError = null;
        if (worker.status.state === 'failing') worker.status.state = 'catching-up';
        return;
      } catch (error) {
        if (error instanceof RunnerHalted || halted()) return;
        if (error instanceof LeaseLost) return this.lose(worker);
        if (error instanceof CheckpointMoved) {
          // Another runner applied that page first: carry on from its checkpoint.
          await this.reloadCheckpoint(worker);
          // It may have recorded faults this process has not seen.
          await this.refreshFaults(0).catch(() => undefined);
          if (halted()) return;
          const share = this.shareOf(worker, page);
          if (share === 'ahead') return;
          if (share === 'gap') return this.leave(feed, worker);
          if (share.length === 0) return this.skipPast(feed, [worker], page.to);
          events = share;
          continue;
        }
        this.noteFailure(worker, error);
        if (feed.kind !== 'alone' && worker.failingInARow >= DETACH_AFTER_FAILURES)
          return this.leave(feed, worker);
        await this.pause(this.backoff(worker), feed.signal);
        if (halted()) return;
      }
    }
  }

  /**
   * Moves the checkpoints of projections a page had nothing for, in one statement (with their
   * fences, in one transaction, when leases are held among several projectors). Their positions
   * move at once; a checkpoint another runner moved is read again, one that failed to move is
   * merely written with the next page that moves it.
   */
  private async skipPast(feed: Feed, skipping: Worker[], to: LedgerPosition): Promise<void> {
    for (const worker of skipping) worker.status.position = to;
    this.wakeWaiters();
    let workers = skipping;
    const solo = this.leases instanceof SoleProjector;
    for (let attempt = 0; workers.length > 0 && attempt < 3; attempt++) {
      try {
        const update = async (query: DataSource['query']) =>
          (await query(
            `WITH moved AS (
               UPDATE projection_checkpoints c SET position = $3, updated_at = now()
               FROM unnest($1::text[], $2::text[]) AS v(projection, expected)
               WHERE c.projection = v.projection AND c.position IS NOT DISTINCT FROM v.expected
               RETURNING c.projection)
             SELECT projection FROM moved`,
            [workers.map((w) => w.projection.name), workers.map((w) => w.checkpoint), to],
          )) as { projection: string }[];
        const moved = solo
          ? await update((sql, values) => this.dataSource.query(sql, values))
          : await this.dataSource.transaction(async (manager) => {
              for (const worker of workers)
                await this.leases.fence(manager, worker.projection.name);
              return update((sql, values) => manager.query(sql, values));
            });
        const names = new Set(moved.map((row) => row.projection));
        const lost: Worker[] = [];
        for (const worker of workers) {
          if (names.has(worker.projection.name)) worker.checkpoint = to;
          else lost.push(worker);
        }
        for (const worker of lost) {
          // Another runner moved it: usually to here or beyond; behind (a rebuild elsewhere
          // reset it), it catches up on its own.
          await this.reloadCheckpoint(worker);
          const at = worker.status.position;
          if (at === null || this.eventLog.comparePositions(at, to) < 0) this.leave(feed, worker);
        }
        return;
      } catch (error) {
        if (error instanceof LeaseLost) {
          const worker = this.workers.get(error.projection);
          if (worker) this.lose(worker);
          workers = workers.filter((w) => w !== worker);
          continue;
        }
        // The next page that moves these checkpoints writes them (compare-and-set from the
        // checkpoint they still have).
        return;
      }
    }
  }

  /** A projection that cannot take the feed's next page leaves it and catches up on its own. */
  private leave(feed: Feed, worker: Worker): void {
    if (!feed.members.delete(worker)) return;
    if (feed.kind === 'alone') {
      feed.restart = true;
      feed.closed = true;
      return;
    }
    if (feed.kind === 'main' && this.stopping) return;
    this.goAlone(worker);
  }

  /** Runs the projection on its own subscription (alone) until it can join the main feed. */
  private goAlone(worker: Worker): void {
    const rebuilding = worker.mode === 'rebuilding';
    if (!rebuilding) worker.mode = 'alone';
    const mode = worker.mode;
    const previous = worker.running ?? Promise.resolve();
    const running: Promise<void> = previous
      .then(() => this.runAlone(worker, mode))
      .finally(() => {
        if (worker.running === running) worker.running = undefined;
      });
    worker.running = running;
  }

  private async runAlone(worker: Worker, mode: Mode): Promise<void> {
    const rebuilding = mode === 'rebuilding';
    const signal = rebuilding ? new AbortController().signal : this.halt.signal;
    let first = true;
    while (worker.mode === mode && worker.held && (rebuilding || !this.stopping)) {
      if (!first) await this.pause(this.backoff(worker), signal);
      first = false;
      try {
        await this.reloadCheckpoint(worker);
        if (!rebuilding && worker.status.state !== 'failing') worker.status.state = 'catching-up';
        const feed = this.newFeed('alone', [worker], worker.checkpoint, signal, rebuilding);
        worker.ownFeed = feed;
        const ended = await this.runFeed(feed);
        worker.ownFeed = undefined;
        if (feed.restart) {
          first = true;
          continue;
        }
        // Caught up (a rebuild's part is done, or it joined the main feed), or told to stop.
        if (ended !== 'ended') return;
      } catch (error) {
        worker.ownFeed = undefined;
        if (this.stopping && !rebuilding) return;
        this.noteFailure(worker, error);
      }
    }
  }

  /**
   * A projection alone has caught up: it joins the main feed if it has reached the feed's next
   * page (or starts the main feed when none runs). A rebuild's projection never joins here.
   */
  private join(worker: Worker): boolean {
    if (worker.mode !== 'alone') return false;
    const main = this.main && !this.main.closed ? this.main : undefined;
    if (main) {
      const at = worker.status.position;
      if (
        main.nextFrom !== null &&
        (at === null || this.eventLog.comparePositions(at, main.nextFrom) < 0)
      )
        return false;
      worker.mode = 'fed';
      main.members.add(worker);
      return true;
    }
    worker.mode = 'fed';
    this.startMain();
    return true;
  }

  // ---- applying ----

  /**
   * Applies a page and moves the checkpoint to `position`. A page that fails other than
   * transiently is split to find the events that cannot be applied (applyApart).
   */
  private async commit(
    worker: Worker,
    events: RecordedEvent[],
    position: LedgerPosition,
    halted: () => boolean,
    rebuilding: boolean,
  ): Promise<void> {
    const start = worker.checkpoint;
    try {
      await this.applyInTransaction(worker, start, events, position, rebuilding);
    } catch (error) {
      if (!this.worthSplitting(worker, events, error)) throw error;
      await this.applyApart(worker, start, events, position, halted, rebuilding);
    }
  }

  /** Counts a failed transaction; true when its events should be tried in smaller groups. */
  private worthSplitting(worker: Worker, events: RecordedEvent[], error: unknown): boolean {
    if (error instanceof CheckpointMoved || error instanceof LeaseLost || events.length === 0)
      return false;
    if (classifyProjectionError(error) === 'transient') return false;
    const described = describeProjectionError(error);
    worker.status.failures += 1;
    worker.status.lastError = `${described.code}: ${described.message}`;
    return true;
  }

  /** Halves a failing group until each half applies or is one event (applyAlone). */
  private async applyApart(
    worker: Worker,
    start: LedgerPosition | null,
    events: RecordedEvent[],
    end: LedgerPosition,
    halted: () => boolean,
    rebuilding: boolean,
  ): Promise<void> {
    if (events.length === 1)
      return this.applyAlone(worker, start, events[0], end, halted, rebuilding);
    const middle = Math.ceil(events.length / 2);
    const halves: [RecordedEvent[], LedgerPosition | null, LedgerPosition][] = [
      [events.slice(0, middle), start, events[middle - 1].position],
      [events.slice(middle), events[middle - 1].position, end],
    ];
    for (const [half, from, to] of halves) {
      if (halted()) throw new RunnerHalted();
      try {
        await this.applyInTransaction(worker, from, half, to, rebuilding);
      } catch (error) {
        if (!this.worthSplitting(worker, half, error)) throw error;
        await this.applyApart(worker, from, half, to, halted, rebuilding);
      }
    }
  }

  /**
   * Tries one event alone, in its own transaction, ATTEMPTS_ALONE times; if it never applies,
   * records it as a fault with the checkpoint moving past it in the same transaction.
   */
  private async applyAlone(
    worker: Worker,
    start: LedgerPosition | null,
    event: RecordedEvent,
    end: LedgerPosition,
    halted: () => boolean,
    rebuilding: boolean,
  ): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      if (halted()) throw new RunnerHalted();
      try {
        await this.applyInTransaction(worker, start, [event], end, rebuilding);
        return;
      } catch (error) {
        if (!this.worthSplitting(worker, [event], error)) throw error;
        if (attempt >= ATTEMPTS_ALONE) return this.recordFault(worker, start, event, end, error);
        await this.pause(this.retryMs);
      }
    }
  }

  /**
   * One transaction: the lease's fence, the checkpoint's compare-and-set (which also locks it, so
   * a second runner waits, then finds it moved), the projection's statements.
   */
  private async applyInTransaction(
    worker: Worker,
    from: LedgerPosition | null,
    events: RecordedEvent[],
    to: LedgerPosition,
    rebuilding: boolean,
  ): Promise<void> {
    const { projection } = worker;
    await this.dataSource.transaction(async (manager) => {
      await this.leases.fence(manager, projection.name);
      const moved = (await manager.query(MOVE_CHECKPOINT, [
        projection.name,
        to,
        from,
      ])) as unknown[];
      if (moved.length === 0)
        throw new CheckpointMoved(`${projection.name} was moved by another runner`);
      for (const event of events) {
        if (undecodable.has(event)) throw undecodable.get(event);
      }
      await projection.applyPage(events, { manager, from, to, rebuilding });
    });
    worker.checkpoint = to;
    if (
      worker.status.position === null ||
      this.eventLog.comparePositions(worker.status.position, to) < 0
    )
      worker.status.position = to;
    worker.status.eventsApplied += events.length;
    worker.failingInARow = 0;
    if (events.length > 0) worker.lastAppliedRecordedAt = events[events.length - 1].recordedAt;
    this.wakeWaiters();
  }

  private async recordFault(
    worker: Worker,
    start: LedgerPosition | null,
    event: RecordedEvent,
    end: LedgerPosition,
    error: unknown,
  ): Promise<void> {
    const { projection } = worker;
    const described = describeProjectionError(error);
    await this.dataSource.transaction(async (manager) => {
      await this.leases.fence(manager, projection.name);
      const moved = (await manager.query(MOVE_CHECKPOINT, [
        projection.name,
        end,
        start,
      ])) as unknown[];
      if (moved.length === 0)
        throw new CheckpointMoved(`${projection.name} was moved by another runner`);
      await recordFault(manager, projection.name, event, described);
    });
    worker.checkpoint = end;
    worker.status.position = end;
    worker.status.faultsRecorded += 1;
    worker.rebuildFaults?.add(event.id);
    // The stream is left out: a stream name can name a person (access-log-<sub>).
    this.logger.error(
      {
        projection: projection.name,
        eventId: event.id,
        eventType: event.type,
        ledgerPosition: event.position,
        errorCode: described.code,
        error: described.message,
      },
      `projection ${projection.name} cannot apply event ${event.id} (${described.code}); recorded in projection_faults and moved past it`,
    );
    await this.refreshFaults(0).catch(() => undefined);
    this.wakeWaiters();
  }

  /** A transient failure: counted, shown in status() and logged without the statement's values. */
  private noteFailure(worker: Worker, error: unknown): void {
    const described = describeProjectionError(error);
    const { status } = worker;
    status.failures += 1;
    status.state = 'failing';
    status.caughtUp = false;
    status.lastError = `${described.code}: ${described.message}`;
    worker.failingInARow += 1;
    // The error object itself is not logged: a driver error carries the statement's values.
    this.logger.error(
      { projection: worker.projection.name, errorCode: described.code, error: described.message },
      'projection batch failed; retrying from its checkpoint',
    );
  }

  private backoff(worker: Worker): number {
    return Math.min(this.retryMs * 2 ** Math.min(Math.max(worker.failingInARow - 1, 0), 8), 30_000);
  }

  // ---- leases ----

  /** Asks for the leases of `names`; whatever this process no longer holds stops at once. */
  private async acquire(names: readonly string[]): Promise<ReadonlySet<string>> {
    const held = await this.leases.acquire(names);
    for (const worker of this.workers.values()) {
      const holds = held.has(worker.projection.name);
      if (worker.held && !holds && names.includes(worker.projection.name)) this.lose(worker);
      else if (holds) worker.held = true;
    }
    return held;
  }

  /** Every LEASE_RETRY_MS: the projections this process should run but does not hold. */
  private takeLeases(): Promise<void> {
    if (this.takingLeases || this.stopping) return this.takingLeases ?? Promise.resolve();
    const missing = [...this.wanted].filter((name) => {
      const worker = this.workers.get(name);
      return worker && worker.mode === 'idle' && !worker.held;
    });
    if (missing.length === 0) return Promise.resolve();
    this.takingLeases = (async () => {
      try {
        const held = await this.acquire(missing);
        const gained = missing
          .map((name) => this.workers.get(name) as Worker)
          .filter((worker) => held.has(worker.projection.name) && worker.mode === 'idle');
        if (gained.length === 0 || this.stopping) return;
        await this.ensureCheckpointRows(gained.map((worker) => worker.projection.name));
        // With no reader running (a standby taking over), they share one from their checkpoints;
        // otherwise each catches up alone and joins it.
        if (!this.main || this.main.closed) await this.readCheckpoints(gained);
        if (this.stopping) return;
        const shared = !this.main || this.main.closed;
        for (const worker of gained) {
          if (worker.mode !== 'idle' || !worker.held) continue;
          this.logger.log(`projection ${worker.projection.name}: lease taken, catching up`);
          worker.status.state = 'catching-up';
          if (shared) worker.mode = 'fed';
          else this.goAlone(worker);
        }
        if (shared) this.startMain();
      } catch (error) {
        const described = describeProjectionError(error);
        this.logger.warn(
          { errorCode: described.code, error: described.message },
          'projection leases not taken; trying again',
        );
      } finally {
        this.takingLeases = undefined;
      }
    })();
    return this.takingLeases;
  }

  /** The lease went to another projector: this process stops applying the projection. */
  private lose(worker: Worker): void {
    if (!worker.held && worker.mode === 'idle') return;
    worker.held = false;
    this.main?.members.delete(worker);
    if (worker.ownFeed) {
      worker.ownFeed.closed = true;
      void worker.ownFeed.reader?.close();
    }
    if (worker.mode !== 'rebuilding') worker.mode = 'idle';
    worker.status.state = 'standby';
    worker.status.caughtUp = false;
    this.logger.warn(`projection ${worker.projection.name}: lease lost; another projector runs it`);
    this.wakeWaiters();
  }

  // ---- checkpoints ----

  private async reset(workers: Worker[]): Promise<void> {
    const names = workers.map((worker) => worker.projection.name);
    const tables = workers.flatMap((worker) => worker.projection.tables);
    await this.dataSource.transaction(async (manager) => {
      await manager.query(
        'SELECT position FROM projection_checkpoints WHERE projection = ANY($1::text[]) ORDER BY projection FOR UPDATE',
        [names],
      );
      for (const name of names) await this.leases.fence(manager, name);
      if (tables.length > 0) await manager.query(`TRUNCATE ${tables.map(quoteIdent).join(', ')}`);
      await manager.query(
        'UPDATE projection_checkpoints SET position = NULL, updated_at = now() WHERE projection = ANY($1::text[])',
        [names],
      );
    });
    for (const worker of workers) {
      worker.checkpoint = null;
      worker.rebuildFaults = new Set();
      Object.assign(worker.status, { position: null, caughtUp: false, eventsApplied: 0 });
    }
  }

  private async ensureCheckpointRows(names: readonly string[]): Promise<void> {
    if (names.length === 0) return;
    await this.dataSource.query(
      `INSERT INTO projection_checkpoints (projection, position)
       SELECT name, NULL FROM unnest($1::text[]) AS name ON CONFLICT (projection) DO NOTHING`,
      [names],
    );
  }

  private async readCheckpoints(workers: readonly Worker[]): Promise<void> {
    if (workers.length === 0) return;
    const rows = (await this.dataSource.query(
      'SELECT projection, position FROM projection_checkpoints WHERE projection = ANY($1::text[])',
      [workers.map((worker) => worker.projection.name)],
    )) as { projection: string; position: string | null }[];
    const positions = new Map(rows.map((row) => [row.projection, row.position]));
    for (const worker of workers) {
      worker.checkpoint = positions.get(worker.projection.name) ?? null;
      worker.status.position = worker.checkpoint;
    }
  }

  private reloadCheckpoint(worker: Worker): Promise<void> {
    return this.readCheckpoints([worker]);
  }

  /** Projections this process does not run: their positions come from projection_checkpoints. */
  private observedWorkers(): Worker[] {
    return [...this.workers.values()].filter(
      (worker) => this.observing || (!worker.held && this.wanted.has(worker.projection.name)),
    );
  }

  private async readObserved(): Promise<void> {
    const observed = this.observedWorkers();
    this.observedAt = Date.now();
    if (observed.length === 0) return;
    const rows = (await this.dataSource.query(
      'SELECT projection, position FROM projection_checkpoints WHERE projection = ANY($1::text[])',
      [observed.map((worker) => worker.projection.name)],
    )) as { projection: string; position: string | null }[];
    const positions = new Map(rows.map((row) => [row.projection, row.position]));
    for (const worker of observed) {
      // Still observed once the read is back (a lease may have been taken meanwhile).
      if (!this.observing && worker.held) continue;
      worker.status.position = positions.get(worker.projection.name) ?? null;
    }
  }

  /** While anyone waits on a projection run elsewhere, its checkpoint is read every OBSERVE_POLL_MS. */
  private pollObserved(): void {
    if (this.polling || this.observedWorkers().length === 0) return;
    this.polling = (async () => {
      while (this.waiters.size > 0 && this.observedWorkers().length > 0) {
        await this.readObserved().catch(() => undefined);
        this.wakeWaiters();
        if (this.waiters.size === 0) break;
        await sleep(OBSERVE_POLL_MS, undefined, { ref: false });
      }
    })().finally(() => (this.polling = undefined));
  }

  private earliest(workers: readonly Worker[]): LedgerPosition | null {
    let earliest: LedgerPosition | null | undefined;
    for (const worker of workers) {
      const at = worker.status.position;
      if (at === null) return null;
      if (earliest === undefined || this.eventLog.comparePositions(at, earliest as string) < 0)
        earliest = at;
    }
    return earliest ?? null;
  }

  /** The main feed reads every type any projection handles (undefined: every event). */
  private typesOfAll(): readonly string[] | undefined {
    if (this.allTypes === undefined) this.allTypes = typesOf([...this.workers.values()]) ?? null;
    return this.allTypes ?? undefined;
  }

  private select(names?: readonly string[]): Projection[] {
    const all = this.projections();
    if (!names || names.length === 0) return all;
    const unknown = names.filter((name) => !this.workers.has(name));
    if (unknown.length > 0) {
      throw new Error(
        `unknown projection ${unknown.join(', ')}; known: ${all.map((p) => p.name).join(', ')}`,
      );
    }
    return all.filter((projection) => names.includes(projection.name));
  }

  private pause(ms: number, signal: AbortSignal = this.halt.signal): Promise<void> {
    return sleep(ms, undefined, { signal }).catch(() => undefined);
  }

  private wakeWaiters(): void {
    for (const waiter of [...this.waiters]) waiter();
    if (this.catchUp) this.reportCatchUp(this.catchUp);
  }

  // ---- start-up report ----

  /**
   * Starts the start-up report: where the ledger's head is now and how far the slowest
   * projection's checkpoint is towards it; reportCatchUp follows their progress from there.
   */
  private async beginCatchUp(): Promise<void> {
    const startedAt = Date.now();
    this.catchUpBegun = true;
    // The head only feeds the progress lines: a store that fails or hangs must not hold the start.
    const head = await within(
      Promise.resolve().then(() => this.eventLog.headPosition()),
      HEAD_READ_MS,
      'ledger head unread',
    ).catch(() => null);
    this.catchUp = {
      startedAt,
      head: head ?? undefined,
      reportedAt: startedAt,
      caughtUp: new Set(),
    };
    const projections = this.projections();
    if (!head) {
      this.logger.log(
        `projections starting: ${projections.length} of them, ${head === null ? 'the ledger’s head unread (no percentage)' : 'the ledger is empty'}`,
      );
      return;
    }
    const rows = (await this.dataSource
      .query('SELECT projection, position FROM projection_checkpoints')
      .catch(() => [])) as { projection: string; position: string | null }[];
    const checkpoints = new Map(rows.map((row) => [row.projection, row.position]));
    this.logCatchUp(
      head,
      projections.map((projection) => ({
        name: projection.name,
        position: checkpoints.get(projection.name) ?? null,
      })),
      projections.length,
    );
  }

  private reportCatchUp(report: CatchUpReport): void {
    // Only the projections this process runs: the others are another projector's to report.
    const workers = [...this.workers.values()].filter((worker) => worker.held);
    for (const worker of workers) {
      if (worker.status.caughtUp) report.caughtUp.add(worker.projection.name);
    }
    const now = Date.now();
    if (workers.every((worker) => report.caughtUp.has(worker.projection.name))) {
      this.catchUp = undefined;
      const seconds = (now - report.startedAt) / 1000;
      this.logger.log(`projections caught up in ${seconds.toFixed(1)} s`);
      this.reportCaughtUp(seconds);
      return;
    }
    if (now - report.reportedAt < CATCH_UP_REPORT_MS || report.head === undefined) return;
    report.reportedAt = now;
    this.logCatchUp(
      report.head,
      workers
        .filter((worker) => !report.caughtUp.has(worker.projection.name))
        .map((worker) => ({ name: worker.projection.name, position: worker.status.position })),
      workers.length,
    );
  }

  /** One progress line: the slowest of the projections `behind`, as a share of the head. */
  private logCatchUp(
    head: LedgerPosition,
    behind: { name: string; position: LedgerPosition | null }[],
    total: number,
  ): void {
    const [slowest] = behind
      .map((projection) => ({
        name: projection.name,
        share: this.eventLog.fractionOf(projection.position, head),
      }))
      .sort((a, b) => a.share - b.share);
    if (!slowest) return;
    this.logger.log(
      `projections catching up: ${Math.floor(slowest.share * 100)}% of the ledger head ` +
        `(slowest ${slowest.name}; ${total - behind.length} of ${total} caught up)`,
    );
  }
}

/**
 * The checkpoint's compare-and-set: moves it to $2 only if it is still at $3, and locks the row
 * until the transaction ends (no row back: another runner moved it). It also marks the page's
 * transaction as one that never appends to the ledger, so no subscription waits for it to end
 * (README, "Delivery order"), and lets it commit without waiting for its WAL to reach the disk
 * (synchronous_commit off, this transaction only): a crash may lose the last pages applied, rows
 * and checkpoint together, and the projection applies them again (README, "Projections").
 */
const MOVE_CHECKPOINT = `WITH moved AS (
    UPDATE projection_checkpoints c SET position = $2, updated_at = now()
    FROM (${MARK_READ_MODEL_TRANSACTION}) AS read_model_mark,
         (SELECT set_config('synchronous_commit', 'off', true)) AS asynchronous_commit
    WHERE c.projection = $1 AND c.position IS NOT DISTINCT FROM $3::text
    RETURNING c.projection)
  SELECT projection FROM moved`;

/** The union of the projections' event types; undefined when any of them takes every event. */
function typesOf(workers: readonly Worker[]): readonly string[] | undefined {
  const types = new Set<string>();
  for (const worker of workers) {
    if (!worker.types) return undefined;
    for (const type of worker.types) types.add(type);
  }
  return [...types];
}

/** `work`'s outcome, or a rejection naming `what` once `ms` have passed without one. */
async function within<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(what)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

interface CatchUpReport {
  startedAt: number;
  /** The ledger's head when the projections started; undefined: it was empty (or unread). */
  head?: LedgerPosition;
  reportedAt: number;
  /** Projections that have reached the head once. */
  caughtUp: Set<string>;
}

function initialStatus(name: string): ProjectionStatus {
  return {
    name,
    state: 'stopped',
    position: null,
    caughtUp: false,
    eventsApplied: 0,
    failures: 0,
    lastError: null,
    lagSeconds: 0,
    faults: NO_FAULTS,
    faultsRecorded: 0,
  };
}

function lagSeconds(worker: Worker): number {
  if (worker.status.caughtUp) return 0;
  if (!worker.lastAppliedRecordedAt) return 0;
  return Math.max(0, (Date.now() - worker.lastAppliedRecordedAt.getTime()) / 1000);
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

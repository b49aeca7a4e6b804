import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DomainError } from '../ledger/ledger.errors';
import { CLOCK, type Clock } from '../ledger/clock';
import { EVENT_LOG, type EventLog } from '../ledger/event-log.port';
import { ProjectionRunner } from '../ledger/projections/projection-runner';
import { CheckpointSigner, type SignedCheckpoint } from './checkpoint-signer';
import {
  BUNDLE_FORMAT,
  type BundleCheckpoint,
  type CitedEvent,
  type EvidenceBundle,
} from './evidence-bundle';
import { IntegrityTree, type LeafRow } from './integrity-tree';
import { IntegrityViolation } from './integrity-violation';
import { type Hash, inclusionProof, inclusionVerifier, leafHash } from './merkle';

/** The integrity log has not caught up with what a pack cites: try again shortly. */
export class IntegrityLogBehind extends DomainError {
  readonly code = 'integrity-log-behind';
  readonly status = 503;

  constructor() {
    super('the integrity log has not caught up with the read models yet; try again in a moment');
  }
}

/** Events a document cites, as leaves of the integrity tree, in ledger order. */
export interface Citation {
  checkpoint: BundleCheckpoint;
  leaves: LeafRow[];
}

const PAGE = 2000;

/**
 * Puts together the evidence behind a document: the leaves of the events it cites, a signed
 * checkpoint that holds them all (signing one if the latest does not), and the events with
 * their inclusion proofs, a page at a time, so a document citing ten thousand events never
 * holds them all at once.
 */
@Injectable()
export class EvidenceBuilder {
  private readonly tree: IntegrityTree;

  constructor(
    @Inject(EVENT_LOG) private readonly eventLog: EventLog,
    private readonly dataSource: DataSource,
    private readonly signer: CheckpointSigner,
    private readonly runner: ProjectionRunner,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.tree = new IntegrityTree(dataSource);
  }

  /** The cited streams' events (all of them, or those `keep` keeps), under a checkpoint. */
  async cite(
    streams: readonly string[],
    keep?: (leaves: LeafRow[]) => Promise<LeafRow[]>,
  ): Promise<Citation> {
    await this.caughtUp();
    const leaves = await this.tree.leavesOfStreams(streams);
    return this.under(keep ? await keep(leaves) : leaves);
  }

  /** The events of these types recorded (occurredAt) in [start, end), under a checkpoint. */
  async citeTypes(types: readonly string[], start: string, end: string): Promise<Citation> {
    await this.caughtUp();
    return this.under(await this.tree.leavesOfTypes(types, start, end));
  }

  /** How many events of each type were recorded (occurredAt) in [start, end). */
  async countsByType(start: string, end: string): Promise<Map<string, number>> {
    await this.caughtUp();
    const rows = (await this.dataSource.query(
      `SELECT event_type, count(*)::bigint AS n FROM integrity_leaves
       WHERE occurred_at >= $1 AND occurred_at < $2 GROUP BY event_type`,
      [start, end],
    )) as { event_type: string; n: string }[];
    return new Map(rows.map((row) => [row.event_type, Number(row.n)]));
  }

  /** A checkpoint that holds every one of these leaves: the latest, or one signed now. */
  private async under(leaves: LeafRow[]): Promise<Citation> {
    const last = leaves.reduce((max, leaf) => Math.max(max, leaf.leafIndex), -1);
    let checkpoint: SignedCheckpoint | undefined = await this.signer.latest();
    if (!checkpoint || checkpoint.treeSize <= last) checkpoint = await this.signer.signNow();
    // A checkpoint row changed behind the service's back is never cited.
    await this.signer.verify(checkpoint);
    return { checkpoint: bundleCheckpoint(checkpoint), leaves };
  }

  /**
   * Waits until the integrity log has reached where the furthest read model is, so every event
   * a document states (from read models) is a leaf it can cite.
   */
  private async caughtUp(): Promise<void> {
    const furthest = this.runner.furthestPosition();
    if (furthest && !(await this.runner.waitFor(furthest, 10_000))) {
      throw new IntegrityLogBehind();
    }
  }

  /**
   * The cited events with their proofs, a page at a time, in ledger order; the next page is
   * fetched while the caller works on this one, so the database and the caller overlap.
   */
  async *events(citation: Citation): AsyncGenerator<CitedEvent[]> {
    const size = citation.checkpoint.treeSize;
    const fetch = async (at: number): Promise<CitedEvent[]> => {
      const page = citation.leaves.slice(at, at + PAGE);
      const [events, proofs] = await Promise.all([
        this.eventLog.readEvents(
          page.map((leaf) => ({ stream: leaf.stream, revision: BigInt(leaf.revision) })),
        ),
        this.proofs(page, size),
      ]);
      // Each proof as the offline verifier will check it: the event's own hash as the leaf.
      this.verified(
        citation,
        page,
        page.map((leaf, i) => {
          const event = events[i];
          return event?.id === leaf.eventId ? event.metadata.integrity.hash : undefined;
        }),
        proofs,
      );
      return events.map((event, i) => ({
        id: event.id,
        stream: event.stream,
        revision: Number(event.revision),
        type: event.type,
        data: event.data,
        metadata: event.metadata,
        recordedAt: event.recordedAt.toISOString(),
        leafIndex: page[i].leafIndex,
        proof: proofs[i].map((hash) => hash.toString('hex')),
      }));
    };
    let next = citation.leaves.length > 0 ? fetch(0) : undefined;
    for (let at = 0; next; at += PAGE) {
      const current = await next;
      next = at + PAGE < citation.leaves.length ? fetch(at + PAGE) : undefined;
      // A fetch that fails while this page is worked on is awaited, and thrown, next round.
      next?.catch(() => undefined);
      yield current;
    }
  }

  /** The bundle as JSON text, written piece by piece (events a page at a time). */
  async writeBundle(
    subject: EvidenceBundle['subject'],
    citation: Citation,
    write: (text: string) => void | Promise<void>,
    options: {
      extra?: Partial<Pick<EvidenceBundle, 'pdf' | 'pdfSigner'>>;
      /** Sees each page of events as it is written (a PDF's appendix, from the same read). */
      onPage?: (events: CitedEvent[]) => void | Promise<void>;
    } = {},
  ): Promise<void> {
    const head = {
      format: BUNDLE_FORMAT,
      subject,
      generatedAt: this.clock().toISOString(),
      checkpoint: citation.checkpoint,
      jwks: await this.signer.jwks(),
      ...options.extra,
    };
    await write(`${JSON.stringify(head).slice(0, -1)},"events":[`);
    let first = true;
    for await (const page of this.events(citation)) {
      await options.onPage?.(page);
      for (const event of page) {
        await write(`${first ? '' : ','}${JSON.stringify(event)}`);
        first = false;
      }
    }
    await write(']}');
  }

  /**
   * Checks, before anything is streamed, that every proof of the citation leads from the leaf
   * its row names to the checkpoint's signed root: what a download that streams as it goes
   * (no error can be answered once the first byte left) asks first. The proofs are checked
   * again as they are written, there against the events themselves.
   */
  async verifyProofs(citation: Citation): Promise<void> {
    for (let at = 0; at < citation.leaves.length; at += PAGE) {
      const page = citation.leaves.slice(at, at + PAGE);
      const proofs = await this.proofs(page, citation.checkpoint.treeSize);
      this.verified(
        citation,
        page,
        page.map((leaf) => leaf.eventHash),
        proofs,
      );
    }
  }

  /**
   * Throws IntegrityViolation unless each proof leads from its event's hash to the citation's
   * signed root: a stored node changed behind the service's back would otherwise be handed out
   * in a proof that fails offline.
   */
  private verified(
    citation: Citation,
    page: LeafRow[],
    eventHashes: (string | undefined)[],
    proofs: Hash[][],
  ): void {
    const { treeSize, rootHash } = citation.checkpoint;
    const verify = inclusionVerifier(treeSize, Buffer.from(rootHash, 'hex'));
    page.forEach((leaf, i) => {
      const eventHash = eventHashes[i];
      if (!eventHash || !verify(leaf.leafIndex, leafHash(Buffer.from(eventHash, 'hex')), proofs[i]))
        throw new IntegrityViolation(
          `the inclusion proof of leaf ${leaf.leafIndex} (event ${leaf.eventId}) does not lead to the signed root of ${treeSize} events`,
          { table: 'integrity_subtrees', leafIndex: leaf.leafIndex, treeSize },
        );
    });
  }

  /** The proofs of a page, over one query for the subtrees they need. */
  private async proofs(page: LeafRow[], size: number): Promise<Hash[][]> {
    return this.tree.compute((lookup) => {
      // Neighbouring leaves share most of their path.
      const ranges = new Map<string, Buffer>();
      return page.map((leaf) => inclusionProof(leaf.leafIndex, size, lookup, ranges));
    });
  }
}

function bundleCheckpoint(checkpoint: SignedCheckpoint): BundleCheckpoint {
  return {
    logId: checkpoint.logId,
    treeSize: checkpoint.treeSize,
    rootHash: checkpoint.rootHash,
    timestamp: checkpoint.timestamp,
    keyId: checkpoint.keyId,
    jws: checkpoint.jws,
  };
}

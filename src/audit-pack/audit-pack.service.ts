import { Inject, Injectable } from '@nestjs/common';
import { createWriteStream } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { inflateSync } from 'node:zlib';
import { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { SIGNING_KEY } from '../integrity/checkpoint-signer';
import { type Citation, EvidenceBuilder } from '../integrity/evidence-builder';
import { signPdfDigest } from '../integrity/evidence-bundle';
import type { LeafRow } from '../integrity/integrity-tree';
import { PdfSigner } from '../integrity/pdf-signer';
import type { SigningKey } from '../integrity/signing-key';
import { CLOCK, type Clock } from '../ledger/clock';
import { StreamWriter } from '../ledger/commands/stream-writer';
import { EVENT_LOG, type Actor, type EventLog } from '../ledger/event-log.port';
import { streams } from '../ledger/stream-names';
import type { CommandContext } from '../ledger/commands/command-context';
import { auditPackDecider } from './audit-pack.decider';
import type { AuditPackIssued } from './audit-pack.events';
import { type AuditPackContent, AuditPackContentReader } from './audit-pack.content';
import { writeAuditPack } from './audit-pack.pdf';
import type { DocumentSigning } from '../integrity/pdf-signer';

export interface GeneratedPack {
  /** Names this pack: its evidence bundle, with the PDF's signature, is kept under it. */
  packId: string;
  /** A temporary file: the caller streams it out and removes its directory. */
  path: string;
  directory: string;
  sha256: string;
  /** Detached JWS over the signed file's SHA-256 (the Attest-Signature header). */
  signature: string;
  /** Size of the signed PDF in bytes. */
  bytes: number;
  pages: number;
  events: number;
  citation: Citation;
}

/** Model-version audit packs: the PDF with its evidence, and the evidence bundle alone. */
@Injectable()
export class AuditPackService {
  constructor(
    private readonly reader: AuditPackContentReader,
    private readonly evidence: EvidenceBuilder,
    private readonly db: DataSource,
    @Inject(EVENT_LOG) private readonly eventLog: EventLog,
    @Inject(SIGNING_KEY) private readonly key: SigningKey,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly pdfSigner: PdfSigner,
    private readonly writer: StreamWriter,
  ) {}

  /** What the pack shows and the events it cites, under a checkpoint that holds them all. */
  async prepare(
    name: string,
    version: string,
  ): Promise<{ content: AuditPackContent; citation: Citation }> {
    const content = await this.reader.read(name, version);
    const citation = await this.evidence.cite(content.citedStreams, (leaves) =>
      this.onlyThisVersion(content, leaves),
    );
    return { content, citation };
  }

  /**
   * Writes the PDF to a temporary file (memory stays flat however many events it cites), signs
   * it in place (PdfSigner: the embedded PAdES signature), then signs the signed file's hash,
   * keeps its evidence bundle and records AuditPackIssued: a pack is handed out only once the
   * ledger holds that it was.
   */
  async generate(
    name: string,
    version: string,
    issuer: { actor: Actor; correlationId: string },
    signing: DocumentSigning,
  ): Promise<GeneratedPack> {
    const generatedBy = issuer.actor.sub;
    const { content, citation } = await this.prepare(name, version);
    const directory = await mkdtemp(join(tmpdir(), 'attest-pack-'));
    const path = join(directory, 'audit-pack.pdf');
    // pdfkit writes many tiny chunks; passing each to the file was most of the time spent.
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const batching = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        pending.push(chunk);
        pendingBytes += chunk.length;
        if (pendingBytes < 256 * 1024) return callback();
        const block = Buffer.concat(pending);
        pending = [];
        pendingBytes = 0;
        callback(null, block);
      },
      flush(callback) {
        callback(null, pendingBytes > 0 ? Buffer.concat(pending) : undefined);
      },
    });
    const file = createWriteStream(path);
    batching.pipe(file);
    const written = new Promise<void>((resolve, reject) => {
      file.on('finish', resolve);
      file.on('error', reject);
    });
    try {
      const generatedAt = this.clock();
      const { pages, events, bundle } = await writeAuditPack(
        batching,
        content,
        citation,
        this.evidence,
        { generatedAt, generatedBy, signing },
      );
      await written;
      const handle = await open(path, 'r+');
      const { sha256, bytes } = await this.pdfSigner
        .signFile(handle)
        .then(async (digest) => ({ sha256: digest, bytes: (await handle.stat()).size }))
        .finally(() => handle.close());
      const signature = await signPdfDigest(sha256, {
        privateKey: this.key.privateKey,
        kid: this.key.publicJwk.kid,
      });
      const packId = uuidv7();
      await this.db.query(
        `INSERT INTO audit_pack_bundles (pack_id, model, version, generated_at, generated_by, sha256,
                                  signature, tree_size, cited_events, bundle)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [
          packId,
          name,
          version,
          generatedAt,
          generatedBy,
          sha256,
          signature,
          citation.checkpoint.treeSize,
          events,
          bundle,
        ],
      );
      await this.recordIssue(issuer, {
        packId,
        model: name,
        version,
        sha256,
        bytes,
        citedEvents: events,
        treeSize: citation.checkpoint.treeSize,
        issuedBy: generatedBy,
        issuedAt: generatedAt.toISOString(),
      });
      return { packId, path, directory, sha256, signature, bytes, pages, events, citation };
    } catch (error) {
      // A pack refused half-way (an integrity violation, a lost database) leaves no file behind.
      batching.destroy();
      file.destroy();
      await rm(directory, { recursive: true, force: true });
      throw error;
    }
  }

  /**
   * The evidence bundle of a pack handed out earlier, with that PDF's SHA-256 and signature in
   * it; undefined when no such pack of this model version exists.
   */
  async issuedBundle(name: string, version: string, packId: string): Promise<string | undefined> {
    const [row] = (await this.db.query(
      'SELECT sha256, signature, bundle FROM audit_pack_bundles WHERE pack_id = $1 AND model = $2 AND version = $3',
      [packId, name, version],
    )) as { sha256: string; signature: string; bundle: Buffer }[];
    if (!row) return undefined;
    const text = inflateSync(row.bundle).toString('utf8');
    // The bundle is one JSON object: the pdf member goes first.
    return `{"pdf":${JSON.stringify({ sha256: row.sha256, signature: row.signature })},${text.slice(1)}`;
  }

  /** Appends AuditPackIssued to the model's audit-pack stream (command, decider, stream writer). */
  private async recordIssue(
    issuer: { actor: Actor; correlationId: string },
    data: AuditPackIssued['data'],
  ): Promise<void> {
    const context: CommandContext = {
      actor: { sub: issuer.actor.sub, roles: [...issuer.actor.roles] },
      now: data.issuedAt,
      correlationId: issuer.correlationId,
      commandId: uuidv7(),
    };
    await this.writer.execute(
      streams.auditPacks(data.model),
      auditPackDecider,
      { type: 'IssueAuditPack', data },
      context,
    );
  }

  /**
   * Shared streams (the model's, each dataset's) hold other versions' events too: only those
   * about this version and its dataset versions are cited.
   */
  private async onlyThisVersion(content: AuditPackContent, leaves: LeafRow[]): Promise<LeafRow[]> {
    const scoped = new Set(content.versionScopedStreams);
    const shared = leaves.filter((leaf) => scoped.has(leaf.stream));
    const events = await this.eventLog.readEvents(
      shared.map((leaf) => ({ stream: leaf.stream, revision: BigInt(leaf.revision) })),
    );
    const datasets = new Set(content.datasets.map((d) => `dataset-${d.name}@${d.version}`));
    const modelStream = content.versionScopedStreams[0];
    const about = new Set(
      events
        .filter((event) => {
          const eventVersion = (event.data as { version?: unknown }).version;
          return event.stream === modelStream
            ? eventVersion === content.version.version
            : datasets.has(`${event.stream}@${String(eventVersion)}`);
        })
        .map((event) => event.id),
    );
    return leaves.filter((leaf) => !scoped.has(leaf.stream) || about.has(leaf.eventId));
  }
}

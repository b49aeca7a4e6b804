import { Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsUUID, Min } from 'class-validator';
import { DataSource } from 'typeorm';
import { Allow, AllowEveryRole } from '../auth/access.decorators';
import { NotRecorded } from '../ledger/commands/rule-errors';
import { ApiProblems } from '../ledger/http/api-problems.decorator';
import { ApiRead } from '../ledger/http/api-read.decorator';
import { InvalidRequest } from '../ledger/ledger.errors';
import { EVENT_LOG, type EventLog } from '../ledger/event-log.port';
import { CheckpointSigner, type SignedCheckpoint } from './checkpoint-signer';
import { IntegrityTree, type LeafRow } from './integrity-tree';
import { IntegrityViolation } from './integrity-violation';
import {
  CheckpointView,
  ConsistencyProofView,
  InclusionProofView,
  SignedCheckpointResult,
} from './integrity.views';
import { type Hash, leafHash, verifyConsistency, verifyInclusion } from './merkle';

class EventPath {
  @ApiProperty({ format: 'uuid', description: 'The id of a recorded event' })
  @IsUUID('all', { message: 'eventId must be an event id (a UUID)' })
  eventId!: string;
}

class InclusionRequest {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    description:
      'The tree to prove inclusion in. Omitted: the latest signed checkpoint if it holds the event, else the tree as built so far',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'treeSize must be a whole number' })
  @Min(1)
  treeSize?: number;
}

class ConsistencyRequest {
  @ApiProperty({ type: 'integer', minimum: 1, description: 'The older tree size' })
  @Type(() => Number)
  @IsInt({ message: 'from must be a whole number' })
  @Min(1)
  from!: number;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    description: 'The newer tree size (omitted: the latest signed checkpoint)',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'to must be a whole number' })
  @Min(1)
  to?: number;
}

const view = (checkpoint: SignedCheckpoint): CheckpointView => ({
  logId: checkpoint.logId,
  treeSize: checkpoint.treeSize,
  rootHash: checkpoint.rootHash,
  timestamp: checkpoint.timestamp,
  keyId: checkpoint.keyId,
  jws: checkpoint.jws,
  eventId: checkpoint.eventId,
});

/** How a route documents the refusal to hand out a proof the stored tree cannot back. */
const INTEGRITY_VIOLATION = {
  status: 500,
  description:
    'integrity-violation: a stored node of the integrity log disagrees with the signed checkpoint, so the proof would fail offline; none is handed out (run ledger:verify)',
};

const refuse = (field: string, message: string): never => {
  throw new InvalidRequest(`invalid ${field}`, { [field]: [message] });
};

/** Signed checkpoints of the integrity log, and proofs against them (docs/design.md §5). */
@ApiTags('ledger')
@Controller('ledger')
export class IntegrityHttpController {
  private readonly tree: IntegrityTree;

  constructor(
    private readonly signer: CheckpointSigner,
    dataSource: DataSource,
    @Inject(EVENT_LOG) private readonly eventLog: EventLog,
  ) {
    this.tree = new IntegrityTree(dataSource);
  }

  @Get('checkpoints/latest')
  @AllowEveryRole()
  @ApiOperation({
    summary: 'The newest signed checkpoint of the integrity log (404 before the first)',
  })
  @ApiRead(404)
  @ApiResponse(INTEGRITY_VIOLATION)
  @ApiOkResponse({ type: CheckpointView })
  async latest(): Promise<CheckpointView> {
    const checkpoint = await this.signer.latest();
    if (!checkpoint) throw new NotRecorded('checkpoint', 'latest');
    await this.signer.verify(checkpoint);
    return view(checkpoint);
  }

  @Post('checkpoints')
  @HttpCode(201)
  @Allow('compliance-officer', 'admin')
  @ApiOperation({
    summary: 'Sign a checkpoint of the integrity log now, as built so far',
    description:
      'Returns the newest checkpoint if nothing was added since. Send the X-Ledger-Position of your last write as a GET first (or wait for it) to be sure the tree holds it. Recorded as LedgerCheckpointSigned.',
  })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'Retry-safe: the same key answers the first checkpoint again',
  })
  @ApiCreatedResponse({ type: SignedCheckpointResult })
  @ApiProblems(401, 403, 503)
  async sign(): Promise<SignedCheckpointResult> {
    const checkpoint = await this.signer.signNow();
    return {
      id: checkpoint.eventId,
      ledgerPosition: checkpoint.ledgerPosition ?? '',
      eventIds: checkpoint.ledgerPosition ? [checkpoint.eventId] : [],
      checkpoint: view(checkpoint),
    };
  }

  @Get('proofs/inclusion/:eventId')
  @AllowEveryRole()
  @ApiOperation({
    summary: 'That an event is in the integrity tree: its leaf, the audit path and the root',
    description:
      'The proof is verified before it is handed out: the leaf against the event as stored, the path against the signed root of the checkpoint it cites (its signature checked against the published keys), or against the root of the tree as built when no checkpoint was signed at that size. A stored node that fails is 500 integrity-violation, never a proof that would fail offline.',
  })
  @ApiRead(404)
  @ApiResponse(INTEGRITY_VIOLATION)
  @ApiOkResponse({ type: InclusionProofView })
  async inclusion(
    @Param() { eventId }: EventPath,
    @Query() request: InclusionRequest,
  ): Promise<InclusionProofView> {
    const leaf = await this.tree.leafOf(eventId);
    if (!leaf) throw new NotRecorded('event', eventId);
    const size = await this.tree.size();
    const latest = await this.signer.latest();
    const treeSize =
      request.treeSize ?? (latest && latest.treeSize > leaf.leafIndex ? latest.treeSize : size);
    if (treeSize <= leaf.leafIndex) {
      refuse('treeSize', `treeSize must be more than the event's leaf index ${leaf.leafIndex}`);
    }
    if (treeSize > size) refuse('treeSize', `the tree holds ${size} events so far`);
    const [proof, root, checkpoint] = await Promise.all([
      this.tree.inclusionProof(leaf.leafIndex, treeSize),
      this.tree.root(treeSize),
      this.checkpointOf(treeSize),
      this.sameAsStored(leaf),
    ]);
    const signedRoot = await this.signedRoot(treeSize, root, checkpoint);
    const leafInput = Buffer.from(leaf.eventHash, 'hex');
    if (!verifyInclusion(leaf.leafIndex, treeSize, leafHash(leafInput), proof, signedRoot)) {
      throw new IntegrityViolation(
        `the inclusion proof of leaf ${leaf.leafIndex} does not lead to the root of ${treeSize} events`,
        { table: 'integrity_subtrees', leafIndex: leaf.leafIndex, treeSize },
      );
    }
    return {
      eventId,
      stream: leaf.stream,
      revision: leaf.revision,
      eventHash: leaf.eventHash,
      leafIndex: leaf.leafIndex,
      leafHash: leafHash(Buffer.from(leaf.eventHash, 'hex')).toString('hex'),
      treeSize,
      rootHash: root.toString('hex'),
      proof: proof.map((hash) => hash.toString('hex')),
      checkpoint,
    };
  }

  @Get('proofs/consistency')
  @AllowEveryRole()
  @ApiOperation({
    summary:
      'That the tree of size `from` is a prefix of the tree of size `to`: nothing before was changed',
  })
  @ApiRead()
  @ApiResponse(INTEGRITY_VIOLATION)
  @ApiOkResponse({ type: ConsistencyProofView })
  async consistency(@Query() request: ConsistencyRequest): Promise<ConsistencyProofView> {
    const size = await this.tree.size();
    const to = request.to ?? (await this.signer.latest())?.treeSize ?? size;
    if (to > size) refuse('to', `the tree holds ${size} events so far`);
    if (request.from > to) refuse('from', `from must not be more than to (${to})`);
    const [proof, fromRoot, toRoot, fromCheckpoint, toCheckpoint] = await Promise.all([
      this.tree.consistencyProof(request.from, to),
      this.tree.root(request.from),
      this.tree.root(to),
      this.checkpointOf(request.from),
      this.checkpointOf(to),
    ]);
    const roots = await Promise.all([
      this.signedRoot(request.from, fromRoot, fromCheckpoint),
      this.signedRoot(to, toRoot, toCheckpoint),
    ]);
    if (!verifyConsistency(request.from, to, roots[0], roots[1], proof)) {
      throw new IntegrityViolation(
        `the consistency proof from ${request.from} to ${to} events does not hold`,
        { table: 'integrity_subtrees', from: request.from, to },
      );
    }
    return {
      from: request.from,
      to,
      fromRoot: fromRoot.toString('hex'),
      toRoot: toRoot.toString('hex'),
      proof: proof.map((hash) => hash.toString('hex')),
      fromCheckpoint,
      toCheckpoint,
    };
  }

  /**
   * The root a proof at this size must lead to: the checkpoint's, once its signature is checked,
   * which the root of the stored subtrees must equal; without a checkpoint, the stored root.
   */
  private async signedRoot(
    treeSize: number,
    stored: Hash,
    checkpoint: CheckpointView | null,
  ): Promise<Hash> {
    if (!checkpoint) return stored;
    await this.signer.verify(checkpoint);
    if (checkpoint.rootHash !== stored.toString('hex')) {
      throw new IntegrityViolation(
        `the stored tree of ${treeSize} events does not have the checkpoint's root`,
        { table: 'integrity_subtrees', treeSize },
      );
    }
    return Buffer.from(checkpoint.rootHash, 'hex');
  }

  /** The leaf row names the event at its place, with that event's hash. */
  private async sameAsStored(leaf: LeafRow): Promise<void> {
    const [event] = await this.eventLog.readEvents([
      { stream: leaf.stream, revision: BigInt(leaf.revision) },
    ]);
    if (event?.id !== leaf.eventId || event.metadata.integrity.hash !== leaf.eventHash) {
      throw new IntegrityViolation(`leaf ${leaf.leafIndex} does not name the event stored there`, {
        table: 'integrity_leaves',
        leafIndex: leaf.leafIndex,
      });
    }
  }

  private async checkpointOf(treeSize: number): Promise<CheckpointView | null> {
    const checkpoint = await this.signer.at(treeSize);
    return checkpoint ? view(checkpoint) : null;
  }
}

import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
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
import { CheckpointSigner, type SignedCheckpoint } from './checkpoint-signer';
import { IntegrityTree } from './integrity-tree';
import {
  CheckpointView,
  ConsistencyProofView,
  InclusionProofView,
  SignedCheckpointResult,
} from './integrity.views';
import { leafHash } from './merkle';

class EventPath {
  @IsUUID('all', { message: 'eventId must be an event id (a UUID)' }) eventId!: string;
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

const refuse = (field: string, message: string): never => {
  throw new InvalidRequest(`invalid ${field}`, { [field]: [message] });
};

/** Signed checkpoints of the integrity log, and proofs against them (DESIGN §5). */
@ApiTags('ledger')
@Controller('ledger')
export class IntegrityHttpController {
  private readonly tree: IntegrityTree;

  constructor(
    private readonly signer: CheckpointSigner,
    dataSource: DataSource,
  ) {
    this.tree = new IntegrityTree(dataSource);
  }

  @Get('checkpoints/latest')
  @AllowEveryRole()
  @ApiOperation({
    summary: 'The newest signed checkpoint of the integrity log (404 before the first)',
  })
  @ApiRead(404)
  @ApiOkResponse({ type: CheckpointView })
  async latest(): Promise<CheckpointView> {
    const checkpoint = await this.signer.latest();
    if (!checkpoint) throw new NotRecorded('checkpoint', 'latest');
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
  })
  @ApiRead(404)
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
    ]);
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

  private async checkpointOf(treeSize: number): Promise<CheckpointView | null> {
    const checkpoint = await this.signer.at(treeSize);
    return checkpoint ? view(checkpoint) : null;
  }
}

import { ApiProperty } from '@nestjs/swagger';
import { WriteResult } from '../ledger/commands/write-result';

const HEX = '9f2c5e0a7b1d4f3e8a6c2b0d9e7f1a3c5b8d0e2f4a6c8e0b2d4f6a8c0e2b4d6f';

export class CheckpointView {
  @ApiProperty({ example: 'attest', description: 'LEDGER_LOG_ID of the installation' })
  logId!: string;
  @ApiProperty({ example: 4096, description: 'How many events, in ledger order, the tree holds' })
  treeSize!: number;
  @ApiProperty({ example: HEX, description: 'RFC 9162 root hash of that tree, hex' })
  rootHash!: string;
  @ApiProperty({ format: 'date-time', example: '2026-11-02T09:00:00.000Z' })
  timestamp!: string;
  @ApiProperty({
    example: 'pS2nWQ0k2kRj7X7g2V8yq9mJp6b5Yb1o3Xk0eZr5w0s',
    description: 'Thumbprint (RFC 7638) of the key, as in /.well-known/jwks.json',
  })
  keyId!: string;
  @ApiProperty({
    description:
      'Compact JWS (EdDSA, typ attest-checkpoint+jws) over {logId, treeSize, rootHash, timestamp}: what a verifier checks',
    example:
      'eyJhbGciOiJFZERTQSIsImtpZCI6InBTMm4uLi4iLCJ0eXAiOiJhdHRlc3QtY2hlY2twb2ludCtqd3MifQ.eyJsb2dJZCI6ImF0dGVzdCJ9.c2lnbmF0dXJl',
  })
  jws!: string;
  @ApiProperty({ format: 'uuid', description: 'The LedgerCheckpointSigned event that records it' })
  eventId!: string;
}

export class SignedCheckpointResult extends WriteResult {
  @ApiProperty({ type: CheckpointView }) checkpoint!: CheckpointView;
}

export class InclusionProofView {
  @ApiProperty({ format: 'uuid' }) eventId!: string;
  @ApiProperty({ example: 'dataset-loans' }) stream!: string;
  @ApiProperty({ example: 0 }) revision!: number;
  @ApiProperty({ example: HEX, description: 'The event’s chain hash: the leaf input' })
  eventHash!: string;
  @ApiProperty({ example: 17, description: 'Its place in the tree (ledger order, from 0)' })
  leafIndex!: number;
  @ApiProperty({ example: HEX, description: 'SHA-256(0x00 || eventHash bytes)' })
  leafHash!: string;
  @ApiProperty({ example: 4096 }) treeSize!: number;
  @ApiProperty({ example: HEX }) rootHash!: string;
  @ApiProperty({ type: [String], example: [HEX], description: 'RFC 9162 audit path, hex' })
  proof!: string[];
  @ApiProperty({
    type: CheckpointView,
    nullable: true,
    description: 'The signed checkpoint of this tree size, if one was signed',
  })
  checkpoint!: CheckpointView | null;
}

export class ConsistencyProofView {
  @ApiProperty({ example: 1024 }) from!: number;
  @ApiProperty({ example: 4096 }) to!: number;
  @ApiProperty({ example: HEX }) fromRoot!: string;
  @ApiProperty({ example: HEX }) toRoot!: string;
  @ApiProperty({ type: [String], example: [HEX], description: 'RFC 9162 consistency proof, hex' })
  proof!: string[];
  @ApiProperty({ type: CheckpointView, nullable: true }) fromCheckpoint!: CheckpointView | null;
  @ApiProperty({ type: CheckpointView, nullable: true }) toCheckpoint!: CheckpointView | null;
}

export class JwksView {
  @ApiProperty({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    example: [
      {
        kty: 'OKP',
        crv: 'Ed25519',
        x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo',
        kid: 'pS2nWQ0k…',
        alg: 'EdDSA',
        use: 'sig',
      },
    ],
    description: 'Every key that ever signed a checkpoint, retired ones included',
  })
  keys!: object[];
}

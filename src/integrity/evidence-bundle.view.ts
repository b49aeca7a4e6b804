import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { JsonObject } from '../ledger/event-log.port';
import type { CitedEvent, EvidenceBundle } from './evidence-bundle';

/**
 * An evidence bundle (attest-evidence-bundle/1) as OpenAPI describes it: what GET
 * .../audit-pack?format=json and .../audit-packs/{packId}/evidence answer (README, Audit packs).
 * The shape is EvidenceBundle's (evidence-bundle.ts); the check at the end of this file fails the
 * build while a field the service sends is missing here.
 */

export class BundleSubjectView {
  @ApiProperty({ example: 'model-version' }) kind!: string;
  @ApiProperty({ example: 'credit-risk@1.4.0' }) id!: string;
  @ApiProperty({ example: 'Audit pack: credit-risk 1.4.0' }) title!: string;
}

export class BundleCheckpointView {
  @ApiProperty({ example: 'attest', description: 'LEDGER_LOG_ID of the installation' })
  logId!: string;
  @ApiProperty({ type: 'integer', minimum: 1, description: 'Events the signed tree holds' })
  treeSize!: number;
  @ApiProperty({ description: 'RFC 9162 root hash, hex' }) rootHash!: string;
  @ApiProperty({ format: 'date-time' }) timestamp!: string;
  @ApiProperty({ description: 'Thumbprint (RFC 7638) of the key that signed it' }) keyId!: string;
  @ApiProperty({
    description:
      'Compact JWS (typ attest-checkpoint+jws) over {logId, treeSize, rootHash, timestamp}',
  })
  jws!: string;
}

export class BundleJwkView {
  @ApiProperty({ example: 'OKP' }) kty!: string;
  @ApiPropertyOptional({ example: 'Ed25519' }) crv?: string;
  @ApiPropertyOptional({ description: 'Public key, base64url' }) x?: string;
  @ApiPropertyOptional({ description: 'Thumbprint (RFC 7638)' }) kid?: string;
  @ApiPropertyOptional({ example: 'EdDSA' }) alg?: string;
  @ApiPropertyOptional({ example: 'sig' }) use?: string;
}

export class BundleJwksView {
  @ApiProperty({
    type: [BundleJwkView],
    description: 'The keys as published when the bundle was made (a convenience copy)',
  })
  keys!: BundleJwkView[];
}

export class BundleActorView {
  @ApiProperty({ example: 'ci', description: 'Token subject' }) sub!: string;
  @ApiProperty({ type: [String], example: ['pipeline'] }) roles!: string[];
}

export class BundleIntegrityView {
  @ApiProperty({ description: 'The hash of the stream’s previous event (zeros for the first)' })
  prevHash!: string;
  @ApiProperty({ description: 'This event’s chain hash: the leaf input' }) hash!: string;
}

export class BundleEventMetadataView {
  @ApiProperty({ type: 'integer', minimum: 1 }) schemaVersion!: number;
  @ApiProperty({ format: 'date-time' }) occurredAt!: string;
  @ApiProperty({ type: BundleActorView }) actor!: BundleActorView;
  @ApiProperty({ format: 'uuid' }) correlationId!: string;
  @ApiProperty({ format: 'uuid' }) causationId!: string;
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'Where the command came from, as its caller stated it',
  })
  source?: JsonObject;
  @ApiProperty({ type: BundleIntegrityView }) integrity!: BundleIntegrityView;
}

export class CitedEventView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'model-credit-risk' }) stream!: string;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Its place in its stream, from 0' })
  revision!: number;
  @ApiProperty({ example: 'ModelVersionRegistered' }) type!: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'The event’s data as recorded: its shape is its type’s (GET /ledger/events)',
  })
  data!: JsonObject;
  @ApiProperty({
    type: BundleEventMetadataView,
    description: 'As recorded; further keys a caller recorded are kept as they were',
  })
  metadata!: BundleEventMetadataView;
  @ApiProperty({ format: 'date-time' }) recordedAt!: string;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Its place in the integrity tree' })
  leafIndex!: number;
  @ApiProperty({ type: [String], description: 'RFC 9162 audit path to the checkpoint’s root, hex' })
  proof!: string[];
}

export class PdfDigestView {
  @ApiProperty({ description: 'The PDF’s SHA-256, hex' }) sha256!: string;
  @ApiProperty({ description: 'Detached JWS (typ attest-pdf-digest+jws) over that digest' })
  signature!: string;
}

export class PdfSignerBindingView {
  @ApiProperty({ example: 'attest' }) logId!: string;
  @ApiProperty({ description: 'SHA-256 of the certificate that signs the PDF, hex' })
  certificateSha256!: string;
  @ApiProperty({ description: 'The checkpoint key’s JWS over {logId, certificateSha256}' })
  jws!: string;
}

export class EvidenceBundleView {
  @ApiProperty({ enum: ['attest-evidence-bundle/1'] }) format!: 'attest-evidence-bundle/1';
  @ApiProperty({ type: BundleSubjectView }) subject!: BundleSubjectView;
  @ApiProperty({ format: 'date-time' }) generatedAt!: string;
  @ApiProperty({ type: BundleCheckpointView, description: 'The checkpoint every proof leads to' })
  checkpoint!: BundleCheckpointView;
  @ApiProperty({ type: BundleJwksView }) jwks!: BundleJwksView;
  @ApiProperty({ type: [CitedEventView], description: 'Every cited event, in ledger order' })
  events!: CitedEventView[];
  @ApiPropertyOptional({
    type: PdfDigestView,
    description: 'In the bundle of a PDF handed out: the PDF’s digest and its signature',
  })
  pdf?: PdfDigestView;
  @ApiPropertyOptional({
    type: PdfSignerBindingView,
    description: 'In a PDF’s bundle: what vouches for the certificate of the PDF’s own signature',
  })
  pdfSigner?: PdfSignerBindingView;
}

/** The bundle of a PDF handed out earlier: always with the PDF's digest and signature. */
export class IssuedEvidenceBundleView extends EvidenceBundleView {
  @ApiProperty({
    type: PdfDigestView,
    required: true,
    description: 'The PDF’s digest and its signature',
  })
  override pdf!: PdfDigestView;
}

// The build fails while the service sends a field this view leaves out (of the metadata, the
// keys every event has; a caller's own keys are kept as recorded).
type Covers<View, Sent> = View extends Sent ? true : never;
type KnownMetadata = Pick<
  CitedEvent['metadata'],
  | 'schemaVersion'
  | 'occurredAt'
  | 'actor'
  | 'correlationId'
  | 'causationId'
  | 'source'
  | 'integrity'
>;
type SentBundle = Omit<EvidenceBundle, 'events'> & {
  events: (Omit<CitedEvent, 'metadata'> & { metadata: KnownMetadata })[];
};
const _viewCoversBundle: Covers<EvidenceBundleView, SentBundle> = true;

import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { FileHandle } from 'node:fs/promises';
import { CompactSign } from 'jose';
import { APP_CONFIG, type AppConfig, MEMORY_DATA_DIR } from '../config/app-config';
import { SIGNING_KEY } from './checkpoint-signer';
import { PDF_SIGNER_TYPE, type PdfSignerBinding } from './evidence-bundle';
import { type PdfSigningIdentity, signPdfBuffer, signPdfFile } from './pdf-signature';
import { openPdfSigningIdentity } from './pdf-signing-identity';
import { SIGNING_ALGORITHM, type SigningKey } from './signing-key';

/** How a document is signed once written, and where its reader gets the verifier and keys. */
export interface DocumentSigning {
  /** Bytes reserved for the embedded signature. */
  signatureBytes: number;
  /** What vouches for the signing certificate: carried in the evidence bundle. */
  pdfSigner: PdfSignerBinding;
  /** The service's address as its callers reach it, e.g. https://attest.example. */
  serviceUrl: string;
}

/**
 * Signs Attest's PDFs inside the file (README: Audit packs and the offline verifier), and vouches
 * for the certificate it signs with: a JWS by the checkpoint key over the certificate's SHA-256,
 * carried in each PDF's evidence, so a verifier who trusts the ledger's published keys trusts
 * that certificate too, self-signed or not. A configured or kept certificate is opened at start
 * (a bad one stops the service); with DATA_DIR=memory:// one is made on first use.
 */
@Injectable()
export class PdfSigner implements OnModuleInit {
  private loaded?: Promise<{ identity: PdfSigningIdentity; binding: PdfSignerBinding }>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(SIGNING_KEY) private readonly key: SigningKey,
  ) {}

  async onModuleInit(): Promise<void> {
    const { pdfSigning } = this.config.integrity;
    if (this.config.dataDir !== MEMORY_DATA_DIR || pdfSigning.certFile || pdfSigning.p12File) {
      await this.ready();
    }
  }

  /**
   * What a document written for this request is signed with: the placeholder's size, the
   * certificate's binding, and the address its cover names (PUBLIC_URL, else the request's).
   */
  async signing(request: FastifyRequest): Promise<DocumentSigning> {
    const { identity, binding } = await this.ready();
    const host = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(request.host)
      ? request.host
      : 'localhost';
    return {
      signatureBytes: identity.placeholderBytes,
      pdfSigner: binding,
      serviceUrl: this.config.integrity.publicUrl ?? `${request.protocol}://${host}`,
    };
  }

  /** Signs a written PDF in place; answers the signed file's SHA-256. */
  async signFile(handle: FileHandle): Promise<string> {
    return signPdfFile(handle, (await this.ready()).identity);
  }

  async signBuffer(pdf: Buffer): Promise<string> {
    return signPdfBuffer(pdf, (await this.ready()).identity);
  }

  private ready() {
    this.loaded ??= (async () => {
      const { pdfSigning, logId } = this.config.integrity;
      const identity = await openPdfSigningIdentity({
        ...pdfSigning,
        dataDir: this.config.dataDir,
        logId,
      });
      const payload = { logId, certificateSha256: identity.certificateSha256 };
      const jws = await new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
        .setProtectedHeader({
          alg: SIGNING_ALGORITHM,
          kid: this.key.publicJwk.kid,
          typ: PDF_SIGNER_TYPE,
        })
        .sign(this.key.privateKey);
      return { identity, binding: { ...payload, jws } };
    })();
    return this.loaded;
  }
}

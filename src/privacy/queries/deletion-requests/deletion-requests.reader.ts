import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** A deletion request, as other capabilities see it (no subject, no personal data). */
export interface DeletionRequestSummary {
  id: string;
  status: string;
  receivedOn: string;
  dueOn: string;
  fulfilledAt: string | null;
}

/**
 * The privacy capability's read interface over deletion_requests for other capabilities
 * (docs/architecture.md, "Boundaries"): they read the table here, never by SQL of their own.
 */
@Injectable()
export class DeletionRequestsReader {
  constructor(private readonly db: DataSource) {}

  /** Deletion requests whose assessment names this model version, by due date. */
  async namingModelVersion(model: string, version: string): Promise<DeletionRequestSummary[]> {
    const rows = (await this.db.query(
      // Days as text: pg would make each a Date at local midnight.
      `SELECT id, status, received_on::text AS received_on, due_on::text AS due_on, fulfilled_at
       FROM deletion_requests d WHERE affected -> 'models' @> $1::jsonb ORDER BY d.due_on, d.id`,
      [JSON.stringify([{ name: model, version }])],
    )) as {
      id: string;
      status: string;
      received_on: string;
      due_on: string;
      fulfilled_at: Date | null;
    }[];
    return rows.map((row) => ({
      id: row.id,
      status: row.status,
      receivedOn: row.received_on,
      dueOn: row.due_on,
      fulfilledAt: row.fulfilled_at?.toISOString() ?? null,
    }));
  }
}

import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { NotRecorded } from '../../../ledger/commands/rule-errors';
import { SIGNAL_COLUMNS } from '../signal.view';
import { AlertPage, type AlertSqlRow, type AlertView, alertView } from './alert.view';
import { ALERT_CURSOR, type ListAlertsRequest } from './list-alerts.request.dto';

const SELECT_ALERTS = `SELECT a.*, ${SIGNAL_COLUMNS}
  FROM alerts a LEFT JOIN monitoring_signals s ON s.event_id = a.cause_event_id`;

export class ListAlertsQuery extends Query<AlertPage> {
  constructor(readonly filters: Omit<ListAlertsRequest, 'limit'> & { limit: number }) {
    super();
  }
}

export class GetAlertQuery extends Query<AlertView> {
  constructor(readonly alertId: string) {
    super();
  }
}

@QueryHandler(ListAlertsQuery)
export class ListAlertsQueryHandler implements IQueryHandler<ListAlertsQuery, AlertPage> {
  constructor(private readonly db: DataSource) {}

  async execute({ filters }: ListAlertsQuery): Promise<AlertPage> {
    const where: string[] = [];
    const params: unknown[] = [];
    const bind = (value: unknown) => `$${params.push(value)}`;
    if (filters.status) where.push(`a.status = ${bind(filters.status)}`);
    if (filters.deployment) where.push(`a.deployment_id = ${bind(filters.deployment)}`);
    if (filters.severity) where.push(`a.severity = ${bind(filters.severity)}`);
    if (filters.kind) where.push(`a.kind = ${bind(filters.kind)}`);
    const cursor = filters.after === undefined ? null : ALERT_CURSOR.exec(filters.after);
    if (cursor) {
      where.push(
        `(a.raised_at, a.alert_id) < (${bind(cursor[1])}::timestamptz, ${bind(cursor[2])}::uuid)`,
      );
    }
    const rows = (await this.db.query(
      `${SELECT_ALERTS}
       ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY a.raised_at DESC, a.alert_id DESC
       LIMIT ${bind(filters.limit)}`,
      params,
    )) as AlertSqlRow[];
    const last = rows[rows.length - 1];
    return {
      items: rows.map(alertView),
      nextCursor:
        rows.length === filters.limit && last
          ? `${last.raised_at.toISOString()}_${last.alert_id}`
          : null,
    };
  }
}

@QueryHandler(GetAlertQuery)
export class GetAlertQueryHandler implements IQueryHandler<GetAlertQuery, AlertView> {
  constructor(private readonly db: DataSource) {}

  async execute({ alertId }: GetAlertQuery): Promise<AlertView> {
    const [row] = (await this.db.query(`${SELECT_ALERTS} WHERE a.alert_id = $1`, [
      alertId,
    ])) as AlertSqlRow[];
    if (!row) throw new NotRecorded('alert', alertId);
    return alertView(row);
  }
}

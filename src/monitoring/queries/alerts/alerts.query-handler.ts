import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { NotRecorded } from '../../../ledger/commands/rule-errors';
import { SIGNAL_COLUMNS } from '../signal.view';
import { AlertPage, type AlertSqlRow, type AlertView, alertView } from './alert.view';
import { pageSql, whereAll } from '../../../ledger/queries/paging/listing';
import { ALERT_LISTING, type ListAlertsRequest } from './list-alerts.request.dto';

const SELECT_ALERTS = `SELECT a.*, ${SIGNAL_COLUMNS}
  FROM alerts a LEFT JOIN monitoring_signals s ON s.event_id = a.cause_event_id`;

export class ListAlertsQuery extends Query<AlertPage> {
  constructor(readonly filters: ListAlertsRequest) {
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
    const page = await pageSql<AlertSqlRow>(
      ALERT_LISTING,
      filters,
      (sql, parameters) => this.db.query(sql, parameters),
      (bind, clauses) => {
        const where = [...clauses.where];
        if (filters.status) where.push(`a.status = ${bind(filters.status)}`);
        if (filters.deployment) where.push(`a.deployment_id = ${bind(filters.deployment)}`);
        if (filters.severity) where.push(`a.severity = ${bind(filters.severity)}`);
        if (filters.kind) where.push(`a.kind = ${bind(filters.kind)}`);
        return `${SELECT_ALERTS} ${whereAll(where)} ORDER BY ${clauses.orderBy} LIMIT ${clauses.limit}`;
      },
    );
    return { items: page.items.map(alertView), nextCursor: page.nextCursor };
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

import { automaticApprovalLabel } from '../../../approvals/automatic-approval';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { DecisionClass } from '../../../model-registry/model.events';
import { admGaps } from './adm-gaps';
import type {
  AdmApprovalView,
  AdmEnvironmentView,
  AdmRegisterEntryView,
  AdmRegisterView,
  ServingPeriodView,
} from './adm-register.view';
import {
  ADM_TRANSPARENCY_IN_FORCE_FROM,
  type ReportingPeriod,
  admTransparencyInForce,
} from './reporting-period';

/** The decision classes APP 1.7 reaches: the program makes, or substantially contributes to, decisions. */
export const ADM_DECISION_CLASSES: readonly DecisionClass[] = [
  'solely-automated',
  'substantially-assists',
];

export class AdmRegisterQuery extends Query<AdmRegisterView> {
  constructor(readonly period: ReportingPeriod) {
    super();
  }
}

type PeriodRow = {
  deployment_id: string;
  model: string;
  environment: string;
  version: string;
  started_as: 'full' | 'canary';
  served_from: Date;
  full_from: Date | null;
  approval_id: string | null;
  start_event_id: string;
  start_event_type: string;
  served_to: Date | null;
  end_event_id: string | null;
  end_event_type: string | null;
};

type CardRow = {
  model: string;
  version: string;
  decision_class: string;
  risk_tier: string;
  personal_information_kinds: string[];
  decisions: string;
  owner: string;
  vendor: string | null;
  event_id: string;
};

type ApprovalRow = {
  approval_id: string;
  model: string;
  version: string;
  environment: string;
  approved_at: Date;
  approvers: { stage: number; role: string; sub: string; at: string }[];
  automatic: boolean | null;
  passing_evaluation_id: string | null;
};

const key = (model: string, version: string) => `${model}@${version}`;
const iso = (time: Date) => time.toISOString();

/**
 * The APP 1.7 register for a period: serving periods from the compliance projection, each fact
 * of the version (card, approvals, evaluations, retirement) as recorded before the period ended.
 */
@QueryHandler(AdmRegisterQuery)
export class AdmRegisterQueryHandler implements IQueryHandler<AdmRegisterQuery, AdmRegisterView> {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async execute({ period }: AdmRegisterQuery): Promise<AdmRegisterView> {
    const { start, end } = period;
    const periods = (await this.dataSource.query(
      `SELECT deployment_id, model, environment, version, started_as, served_from, full_from,
              approval_id, start_event_id, start_event_type, served_to, end_event_id, end_event_type
       FROM compliance_serving_periods
       WHERE served_from < $2 AND (served_to IS NULL OR served_to > $1)
       ORDER BY model, version, environment, served_from, opened_revision`,
      [start, end],
    )) as PeriodRow[];
    const keys = [...new Map(periods.map((p) => [key(p.model, p.version), p])).values()];
    const models = keys.map((p) => p.model);
    const versions = keys.map((p) => p.version);
    const versionsIn = `JOIN unnest($1::text[], $2::text[]) AS k(model, version)
                          ON t.model = k.model AND t.version = k.version`;

    // The card as it stood at the end (model_card_history, kept for asOf): the newest change
    // before it, else the registration.
    const cards = (await this.dataSource.query(
      `SELECT DISTINCT ON (t.model, t.version) t.model, t.version,
              t.card->>'decisionClass' AS decision_class, t.card->>'riskTier' AS risk_tier,
              t.card->'personalInformationKinds' AS personal_information_kinds,
              t.card->>'decisions' AS decisions, t.card->>'owner' AS owner,
              t.card->>'vendor' AS vendor, t.event_id
       FROM model_card_history t ${versionsIn}
       ORDER BY t.model, t.version, (t.at < $3) DESC,
                CASE WHEN t.at < $3 THEN t.revision ELSE -t.revision END DESC`,
      [models, versions, end],
    )) as CardRow[];
    const inScope = new Map(
      cards
        .filter((card) => ADM_DECISION_CLASSES.includes(card.decision_class as DecisionClass))
        .map((card) => [key(card.model, card.version), card]),
    );
    if (inScope.size === 0) return this.register(period, []);

    const retired = (await this.dataSource.query(
      `SELECT t.model, t.version, t.retired_at FROM model_versions t ${versionsIn}
       WHERE t.retired_at < $3`,
      [models, versions, end],
    )) as { model: string; version: string; retired_at: Date }[];
    const evaluations = (await this.dataSource.query(
      `SELECT t.model, t.version, count(*)::int AS count,
              (count(*) FILTER (WHERE t.verdict = 'pass'))::int AS passing
       FROM model_evaluations t ${versionsIn}
       WHERE t.evaluated_at < $3
       GROUP BY t.model, t.version`,
      [models, versions, end],
    )) as { model: string; version: string; count: number; passing: number }[];
    const approvals = (await this.dataSource.query(
      `SELECT t.approval_id, t.model, t.version, t.environment, t.approved_at, t.approvers,
              a.automatic, a.passing_evaluation_id
       FROM model_version_approvals t
       LEFT JOIN approvals a ON a.id::text = t.approval_id::text ${versionsIn}
       WHERE t.approved_at < $3
       ORDER BY t.approved_at, t.approval_id`,
      [models, versions, end],
    )) as ApprovalRow[];

    const periodsOf = groupBy(periods);
    const approvalsOf = groupBy(approvals);
    const evaluationsOf = new Map(evaluations.map((e) => [key(e.model, e.version), e]));
    const retiredAtOf = new Map(retired.map((r) => [key(r.model, r.version), iso(r.retired_at)]));
    const entries = [...inScope.entries()].map(([id, card]): AdmRegisterEntryView => {
      const granted: AdmApprovalView[] = (approvalsOf.get(id) ?? []).map((a) => ({
        approvalId: a.approval_id,
        environment: a.environment,
        approvedAt: iso(a.approved_at),
        approvers: a.approvers.map(({ stage, role, sub, at }) => ({ stage, role, sub, at })),
        automatic: a.automatic === true,
        approvedBy:
          a.automatic === true
            ? automaticApprovalLabel(a.passing_evaluation_id)
            : a.approvers.map(({ sub }) => sub).join(', '),
      }));
      const evaluated = evaluationsOf.get(id);
      const evaluationSummary = { count: evaluated?.count ?? 0, passing: evaluated?.passing ?? 0 };
      const retiredAt = retiredAtOf.get(id) ?? null;
      const environments = this.environments(periodsOf.get(id) ?? [], period);
      return {
        model: card.model,
        version: card.version,
        decisionClass: card.decision_class,
        riskTier: card.risk_tier,
        personalInformationKinds: card.personal_information_kinds,
        decisions: card.decisions,
        owner: card.owner,
        vendor: card.vendor,
        cardEventId: card.event_id,
        retiredAt,
        environments,
        approvals: granted,
        evaluations: evaluationSummary,
        gaps: admGaps({
          personalInformationKinds: card.personal_information_kinds,
          periods: environments.flatMap((e) =>
            e.periods.map((p) => ({
              environment: e.environment,
              startedAt: p.startedAt,
              servedTo: p.servedTo,
              approvalId: p.approvalId,
            })),
          ),
          approvals: granted,
          evaluations: evaluationSummary,
          retiredAt,
        }),
      };
    });
    return this.register(period, entries);
  }

  private environments(rows: PeriodRow[], period: ReportingPeriod): AdmEnvironmentView[] {
    const byDeployment = new Map<string, AdmEnvironmentView>();
    for (const row of rows) {
      const environment = byDeployment.get(row.deployment_id) ?? {
        environment: row.environment,
        deploymentId: row.deployment_id,
        periods: [],
      };
      byDeployment.set(row.deployment_id, environment);
      environment.periods.push(servingPeriod(row, period));
    }
    return [...byDeployment.values()].sort((a, b) => a.environment.localeCompare(b.environment));
  }

  private register(period: ReportingPeriod, entries: AdmRegisterEntryView[]): AdmRegisterView {
    return {
      period: { ...period },
      obligation: {
        reference: 'Privacy Act 1988 APP 1.7–1.9 (automated decision-making)',
        inForceFrom: ADM_TRANSPARENCY_IN_FORCE_FROM,
        inForce: admTransparencyInForce(period.to),
      },
      entries,
    };
  }
}

/** Rows by `model@version`, in their order. */
function groupBy<Row extends { model: string; version: string }>(rows: Row[]): Map<string, Row[]> {
  const groups = new Map<string, Row[]>();
  for (const row of rows) {
    const id = key(row.model, row.version);
    const group = groups.get(id);
    if (group) group.push(row);
    else groups.set(id, [row]);
  }
  return groups;
}

/** A serving period clipped to the reporting period; nothing after its end is shown. */
function servingPeriod(row: PeriodRow, period: ReportingPeriod): ServingPeriodView {
  const startedAt = iso(row.served_from);
  const endedWithin = row.served_to !== null && iso(row.served_to) < period.end;
  const fullFrom = row.full_from && iso(row.full_from) < period.end ? iso(row.full_from) : null;
  return {
    servedFrom: startedAt < period.start ? period.start : startedAt,
    servedTo: endedWithin && row.served_to ? iso(row.served_to) : null,
    startedAt,
    startedAs: row.started_as,
    fullTrafficFrom: fullFrom,
    approvalId: row.approval_id,
    startedBy: { eventId: row.start_event_id, eventType: row.start_event_type },
    endedBy:
      endedWithin && row.end_event_id && row.end_event_type
        ? { eventId: row.end_event_id, eventType: row.end_event_type }
        : null,
  };
}

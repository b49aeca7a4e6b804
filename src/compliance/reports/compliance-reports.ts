import { Inject, Injectable } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import type { Citation } from '../../integrity/evidence-builder';
import { EvidenceBuilder } from '../../integrity/evidence-builder';
import { CLOCK, type Clock } from '../../ledger/clock';
import {
  type VersionStanding,
  standingKey,
  versionStandings,
} from '../../model-registry/queries/model-registry/version-standing';
import {
  type AccountedItem,
  type Affected,
  type AffectedItem,
  type StatedFulfilment,
  accountFor,
  affectedItems,
} from '../../privacy/deletion-accounting';
import { AdmRegisterQuery } from '../queries/adm-register/adm-register.query-handler';
import type { AdmRegisterView } from '../queries/adm-register/adm-register.view';
import type { ReportingPeriod } from '../queries/adm-register/reporting-period';
import { PersonalDataQuery } from '../queries/personal-data/personal-data.query-handler';
import type {
  PersonalDataPage,
  PersonalDataView,
} from '../queries/personal-data/personal-data.view';
import {
  type CoverageStatus,
  type MappedItem,
  type ReportDefinition,
  type ReportMappings,
  coverage,
  loadReportMappings,
} from './report-mappings';

export const REPORT_NAMES = ['asic-model-governance', 'oaic-privacy'] as const;
export type ReportName = (typeof REPORT_NAMES)[number];

/** Event types recorded too often to cite one by one: counted in the report, not listed. */
const COUNTED_ONLY = new Set([
  'PredictionBatchRecorded',
  'GroundTruthRecorded',
  'RegulatorAccessed',
  'PersonalDataAccessed',
  'LedgerCheckpointSigned',
]);

export interface EvidenceCount {
  eventType: string;
  count: number;
}

export interface MappedAnswer {
  id: string;
  text: string;
  practice?: string;
  evidence: EvidenceCount[];
  status: CoverageStatus;
}

interface ReportBase {
  report: ReportName;
  title: string;
  basis: string;
  sections: string[];
  period: { from: string; to: string };
  generatedAt: string;
  /** Set for a report on one model. */
  model: string | null;
  checkpoint: Citation['checkpoint'];
  citedEvents: number;
  obligations: MappedAnswer[];
  guardrails: MappedAnswer[];
}

export interface InventoryEntry {
  model: string;
  version: string;
  /**
   * The version's status at the end of the period (now, for a period not yet over), as the model
   * version view states it: deployed only while it serves; previously deployed when it served and
   * no longer does.
   */
  stage: 'in development' | 'approved' | 'deployed' | 'previously deployed' | 'retired';
  riskTier: string;
  decisionClass: string;
  owner: string;
  vendor: string | null;
  registeredAt: string;
  retiredAt: string | null;
  /** The environments it serves in at the end of the period. */
  environments: string[];
  /** Where it serves then: deployment, environment, role and share of traffic. */
  serving: { deploymentId: string; environment: string; role: string; percent: number }[];
  /** When it first served anywhere; null if never deployed by then. */
  firstDeployedAt: string | null;
  /** When it last stopped serving; null while it serves, or if never deployed. */
  lastServedUntil: string | null;
}

export interface AsicReport extends ReportBase {
  report: 'asic-model-governance';
  inventory: InventoryEntry[];
  accountability: {
    model: string;
    version: string;
    owner: string;
    approvals: {
      environment: string;
      status: string;
      /** Stage numbered from 0, as the approvals API numbers it. */
      approvers: { stage: number; role: string; sub: string; at: string }[];
      /** Approved with no stage (low risk) by a passing service-run evaluation: no approver. */
      automatic: boolean;
      /** The passing service-run evaluation the request relied on, if the policy required one. */
      evaluationId: string | null;
    }[];
  }[];
  fairness: {
    model: string;
    version: string;
    evaluations: number;
    fairnessChecks: number;
    fairnessFailed: number;
    explainability: string | null;
    consumerDisclosure: string | null;
    humanOversight: string | null;
  }[];
  thirdParty: { model: string; version: string; vendor: string }[];
  monitoring: {
    alerts: {
      deploymentId: string;
      severity: string;
      kind: string;
      summary: string;
      raisedAt: string;
      status: string;
    }[];
    breachedSignals: number;
    rollbacks: {
      deploymentId: string;
      fromVersion: string | null;
      toVersion: string | null;
      reason: string | null;
      automatic: boolean | null;
      at: string;
    }[];
  };
  openFindings: {
    model: string;
    version: string | null;
    finding: string;
    /** For a version serving without a passing service-run evaluation: where it served. */
    environment?: string;
    /** What it lacks there: no service-run evaluation, only failed ones, or only the pipeline's. */
    serviceEvaluation?: ServiceEvaluationGap;
  }[];
}

export interface OaicReport extends ReportBase {
  report: 'oaic-privacy';
  personalInformation: {
    dataset: string;
    version: string;
    kinds: string[];
    sensitive: boolean;
    lawfulBasis: string | null;
    collectionNotice: string | null;
    purpose: string | null;
    retention: string | null;
    region: string;
    piaId: string | null;
    modelVersions: string[];
  }[];
  adm: {
    inForce: boolean;
    inForceFrom: string;
    entries: {
      model: string;
      version: string;
      decisionClass: string;
      personalInformationKinds: string[];
      decisions: string;
      environments: string[];
      gaps: string[];
    }[];
  };
  accessAndCorrection: { recorded: false; note: string };
  deletionRequests: {
    id: string;
    status: string;
    receivedOn: string;
    dueOn: string;
    overdue: boolean;
    daysLeft: number | null;
    affected: { datasetVersions: number; models: number; deployments: number } | null;
    fulfilledAt: string | null;
    exceptions: { item: string; reason: string; covers?: AffectedItem }[];
    /**
     * How each affected item of a fulfilled request was accounted for; `inferred` when the
     * fulfilment was recorded before it had to say, and this is read from what it did state.
     */
    accounting: (AccountedItem & { inferred: boolean })[];
    /** Affected items a fulfilled request left unaccounted for (history before the rule). */
    unaccounted: AffectedItem[];
    /** Set when a fulfilled request left items unaccounted for. */
    warning: string | null;
  }[];
  breaches: { recorded: false; note: string };
}

export type ComplianceReport = AsicReport | OaicReport;

const DAY = 86_400_000;

/**
 * The ASIC model-governance and OAIC privacy reports (reports/README.md), from the read models,
 * with each obligation and guardrail rated by the evidence the ledger holds for the period, and
 * the events they state cited under a signed checkpoint.
 */
@Injectable()
export class ComplianceReports {
  private readonly mappings: ReportMappings = loadReportMappings();

  constructor(
    private readonly db: DataSource,
    private readonly queries: QueryBus,
    private readonly evidence: EvidenceBuilder,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async build(
    name: ReportName,
    period: ReportingPeriod,
    model: string | null,
  ): Promise<{ report: ComplianceReport; citation: Citation }> {
    const definition = name === 'asic-model-governance' ? this.mappings.asic : this.mappings.oaic;
    const counts = await this.evidence.countsByType(period.start, period.end);
    const cited = [
      ...new Set(
        [...definition.obligations, ...this.mappings.guardrails.items].flatMap((i) => i.evidence),
      ),
    ].filter((type) => !COUNTED_ONLY.has(type));
    const citation = await this.evidence.citeTypes(cited, period.start, period.end);
    const base = {
      title: definition.title,
      basis: definition.basis,
      sections: definition.sections,
      period: { from: period.from, to: period.to },
      generatedAt: this.clock().toISOString(),
      model,
      checkpoint: citation.checkpoint,
      citedEvents: citation.leaves.length,
      obligations: answers(definition, counts),
      guardrails: this.mappings.guardrails.items.map((item) => answer(item, counts)),
    };
    const report: ComplianceReport =
      name === 'asic-model-governance'
        ? { ...base, report: name, ...(await this.asic(period, model)) }
        : { ...base, report: name, ...(await this.oaic(period, model)) };
    return { report, citation };
  }

  private async asic(period: ReportingPeriod, model: string | null) {
    const versions = (await this.db.query(
      `SELECT v.model, v.version, v.risk_tier, v.decision_class, v.owner, v.vendor, v.explainability,
              v.human_oversight, v.consumer_disclosure, v.registered_at, v.retired_at,
              (SELECT count(*) FROM model_evaluations e WHERE e.model = v.model AND e.version = v.version AND e.evaluated_at < $1)::int AS evaluations,
              (SELECT count(*) FROM model_evaluations e WHERE e.model = v.model AND e.version = v.version AND e.evaluated_at < $1 AND e.verdict = 'pass')::int AS passing,
              (SELECT coalesce(sum(jsonb_array_length(e.fairness)), 0) FROM model_evaluations e WHERE e.model = v.model AND e.version = v.version AND e.evaluated_at < $1)::int AS fairness_checks,
              (SELECT count(*) FROM model_evaluations e, jsonb_array_elements(e.fairness) f WHERE e.model = v.model AND e.version = v.version AND e.evaluated_at < $1 AND (f->>'passed')::boolean = false)::int AS fairness_failed
       FROM model_versions v
       WHERE v.registered_at < $1 AND ($2::text IS NULL OR v.model = $2)
       ORDER BY v.model, v.registered_at, v.version`,
      [period.end, model],
    )) as VersionRow[];
    // Status and serving at the end of the period, from the same derivation as every view of a
    // version; a period not yet over is read as things stand now.
    const endsLater = Date.parse(period.end) > this.clock().getTime();
    const { versions: standings } = await versionStandings(
      this.db,
      model === null ? null : [model],
      endsLater ? null : new Date(Date.parse(period.end) - 1),
    );
    const standing = (v: VersionRow) => standings.get(standingKey(v.model, v.version));
    const inventory: InventoryEntry[] = versions.map((v) => ({
      model: v.model,
      version: v.version,
      stage: inventoryStage(standing(v)),
      riskTier: v.risk_tier,
      decisionClass: v.decision_class,
      owner: v.owner,
      vendor: v.vendor,
      registeredAt: v.registered_at.toISOString(),
      retiredAt: v.retired_at?.toISOString() ?? null,
      environments: [...new Set(standing(v)?.serving.map((s) => s.environment) ?? [])].sort(),
      serving: (standing(v)?.serving ?? []).map(({ deploymentId, environment, role, percent }) => ({
        deploymentId,
        environment,
        role,
        percent,
      })),
      firstDeployedAt: standing(v)?.firstDeployedAt ?? null,
      lastServedUntil: standing(v)?.lastServedUntil ?? null,
    }));
    const approvals = (await this.db.query(
      `SELECT model, version, environment, status, stages, automatic, passing_evaluation_id
       FROM approvals
       WHERE requested_at < $1 AND ($2::text IS NULL OR model = $2)
       ORDER BY model, version, requested_at`,
      [period.end, model],
    )) as {
      model: string;
      version: string;
      environment: string;
      status: string;
      stages: {
        stage?: number;
        role: string;
        status: string;
        by: string | null;
        at: string | null;
      }[];
      automatic: boolean;
      passing_evaluation_id: string | null;
    }[];
    const alerts = (await this.db.query(
      `SELECT deployment_id, severity, kind, summary, raised_at, status FROM alerts
       WHERE raised_at >= $1 AND raised_at < $2 AND ($3::text IS NULL OR model = $3)
       ORDER BY raised_at, alert_id`,
      [period.start, period.end, model],
    )) as {
      deployment_id: string;
      severity: string;
      kind: string;
      summary: string;
      raised_at: Date;
      status: string;
    }[];
    const [breaches] = (await this.db.query(
      `SELECT count(*)::int AS n FROM monitoring_signals
       WHERE breached AND window_to >= $1 AND window_to < $2 AND ($3::text IS NULL OR model = $3)`,
      [period.start, period.end, model],
    )) as { n: number }[];
    const rollbacks = (await this.db.query(
      `SELECT deployment_id, from_version, to_version, reason, automatic, at FROM deployment_history
       WHERE event_type = 'DeploymentRolledBack' AND at >= $1 AND at < $2
         AND ($3::text IS NULL OR deployment_id LIKE $3 || '.%')
       ORDER BY at, deployment_id`,
      [period.start, period.end, model],
    )) as {
      deployment_id: string;
      from_version: string | null;
      to_version: string | null;
      reason: string | null;
      automatic: boolean | null;
      at: Date;
    }[];

    const evaluations = (await this.db.query(
      `SELECT model, version, performed_by AS "performedBy", service->>'environment' AS environment,
              coalesce((service->'verdict'->>'passed')::boolean, false) AS passed
       FROM model_evaluations WHERE evaluated_at < $1 AND ($2::text IS NULL OR model = $2)`,
      [period.end, model],
    )) as ServiceEvaluationRow[];

    const findings: AsicReport['openFindings'] = [];
    for (const v of versions) {
      for (const environment of servedIn(standing(v), period)) {
        const missing = serviceEvaluationGap(
          evaluations.filter((e) => e.model === v.model && e.version === v.version),
          environment,
        );
        if (missing)
          findings.push({
            model: v.model,
            version: v.version,
            finding: `deployed in ${environment} without a passing evaluation computed by Attest: ${GAP_TEXT[missing]}`,
            environment,
            serviceEvaluation: missing,
          });
      }
      if (standing(v)?.status !== 'deployed') continue;
      if (v.passing === 0)
        findings.push({
          model: v.model,
          version: v.version,
          finding: 'deployed without a passing evaluation',
        });
      if (!standing(v)?.approved)
        findings.push({
          model: v.model,
          version: v.version,
          finding: 'deployed without a granted approval',
        });
      if (v.fairness_checks === 0)
        findings.push({
          model: v.model,
          version: v.version,
          finding: 'no fairness assessment recorded',
        });
      if (v.fairness_failed > 0)
        findings.push({
          model: v.model,
          version: v.version,
          finding: `${v.fairness_failed} fairness check(s) failed`,
        });
      if (v.decision_class !== 'advisory' && !v.consumer_disclosure)
        findings.push({
          model: v.model,
          version: v.version,
          finding: 'decides about consumers with no consumer disclosure recorded',
        });
      if (v.decision_class !== 'advisory' && !v.human_oversight)
        findings.push({
          model: v.model,
          version: v.version,
          finding: 'no human-oversight mode recorded',
        });
    }
    for (const a of alerts.filter((alert) => alert.status === 'open')) {
      findings.push({
        model: a.deployment_id.slice(0, a.deployment_id.lastIndexOf('.')),
        version: null,
        finding: `open ${a.severity} ${a.kind} alert on ${a.deployment_id}: ${a.summary}`,
      });
    }
    return {
      inventory,
      accountability: versions.map((v) => ({
        model: v.model,
        version: v.version,
        owner: v.owner,
        approvals: approvals
          .filter((a) => a.model === v.model && a.version === v.version)
          .map((a) => ({
            environment: a.environment,
            status: a.status,
            approvers: a.stages
              .map((s, i) => ({ ...s, stage: s.stage ?? i }))
              .filter((s) => s.status === 'granted' && s.by && s.at)
              .map((s) => ({
                stage: s.stage,
                role: s.role,
                sub: s.by as string,
                at: s.at as string,
              })),
            automatic: a.automatic,
            evaluationId: a.passing_evaluation_id,
          })),
      })),
      fairness: versions.map((v) => ({
        model: v.model,
        version: v.version,
        evaluations: v.evaluations,
        fairnessChecks: v.fairness_checks,
        fairnessFailed: v.fairness_failed,
        explainability: v.explainability,
        consumerDisclosure: v.consumer_disclosure,
        humanOversight: v.human_oversight,
      })),
      thirdParty: versions
        .filter((v) => v.vendor)
        .map((v) => ({ model: v.model, version: v.version, vendor: v.vendor as string })),
      monitoring: {
        alerts: alerts.map((a) => ({
          deploymentId: a.deployment_id,
          severity: a.severity,
          kind: a.kind,
          summary: a.summary,
          raisedAt: a.raised_at.toISOString(),
          status: a.status,
        })),
        breachedSignals: breaches?.n ?? 0,
        rollbacks: rollbacks.map((r) => ({
          deploymentId: r.deployment_id,
          fromVersion: r.from_version,
          toVersion: r.to_version,
          reason: r.reason,
          automatic: r.automatic,
          at: r.at.toISOString(),
        })),
      },
      openFindings: findings,
    };
  }

  private async oaic(period: ReportingPeriod, model: string | null) {
    const datasets: PersonalDataView[] = [];
    let after: string | undefined;
    do {
      const page: PersonalDataPage = await this.queries.execute(
        new PersonalDataQuery({}, { after, limit: 500 }),
      );
      datasets.push(...page.items);
      after = page.nextCursor ?? undefined;
    } while (after);
    const inScope = datasets.filter(
      (d) =>
        d.registeredAt < period.end && (!model || d.modelVersions.some((m) => m.model === model)),
    );
    const adm: AdmRegisterView = await this.queries.execute(new AdmRegisterQuery(period));
    const today = this.clock().toISOString().slice(0, 10);
    const requests = (await this.db.query(
      `SELECT id, status, received_on::text AS received_on, due_on::text AS due_on, affected, fulfilment, fulfilled_at
       FROM deletion_requests
       WHERE received_on <= $2::date AND (status <> 'fulfilled' OR fulfilled_at >= $1)
         AND ($3::text IS NULL OR affected -> 'models' @> jsonb_build_array(jsonb_build_object('name', $3::text)))
       ORDER BY due_on, id`,
      [period.start, period.to, model],
    )) as {
      id: string;
      status: string;
      received_on: string;
      due_on: string;
      affected: Affected | null;
      fulfilment: (StatedFulfilment & { accountedFor?: AccountedItem[] }) | null;
      fulfilled_at: Date | null;
    }[];
    return {
      personalInformation: inScope.map((d) => ({
        dataset: d.name,
        version: d.version,
        kinds: d.kinds,
        sensitive: d.sensitive,
        lawfulBasis: d.lawfulBasis,
        collectionNotice: d.collectionNotice,
        purpose: d.purpose,
        retention: d.retention,
        region: d.region,
        piaId: d.piaId,
        modelVersions: d.modelVersions.map((m) => `${m.model}@${m.version}`),
      })),
      adm: {
        inForce: adm.obligation.inForce,
        inForceFrom: adm.obligation.inForceFrom,
        entries: adm.entries
          .filter((e) => !model || e.model === model)
          .map((e) => ({
            model: e.model,
            version: e.version,
            decisionClass: e.decisionClass,
            personalInformationKinds: e.personalInformationKinds,
            decisions: e.decisions,
            environments: e.environments.map((env) => env.environment),
            gaps: e.gaps.map((g) => g.code),
          })),
      },
      accessAndCorrection: {
        recorded: false as const,
        note: 'Attest records no access or correction requests (APP 12, 13): they are handled outside the ledger, so this report cannot evidence their timeliness.',
      },
      deletionRequests: requests.map((r) => {
        const open = r.status !== 'fulfilled';
        const daysLeft = open ? Math.round((Date.parse(r.due_on) - Date.parse(today)) / DAY) : null;
        return {
          id: r.id,
          status: r.status,
          receivedOn: r.received_on,
          dueOn: r.due_on,
          overdue: open && r.due_on < today,
          daysLeft,
          affected: r.affected
            ? {
                datasetVersions: r.affected.datasetVersions.length,
                models: r.affected.models.length,
                deployments: r.affected.deployments.length,
              }
            : null,
          fulfilledAt: r.fulfilled_at?.toISOString() ?? null,
          exceptions: r.fulfilment?.exceptions ?? [],
          ...deletionAccounting(r.status, r.affected, r.fulfilment),
        };
      }),
      breaches: {
        recorded: false as const,
        note: 'Attest records no data breaches (NDB scheme): assessments and notifications are kept outside the ledger.',
      },
    };
  }
}

type VersionRow = {
  model: string;
  version: string;
  risk_tier: string;
  decision_class: string;
  owner: string;
  vendor: string | null;
  explainability: string | null;
  human_oversight: string | null;
  consumer_disclosure: string | null;
  registered_at: Date;
  retired_at: Date | null;
  evaluations: number;
  passing: number;
  fairness_checks: number;
  fairness_failed: number;
};

type ServiceEvaluationRow = {
  model: string;
  version: string;
  performedBy: 'pipeline' | 'attest';
  environment: string | null;
  passed: boolean;
};

/** Why a version that served in an environment has no passing service-run evaluation for it. */
export const SERVICE_EVALUATION_GAPS = ['none', 'failed', 'pipeline-only'] as const;
export type ServiceEvaluationGap = (typeof SERVICE_EVALUATION_GAPS)[number];

const GAP_TEXT: Record<ServiceEvaluationGap, string> = {
  none: 'none recorded',
  failed: 'every one run for this environment did not pass',
  'pipeline-only': 'only evaluations posted by the pipeline',
};

/**
 * The environments a version served in at some moment of the period: each spell of its
 * deployment history that began before the period ended and had not ended before it began.
 */
function servedIn(standing: VersionStanding | undefined, period: ReportingPeriod): string[] {
  const start = Date.parse(period.start);
  const end = Date.parse(period.end);
  const environments = (standing?.deploymentHistory ?? [])
    .filter(
      (spell) =>
        Date.parse(spell.startedAt) < end &&
        (spell.endedAt === null || Date.parse(spell.endedAt) > start),
    )
    .map((spell) => spell.environment);
  return [...new Set(environments)].sort();
}

/**
 * What a version lacks in an environment (README, "Compliance reports"): null when Attest ran an
 * evaluation of it for that environment whose verdict passed; else `failed` when Attest ran one
 * for it; else `pipeline-only` when the pipeline posted evaluations (which name no environment);
 * else `none` (Attest's runs for other environments do not count here).
 */
export function serviceEvaluationGap(
  evaluations: readonly Pick<ServiceEvaluationRow, 'performedBy' | 'environment' | 'passed'>[],
  environment: string,
): ServiceEvaluationGap | null {
  const attest = evaluations.filter(
    (e) => e.performedBy === 'attest' && e.environment === environment,
  );
  if (attest.some((e) => e.passed)) return null;
  if (attest.length > 0) return 'failed';
  return evaluations.some((e) => e.performedBy !== 'attest') ? 'pipeline-only' : 'none';
}

/** The inventory's stage for a version's status; never-seen versions are in development. */
function inventoryStage(standing: VersionStanding | undefined): InventoryEntry['stage'] {
  if (!standing) return 'in development';
  if (standing.status === 'retired' || standing.status === 'deployed') return standing.status;
  if (standing.deploymentHistory.length > 0) return 'previously deployed';
  return standing.status === 'approved' ? 'approved' : 'in development';
}

/**
 * How a fulfilled request accounted for each affected item: as its fulfilment recorded, or, for
 * one recorded before every item had to be accounted for, as read from what it stated
 * (deletion-accounting.ts), with a warning naming what it left unaccounted.
 */
export function deletionAccounting(
  status: string,
  affected: Affected | null,
  fulfilment: (StatedFulfilment & { accountedFor?: AccountedItem[] }) | null,
): Pick<OaicReport['deletionRequests'][number], 'accounting' | 'unaccounted' | 'warning'> {
  if (status !== 'fulfilled' || !affected || !fulfilment) {
    return { accounting: [], unaccounted: [], warning: null };
  }
  const recorded = fulfilment.accountedFor;
  const { accounted, unaccounted } = recorded
    ? {
        accounted: recorded,
        unaccounted: affectedItems(affected).filter(
          (item) => !recorded.some((way) => way.kind === item.kind && way.id === item.id),
        ),
      }
    : accountFor(affected, fulfilment);
  const total = affectedItems(affected).length;
  return {
    accounting: accounted.map((way) => ({ ...way, inferred: !recorded })),
    unaccounted,
    warning:
      unaccounted.length === 0
        ? null
        : `fulfilled with ${unaccounted.length} of ${total} affected item(s) not accounted for by a replacement, a retraining or an exception (recorded before every item had to be): ${unaccounted.map((item) => `${item.kind} ${item.id}`).join(', ')}`,
  };
}

function answer(item: MappedItem, counts: ReadonlyMap<string, number>): MappedAnswer {
  return {
    id: item.id,
    text: item.text,
    ...(item.practice ? { practice: item.practice } : {}),
    evidence: item.evidence.map((eventType) => ({ eventType, count: counts.get(eventType) ?? 0 })),
    status: coverage(item, counts),
  };
}

function answers(
  definition: ReportDefinition,
  counts: ReadonlyMap<string, number>,
): MappedAnswer[] {
  return definition.obligations.map((item) => answer(item, counts));
}

import type { INestApplication } from '@nestjs/common';
import { appRoutes } from './app-routes';
import { REPORT_NAMES } from '../../src/compliance/reports/compliance-reports';

/**
 * The console's pages as the controllers declare them (README, "Console"), and concrete URLs
 * for them over a seeded history: what tests/bench/console.bench.ts times and
 * tests/e2e/console-queries.e2e-spec.ts counts the SQL statements of.
 */

/** A GET route under /console, e.g. /console/models/:name/versions/:version. */
export interface ConsoleRoute {
  path: string;
  controller: string;
  handler: string;
}

/**
 * Not pages: the stylesheet and scripts, and signing in and out (the dev sign-in form, the
 * identity provider's callback and the signed-out notice: no session, no data).
 */
const NOT_PAGES = [
  /^\/console\/assets(\/|$)/,
  /^\/console\/(sign-in|sign-out|signed-out|callback)$/,
];

/** Every GET route under /console the application serves, read from its controllers. */
export function consoleRoutes(app: INestApplication): ConsoleRoute[] {
  return appRoutes(app)
    .filter(
      (route) =>
        route.method === 'GET' &&
        route.path.startsWith('/console') &&
        !NOT_PAGES.some((pattern) => pattern.test(route.path)),
    )
    .map((route) => ({ path: route.path, controller: route.controller.name, handler: route.name }))
    .sort((a, b) => a.path.localeCompare(b.path));
}

/** The ids a seeded history gives the console's path parameters. */
export interface ConsoleIds {
  model: string;
  version: string;
  deployment: string;
  dataset: string;
  datasetVersion: string;
  approvalId: string;
  alertId: string;
  deletionRequestId: string;
  runId: string;
  evaluationRunId: string;
  receiptId: string;
  batchScoringJobId: string;
  eventId: string;
  packId: string;
  /** A prediction batch of `deployment`. */
  batchId?: string;
}

/** The ids of seedSampleHistory(test, tag)'s history (tests/support/sample-history.ts). */
export function sampleConsoleIds(
  ids: {
    runId: string;
    approvalId: string;
    alertId: string;
    deletionRequestId: string;
    evaluationRunId: string;
    receiptId: string;
    batchScoringJobId: string;
    datasetEventId: string;
    packId: string;
  },
  tag = '',
): ConsoleIds {
  return {
    model: `scorer${tag}`,
    version: '1.0.0',
    deployment: `scorer${tag}.staging`,
    dataset: `loans${tag}`,
    datasetVersion: 'v1',
    approvalId: ids.approvalId,
    alertId: ids.alertId,
    deletionRequestId: ids.deletionRequestId,
    runId: ids.runId,
    evaluationRunId: ids.evaluationRunId,
    receiptId: ids.receiptId,
    batchScoringJobId: ids.batchScoringJobId,
    eventId: ids.datasetEventId,
    packId: ids.packId,
  };
}

/** A path parameter the resolver has no value for: the caller must fail, not skip the page. */
export class UnresolvedParameter extends Error {}

/**
 * The values of one path parameter, from the segment before it (`models/:x` is a model) or,
 * failing that, from its name; `owner` is the collection a `versions` segment belongs to
 * (`datasets/:d/versions/:v` or `models/:m/versions/:v`). Compliance reports give one URL each.
 */
function valuesFor(param: string, before: string, owner: string, ids: ConsoleIds): string[] {
  const p = param.toLowerCase();
  const by = (value: string | undefined) => {
    if (value === undefined)
      throw new UnresolvedParameter(`no seeded value for :${param} after "${before}"`);
    return [value];
  };
  switch (before) {
    case 'models':
      return by(ids.model);
    case 'versions':
      return by(owner === 'datasets' ? ids.datasetVersion : ids.version);
    case 'deployments':
      return by(ids.deployment);
    case 'datasets':
      return by(ids.dataset);
    case 'approvals':
    case 'approval-requests':
      return by(ids.approvalId);
    case 'alerts':
      return by(ids.alertId);
    case 'deletion-requests':
      return by(ids.deletionRequestId);
    case 'training-runs':
      return by(ids.runId);
    case 'evaluation-runs':
      return by(ids.evaluationRunId);
    case 'receipts':
      return by(ids.receiptId);
    case 'batch-scoring':
    case 'jobs':
      return by(ids.batchScoringJobId);
    case 'events':
      return by(ids.eventId);
    case 'audit-packs':
    case 'packs':
      return by(ids.packId);
    case 'prediction-batches':
    case 'batches':
      return by(ids.batchId);
    case 'streams':
      return by(`dataset-${ids.dataset}`);
    case 'reports':
      return [...REPORT_NAMES];
  }
  if (/^(model|modelname|name)$/.test(p)) return by(ids.model);
  if (/^(version|modelversion)$/.test(p)) return by(ids.version);
  if (/^(deployment|deploymentid)$/.test(p)) return by(ids.deployment);
  if (/^approval(id)?$/.test(p)) return by(ids.approvalId);
  if (/^report(name)?$/.test(p)) return [...REPORT_NAMES];
  if (/^(deletion|deletionrequest|deletionrequestid)$/.test(p)) return by(ids.deletionRequestId);
  if (/^alert(id)?$/.test(p)) return by(ids.alertId);
  if (/^receipt(id)?$/.test(p)) return by(ids.receiptId);
  if (/^event(id)?$/.test(p)) return by(ids.eventId);
  if (/^stream$/.test(p)) return by(`dataset-${ids.dataset}`);
  throw new UnresolvedParameter(`no seeded value for :${param} after "${before}"`);
}

/**
 * Routes that answer a GET form: the query string each needs (without it they answer 400 naming
 * the fields). They redirect to the page asked for.
 */
const FORM_QUERIES: Record<string, (ids: ConsoleIds) => Record<string, string>> = {
  '/console/ledger/audit-pack': (ids) => ({ name: ids.model, version: ids.version }),
};

/** Whether a route is a GET form, answering a redirect (303) rather than a page. */
export function isFormRoute(path: string): boolean {
  return path in FORM_QUERIES;
}

/** Concrete URLs for a route over the seeded ids (several for /reports/:report); throws if none. */
export function concretePaths(path: string, ids: ConsoleIds): string[] {
  const form = FORM_QUERIES[path];
  const query = form ? `?${new URLSearchParams(form(ids)).toString()}` : '';
  return pathsOf(path, ids).map((url) => `${url}${query}`);
}

function pathsOf(path: string, ids: ConsoleIds): string[] {
  const segments = path.split('/');
  let urls = [''];
  segments.forEach((segment, i) => {
    if (i === 0) return;
    const match = /^:([A-Za-z0-9_]+)\??$/.exec(segment);
    const values = match
      ? valuesFor(match[1], segments[i - 1] ?? '', segments[i - 3] ?? '', ids).map(
          encodeURIComponent,
        )
      : [segment];
    if (segment.includes(':') && !match)
      throw new UnresolvedParameter(`a parameter inside "${segment}" of ${path}`);
    if (segment.includes('*')) throw new UnresolvedParameter(`a wildcard in ${path}`);
    urls = urls.flatMap((url) => values.map((value) => `${url}/${value}`));
  });
  return urls;
}

/**
 * The pages the console is meant to have (README, "Console"), as route patterns: those no
 * controller declares yet are reported as not built, never counted as passing.
 */
export const EXPECTED_PAGES: readonly string[] = [
  '/console',
  '/console/models/:name',
  '/console/models/:name/versions/:version',
  '/console/approvals',
  '/console/deployments',
  '/console/deployments/:id',
  '/console/compliance',
  '/console/compliance/reports/:report',
  '/console/compliance/deletion-requests',
  '/console/ledger',
  '/console/verify',
];

/** Whether a declared route stands for an expected page, whatever its parameters are called. */
export function samePattern(a: string, b: string): boolean {
  const shape = (p: string) => p.replace(/:[A-Za-z0-9_]+\??/g, ':');
  return shape(a) === shape(b);
}

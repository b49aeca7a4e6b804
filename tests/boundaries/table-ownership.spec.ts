import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * A capability reads another capability's data through that capability's read interface (a
 * query on the QueryBus or an exported *.reader.ts class), never by SQL of its own on the
 * other's tables (docs/architecture.md, "Boundaries"). dependency-cruiser checks the imports;
 * this spec checks the SQL it cannot see.
 */

const ROOT = join(__dirname, '..', '..');
const SRC = join(ROOT, 'src');

/** Tables written by a capability's own services rather than by a projection. */
const SERVICE_TABLES: Record<string, string> = {
  ledger_events: 'ledger',
  projection_checkpoints: 'ledger',
  projection_faults: 'ledger',
  idempotency_keys: 'ledger',
  evaluation_runs: 'evaluation',
  performance_checks: 'monitoring',
  /** The drift monitor's work queue, filled by the monitoring-checks projection. */
  monitoring_checks: 'monitoring',
  decision_receipts: 'receipts',
  receipt_batches: 'receipts',
  receipt_binnings: 'receipts',
  audit_pack_bundles: 'audit-pack',
  batch_scoring_jobs: 'serving',
  webhooks: 'webhooks',
  webhook_deliveries: 'webhooks',
  webhook_attempts: 'webhooks',
  compliance_model_cards: 'compliance',
};

/**
 * SQL on another capability's tables that is still there, by file: each is to be routed through
 * the owner's reader. The list only shrinks: a new entry fails below, and so does an entry whose
 * SQL is gone (remove it).
 */
const NOT_YET_ROUTED: Record<string, string[]> = {
  'src/approvals/queries/approval-inbox/approval-inbox.query-handler.ts': ['model_evaluations'],
  'src/compliance/queries/adm-register/adm-register.query-handler.ts': [
    'approvals',
    'model_card_history',
    'model_evaluations',
    'model_version_approvals',
    'model_versions',
  ],
  'src/compliance/queries/personal-data/personal-data.query-handler.ts': [
    'dataset_versions',
    'model_versions',
    'training_runs',
  ],
  'src/compliance/reports/compliance-reports.ts': [
    'alerts',
    'approvals',
    'deletion_requests',
    'deployment_history',
    'model_evaluations',
    'model_versions',
    'monitoring_signals',
  ],
  'src/datasets/dataset-retention-sweep.ts': ['model_versions'],
  'src/deployments/queries/deployments-as-of/deployments-as-of.query-handler.ts': [
    'approval_timeline',
    'model_versions',
  ],
  'src/retraining/retraining-cadence.ts': ['models', 'training_runs'],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !/\.(int-)?spec\.ts$/.test(entry.name) ? [path] : [];
  });
}

const capabilityOf = (file: string) => relative(SRC, file).split('/')[0];

/** Each projection's tables (`tables = ['a', 'b']`), owned by its capability. */
function projectionTables(): Record<string, string> {
  const owners: Record<string, string> = {};
  for (const file of sourceFiles(SRC).filter((f) => f.endsWith('.projection.ts'))) {
    const declared = /readonly tables(?::[^=]+)? = \[([^\]]*)\]/.exec(readFileSync(file, 'utf8'));
    for (const [, table] of (declared?.[1] ?? '').matchAll(/'([a-z_]+)'/g)) {
      owners[table] = capabilityOf(file);
    }
  }
  return owners;
}

function migratedTables(): string[] {
  const tables = new Set<string>();
  for (const file of readdirSync(join(ROOT, 'migrations'))) {
    const text = readFileSync(join(ROOT, 'migrations', file), 'utf8');
    for (const [, table] of text.matchAll(/CREATE TABLE (?:IF NOT EXISTS )?"?([a-z_]+)/g)) {
      tables.add(table);
    }
    for (const [, table] of text.matchAll(/ALTER TABLE "?[a-z_]+"? RENAME TO "?([a-z_]+)/g)) {
      tables.add(table);
    }
  }
  return [...tables];
}

describe('table ownership', () => {
  const owners = { ...SERVICE_TABLES, ...projectionTables() };

  it('knows the owner of every table the migrations create', () => {
    expect(migratedTables().filter((table) => !owners[table])).toEqual([]);
  });

  it('finds SQL on another capability’s tables only where it is listed as not yet routed', () => {
    const found: Record<string, string[]> = {};
    const sql = /\b(?:FROM|JOIN|INTO|UPDATE)\s+"?([a-z_]+)"?/gi;
    for (const file of sourceFiles(SRC)) {
      const capability = capabilityOf(file);
      const foreign = new Set<string>();
      for (const [, table] of readFileSync(file, 'utf8').matchAll(sql)) {
        const owner = owners[table];
        if (owner && owner !== capability) foreign.add(table);
      }
      if (foreign.size > 0) found[relative(ROOT, file)] = [...foreign].sort();
    }
    expect(found).toEqual(NOT_YET_ROUTED);
  });
});

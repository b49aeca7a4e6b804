/* global module */
/**
 * Attest's boundaries, checked by `npm run lint` (docs/architecture.md, "Boundaries").
 *
 * src/ holds the ledger core (src/ledger), shared configuration (src/config), and one folder
 * per capability (datasets, model-registry, approvals, …) with the surfaces on top (console,
 * cli). The rules below keep that shape: the core depends on nothing above it, folders do not
 * form cycles, and a capability's tables stay its own.
 */

/**
 * Every top-level folder of src/, lowest first. A folder may import only folders listed before
 * it, which rules out any cycle between folders (a cycle needs at least one import going up).
 * The order is a topological order of the imports as they are; when a new import goes against
 * it, move the folder if that makes no cycle, otherwise move the code (usually: the shared
 * thing belongs to the lower folder, or to the ledger core when no capability owns it).
 */
const FOLDER_ORDER = [
  // Foundation: no capability, no access rules, no integrity (docs/architecture.md, "Layers").
  'config',
  'ledger',
  // Platform every capability may use.
  'auth',
  'integrity',
  'access-log',
  'artifacts',
  // Capabilities, each above those it reads or sends commands to.
  'datasets',
  'deployments',
  'training-runs',
  'model-registry',
  'evaluation',
  'approvals',
  'predictions',
  'privacy',
  'serving',
  'receipts',
  'retraining',
  'monitoring',
  'lineage',
  'webhooks',
  // Read-side compositions over several capabilities.
  'audit-pack',
  'compliance',
  'ledger-api',
  // Surfaces.
  'health',
  'openapi',
  'console',
  'cli',
];

/**
 * A capability's events (`*.events.ts`) are its published language: any capability's
 * projections may read them, and an event may name another capability's identifiers. They are
 * left out of the folder order (they carry no behaviour), and only out of that rule.
 */
const EVENT_DECLARATIONS = '\\.events(\\.schema)?\\.ts$';

/**
 * Imports that go against the order today, each with what removes it. Keep this list short and
 * shrinking: a new entry needs a reason as good as these.
 */
const KNOWN_UPWARD_IMPORTS = [
  // The registry's ModelEvaluated payload (ServiceEvaluation, its schema and the policy verdict
  // it carries) is declared in src/evaluation; it belongs to the event's owner, model-registry.
  // Moving src/evaluation/service-evaluation{,.schema}.ts into src/model-registry removes these.
  '^src/model-registry/model\\.events\\.ts$',
  '^src/model-registry/queries/model-registry/(model-registry\\.query-handler|model-registry\\.read-model|model\\.view)\\.ts$',
];

const escape = (name) => name.replace(/[-.]/g, '\\$&');

const folderOrderRules = FOLDER_ORDER.slice(0, -1).map((folder, index) => ({
  name: `folder-order:${folder}`,
  comment:
    `src/${folder} may import only folders listed before it in FOLDER_ORDER ` +
    '(.dependency-cruiser.cjs): no cycles between folders.',
  severity: 'error',
  from: { path: `^src/${escape(folder)}/`, pathNot: KNOWN_UPWARD_IMPORTS },
  to: {
    path: `^src/(${FOLDER_ORDER.slice(index + 1)
      .map(escape)
      .join('|')})/`,
    pathNot: EVENT_DECLARATIONS,
  },
}));

module.exports = {
  forbidden: [
    {
      name: 'ledger-core-imports-no-capability',
      comment:
        'src/ledger is the foundation every capability builds on (event log, hash chains, ' +
        'command and projection machinery). It imports only itself and src/config: no ' +
        'capability, no auth, no integrity. What it needs from them it declares as an ' +
        "interface (BearerVerifier, the verifier's EventObserver) that they implement; its HTTP " +
        'endpoints live in src/ledger-api.',
      severity: 'error',
      from: { path: '^src/ledger/' },
      to: { path: '^src/', pathNot: '^src/(ledger|config)/' },
    },
    {
      name: 'src-never-imports-tests',
      comment:
        'Production code must build and run without the test tree: tests/ may import src/, ' +
        'never the other way round. Specs kept beside the code (*.spec.ts, *.int-spec.ts) are ' +
        'tests themselves and may use tests/support.',
      severity: 'error',
      from: { path: '^(src|migrations)/', pathNot: '\\.(int-)?spec\\.ts$' },
      to: { path: '^tests/' },
    },
    {
      name: 'tables-are-private',
      comment:
        "A capability's tables are its own: its projections (*.projection.ts) write them and " +
        'its read-model entities (*.read-model.ts) map them. Another capability reads that data ' +
        "through the owner's read interface (a query on the QueryBus, or an exported *.reader.ts " +
        'class), never by loading the entity or the projection itself. A type-only import of a ' +
        "read model as the shape of a query's answer is allowed.",
      severity: 'error',
      from: { path: '^src/([^/]+)/' },
      to: {
        path: '\\.(projection|read-model)\\.ts$',
        // The stream index is the ledger core's own read model; src/ledger-api is its HTTP side.
        pathNot: ['^src/$1/', '^src/ledger/stream-index/'],
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'no-module-cycle',
      comment:
        'Two modules that import each other at runtime (directly or through others) cannot be ' +
        'initialised one at a time: with runtime schemas, such a cycle can leave a schema ' +
        'undefined when it is first used. A cycle closed only by a type-only import is erased ' +
        'by the compiler and left to the folder order.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    ...folderOrderRules,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|var|coverage)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};

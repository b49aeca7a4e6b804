import { FEATURE_ORDER, logisticRegressionScore } from './onnx-models';

/**
 * A seeded synthetic credit dataset for evaluation tests and the benchmark. Each row's `default`
 * label is drawn from the fixture logistic regression's own probability (so that model is well
 * calibrated on it), `pipeline_score` is that probability as the training pipeline would have
 * recorded it, and one protected group — `age_band` `<25` — has its debt_ratio shifted up by
 * `disparityShift`, so its selection rate at threshold 0.5 differs clearly from the others.
 */

export const AGE_BANDS = ['<25', '25-34', '35-64', '65+'] as const;
export type AgeBand = (typeof AGE_BANDS)[number];
export const SEXES = ['F', 'M'] as const;

export const CREDIT_COLUMNS = [
  ...FEATURE_ORDER,
  'age_band',
  'sex',
  'default',
  'pipeline_score',
] as const;

export type CreditRow = {
  income: number;
  debt_ratio: number;
  age: number;
  credit_history_months: number;
  age_band: AgeBand;
  sex: (typeof SEXES)[number];
  default: 0 | 1;
  pipeline_score: number;
};

export type CreditDatasetOptions = {
  seed: number;
  rows: number;
  /** Added to the `<25` group's debt_ratio; 0 plants no disparity. */
  disparityShift?: number;
};

export const DEFAULT_DISPARITY_SHIFT = 0.3;

/**
 * The dataset's schema in the shape POST /datasets/{name}/versions takes (RegisterDatasetVersionRequest
 * `schema`): every column is about an applicant, so personal; none is sensitive information;
 * `age_band` and `sex` are the protected attributes fairness is assessed against.
 */
export const CREDIT_DATASET_SCHEMA = [
  { name: 'income', type: 'number', personal: true, sensitive: false, category: 'financial' },
  { name: 'debt_ratio', type: 'number', personal: true, sensitive: false, category: 'financial' },
  { name: 'age', type: 'number', personal: true, sensitive: false, category: 'demographic' },
  {
    name: 'credit_history_months',
    type: 'number',
    personal: true,
    sensitive: false,
    category: 'financial',
  },
  {
    name: 'age_band',
    type: 'string',
    personal: true,
    sensitive: false,
    category: 'demographic',
    protectedAttribute: true,
  },
  {
    name: 'sex',
    type: 'string',
    personal: true,
    sensitive: false,
    category: 'demographic',
    protectedAttribute: true,
  },
  { name: 'default', type: 'number', personal: true, sensitive: false, category: 'financial' },
  {
    name: 'pipeline_score',
    type: 'number',
    personal: true,
    sensitive: false,
    category: 'financial',
  },
] as const satisfies readonly {
  name: (typeof CREDIT_COLUMNS)[number];
  type: string;
  personal: boolean;
  sensitive: boolean;
  category: string;
  protectedAttribute?: boolean;
}[];

/** A registration body for the dataset (the facts a personal dataset must state included). */
export function creditDatasetRegistration(version: string, contentHash: string, rows: number) {
  return {
    version,
    contentHash,
    rows,
    schema: CREDIT_DATASET_SCHEMA.map((field) => ({ ...field })),
    location: `s3://attest-fixtures/credit/${version}.csv`,
    region: 'ap-southeast-2',
    lawfulBasis: 'consent (synthetic test data)',
    collectionNotice: 'https://bank.example/privacy/collection-notice-v3',
    purpose: 'credit assessment',
    retention: 'P7Y',
  };
}

/**
 * mulberry32: a tiny seeded PRNG giving floats in [0, 1). Written here because the only seeded
 * generator installed (pure-rand) is a transitive dependency of fast-check, not one of ours.
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const round = (value: number, places: number) => Number(value.toFixed(places));

const BAND_AGES: Record<AgeBand, [number, number]> = {
  '<25': [18, 24],
  '25-34': [25, 34],
  '35-64': [35, 64],
  '65+': [65, 85],
};
const BAND_SHARE: [AgeBand, number][] = [
  ['<25', 0.2],
  ['25-34', 0.3],
  ['35-64', 0.4],
  ['65+', 0.1],
];

/** The rows, one at a time: constant memory for any size. */
export function* creditRows(options: CreditDatasetOptions): Generator<CreditRow> {
  const random = mulberry32(options.seed);
  const shift = options.disparityShift ?? DEFAULT_DISPARITY_SHIFT;
  for (let i = 0; i < options.rows; i++) {
    let pick = random();
    const band = BAND_SHARE.find(([, share]) => (pick -= share) < 0)?.[0] ?? '65+';
    const [youngest, oldest] = BAND_AGES[band];
    const age = youngest + Math.floor(random() * (oldest - youngest + 1));
    const sex = SEXES[random() < 0.5 ? 0 : 1];
    // Income in thousands of dollars a year, rounded so the CSV holds exactly what was scored.
    const income = round(25 + 60 * random(), 1);
    const debtRatio = round(
      Math.min(0.95, 0.05 + 0.55 * random() + (band === '<25' ? shift : 0)),
      3,
    );
    const history = Math.floor(random() * Math.min(240, (age - 18) * 12 + 6));
    const features = [income, debtRatio, age, history];
    const score = logisticRegressionScore(features);
    yield {
      income,
      debt_ratio: debtRatio,
      age,
      credit_history_months: history,
      age_band: band,
      sex,
      default: random() < score ? 1 : 0,
      pipeline_score: score,
    };
  }
}

export const creditCsvHeader = (): string => CREDIT_COLUMNS.join(',');

const csvLine = (row: CreditRow): string => CREDIT_COLUMNS.map((column) => row[column]).join(',');

/** The whole dataset as CSV text (header row first, `\n` line ends) — for small sizes. */
export function creditDatasetCsv(options: CreditDatasetOptions): string {
  const lines = [creditCsvHeader()];
  for (const row of creditRows(options)) lines.push(csvLine(row));
  return lines.join('\n') + '\n';
}

/**
 * The same CSV text as an async iterable of chunks of `chunkRows` lines each (the header in the
 * first), so 100k rows can be streamed without one giant string. Concatenated, the chunks equal
 * creditDatasetCsv(options).
 */
export async function* creditDatasetChunks(
  options: CreditDatasetOptions & { chunkRows?: number },
): AsyncGenerator<string> {
  const chunkRows = options.chunkRows ?? 5000;
  let lines = [creditCsvHeader()];
  for (const row of creditRows(options)) {
    lines.push(csvLine(row));
    if (lines.length >= chunkRows) {
      yield lines.join('\n') + '\n';
      lines = [];
    }
  }
  if (lines.length > 0) yield lines.join('\n') + '\n';
}

const GROUP_ORDER: readonly string[] = [...AGE_BANDS, ...SEXES];

/** Share of each group (in AGE_BANDS / SEXES order) whose score is at or above the threshold (the model's positive decision). */
export function selectionRates(
  rows: Iterable<CreditRow>,
  group: 'age_band' | 'sex',
  threshold = 0.5,
): Record<string, number> {
  const counts = new Map<string, { selected: number; total: number }>();
  for (const row of rows) {
    const count = counts.get(row[group]) ?? { selected: 0, total: 0 };
    count.total++;
    if (row.pipeline_score >= threshold) count.selected++;
    counts.set(row[group], count);
  }
  return Object.fromEntries(
    [...counts]
      .sort(([a], [b]) => GROUP_ORDER.indexOf(a) - GROUP_ORDER.indexOf(b))
      .map(([k, c]) => [k, c.selected / c.total]),
  );
}

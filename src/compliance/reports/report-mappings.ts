import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { EVENT_TYPES } from '../../ledger/event-catalog';

/** One obligation (or guardrail) and the event types that evidence it. */
export interface MappedItem {
  id: string;
  /** The question a regulator asks, or the guardrail's words. */
  text: string;
  /** For guardrails: the practice of the Guidance for AI Adoption that carries it on. */
  practice?: string;
  evidence: string[];
}

export interface ReportDefinition {
  report: string;
  title: string;
  basis: string;
  sections: string[];
  obligations: MappedItem[];
}

export interface ReportMappings {
  asic: ReportDefinition;
  oaic: ReportDefinition;
  guardrails: { title: string; items: MappedItem[] };
}

export class MappingInvalid extends Error {}

/** The repository's reports/ directory, from src/ (tests) or dist/src/ (the built service). */
export function reportsDirectory(from = __dirname): string {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'reports', 'guardrails.json'))) return join(dir, 'reports');
  }
  throw new MappingInvalid('the reports/ directory (report mappings) was not found');
}

/**
 * Reads and checks the mappings under reports/: every item has an id, words and a list of event
 * types, and every event type is one the ledger records — a mapping naming another would show
 * evidence as missing forever, so it is refused, naming the file, the item and the type.
 */
export function loadReportMappings(directory = reportsDirectory()): ReportMappings {
  const read = (file: string): Record<string, unknown> => {
    try {
      return JSON.parse(readFileSync(join(directory, file), 'utf8')) as Record<string, unknown>;
    } catch (error) {
      throw new MappingInvalid(`reports/${file}: ${(error as Error).message}`);
    }
  };
  const items = (file: string, list: unknown, textField: string): MappedItem[] => {
    if (!Array.isArray(list)) throw new MappingInvalid(`reports/${file}: expected a list of items`);
    return list.map((raw: Record<string, unknown>, index) => {
      const id = raw.id;
      const text = raw[textField];
      const evidence = raw.evidence;
      if (typeof id !== 'string' || typeof text !== 'string' || !Array.isArray(evidence)) {
        throw new MappingInvalid(
          `reports/${file}: item ${index + 1} needs an id, its ${textField} and an evidence list`,
        );
      }
      for (const type of evidence) {
        if (typeof type !== 'string' || !EVENT_TYPES.has(type)) {
          throw new MappingInvalid(
            `reports/${file}: item ${id} names ${JSON.stringify(type)}, which is not an event type the ledger records`,
          );
        }
      }
      return {
        id,
        text,
        evidence: evidence as string[],
        ...(typeof raw.practice === 'string' ? { practice: raw.practice } : {}),
      };
    });
  };
  const report = (file: string): ReportDefinition => {
    const raw = read(file);
    return {
      report: String(raw.report),
      title: String(raw.title),
      basis: String(raw.basis),
      sections: (raw.sections as string[]) ?? [],
      obligations: items(file, raw.obligations, 'question'),
    };
  };
  const guardrails = read('guardrails.json');
  return {
    asic: report('asic-model-governance.json'),
    oaic: report('oaic-privacy.json'),
    guardrails: {
      title: String(guardrails.title),
      items: items('guardrails.json', guardrails.items, 'guardrail'),
    },
  };
}

export type CoverageStatus = 'covered' | 'partly' | 'missing';

/** Covered when every listed type was recorded in the period, partly when some, else missing. */
export function coverage(item: MappedItem, counts: ReadonlyMap<string, number>): CoverageStatus {
  const seen = item.evidence.filter((type) => (counts.get(type) ?? 0) > 0).length;
  if (item.evidence.length > 0 && seen === item.evidence.length) return 'covered';
  return seen > 0 ? 'partly' : 'missing';
}

import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MappingInvalid, coverage, loadReportMappings, reportsDirectory } from './report-mappings';

describe('report mappings under reports/', () => {
  it('reads the ASIC, OAIC and guardrail mappings, each naming only recorded event types', () => {
    const mappings = loadReportMappings();
    expect(mappings.asic.sections).toContain('REP 798 questions answered with evidence');
    expect(mappings.oaic.obligations.map((o) => o.id)).toContain('app-1.7');
    expect(mappings.guardrails.items).toHaveLength(10);
    expect(mappings.guardrails.items.every((g) => g.practice)).toBe(true);
  });

  it('refuses a mapping that names an unknown event type, saying which', () => {
    const copy = mkdtempSync(join(tmpdir(), 'attest-reports-'));
    try {
      cpSync(reportsDirectory(), copy, { recursive: true });
      const file = join(copy, 'oaic-privacy.json');
      const mapping = JSON.parse(readFileSync(file, 'utf8'));
      mapping.obligations[0].evidence.push('ModelTeleported');
      writeFileSync(file, JSON.stringify(mapping));
      expect(() => loadReportMappings(copy)).toThrow(MappingInvalid);
      expect(() => loadReportMappings(copy)).toThrow(
        'reports/oaic-privacy.json: item app-1.7 names "ModelTeleported", which is not an event type the ledger records',
      );
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it('rates an item covered, partly or missing by the event types seen in the period', () => {
    const item = { id: 'x', text: 'x', evidence: ['ModelEvaluated', 'AlertRaised'] };
    expect(
      coverage(
        item,
        new Map([
          ['ModelEvaluated', 2],
          ['AlertRaised', 1],
        ]),
      ),
    ).toBe('covered');
    expect(coverage(item, new Map([['ModelEvaluated', 2]]))).toBe('partly');
    expect(coverage(item, new Map())).toBe('missing');
    expect(coverage({ ...item, evidence: [] }, new Map([['ModelEvaluated', 1]]))).toBe('missing');
  });
});

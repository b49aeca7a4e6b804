import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { EVENT_TYPES } from './event-catalog';

/** The event types the code declares: `DomainEvent<'X', …>` and `type: 'X'` in *.events.ts. */
function declaredTypes(): Set<string> {
  const root = join(__dirname, '..');
  const declared = new Set<string>();
  for (const capability of readdirSync(root, { withFileTypes: true })) {
    if (!capability.isDirectory()) continue;
    for (const file of readdirSync(join(root, capability.name))) {
      if (!file.endsWith('.events.ts')) continue;
      const text = readFileSync(join(root, capability.name, file), 'utf8');
      for (const match of text.matchAll(/DomainEvent<\s*'([A-Za-z]+)'|type: '([A-Z][A-Za-z]+)'/g)) {
        declared.add(match[1] ?? match[2]);
      }
    }
  }
  return declared;
}

describe('the event catalog', () => {
  it('names exactly the event types the code declares', () => {
    const declared = declaredTypes();
    expect(declared.size).toBeGreaterThan(30);
    expect([...EVENT_TYPES].sort()).toEqual([...declared].sort());
  });
});

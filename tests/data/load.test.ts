import { cpSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PLACE, loadFactBase, placeOf, type Fact } from '../../src/data/load.js';
import { ROOT, tempDir } from '../helpers/cli.js';

/** The `yaml` package as data/yaml.ts loads it (for positions only), with its parses counted. */
const yamlPackage = createRequire(path.join(ROOT, 'src/data/yaml.ts'))('yaml') as typeof import('yaml');
const parseDocument = yamlPackage.parseDocument;
let positionParses = 0;
yamlPackage.parseDocument = ((...args: Parameters<typeof parseDocument>) => {
  positionParses++;
  return parseDocument(...args);
}) as typeof parseDocument;
afterEach(() => void (positionParses = 0));

/** A fresh copy of the base fixture (a file parsed before is not parsed again), loaded. */
function loadCopy() {
  const dir = tempDir('briefing-load-');
  cpSync(path.join(ROOT, 'tests/fixtures/base/data'), dir, { recursive: true });
  const base = loadFactBase(dir);
  const sheet = base.sheets[0]!;
  /** The line `- id: <id>` of a fact, and the column of its first key, as written. */
  const written = (id: string) => {
    const lines = readFileSync(path.join(dir, 'facts/zone-a/transport.yaml'), 'utf8').split('\n');
    const line = lines.findIndex((l) => l.trim() === `- id: ${id}`);
    return { line: line + 1, col: lines[line]!.indexOf('id:') + 1 };
  };
  return { base, sheet, written };
}

describe('a fact\'s place', () => {
  it('is not looked up by loading (no parse for positions unless asked)', () => {
    const { sheet } = loadCopy();
    expect(sheet.facts.length).toBeGreaterThan(1);
    expect(positionParses).toBe(0);
    void placeOf(sheet.facts[1]!).line;
    expect(positionParses).toBe(1);
    // Once per file, for every fact in it.
    void placeOf(sheet.facts[0]!).col;
    expect(positionParses).toBe(1);
  });

  it('survives copying the fact: a spread copy or Object.assign reports the fact\'s line and column', () => {
    const { sheet, written } = loadCopy();
    const fact = sheet.facts[1]!;
    const spread: Fact = { ...fact };
    const assigned: Fact = Object.assign({}, fact, { title: { zh: '改', en: 'Changed' } });
    // A copy taken before the place was ever read, as the model and the preview take them.
    expect(positionParses).toBe(0);
    for (const copy of [spread, assigned, { ...spread }]) {
      expect(placeOf(copy)).toEqual({ file: fact.file, ...written(fact.id) });
    }
    expect(written(fact.id).line).toBeGreaterThan(2);
    expect(placeOf(fact)).toEqual(placeOf(spread));
  });

  it('stays out of the fact\'s JSON and keys', () => {
    const { sheet } = loadCopy();
    const fact = sheet.facts[0]!;
    expect(Object.keys(fact)).not.toContain('line');
    expect(JSON.stringify(fact)).not.toMatch(/"(line|col)"/);
    expect(Object.getOwnPropertySymbols(fact)).toEqual([PLACE]);
    expect(positionParses).toBe(0);
  });
});

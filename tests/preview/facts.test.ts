import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCheckedFacts } from '../../src/build.js';
import { BriefingError } from '../../src/errors.js';
import { loadCheckedChanges } from '../../src/preview/facts.js';
import { copyProject } from '../helpers/cli.js';

const dir = copyProject(['data']);
const dataDir = path.join(dir, 'data');
const sheet = path.join(dataDir, 'facts/taixin/transport.yaml');
const original = readFileSync(sheet, 'utf8');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const problemsOf = (fn: () => unknown) => {
  try {
    fn();
    return [];
  } catch (e) {
    if (!(e instanceof BriefingError)) throw e;
    return e.problems;
  }
};

describe('proving only the facts a save changed', () => {
  const previous = loadCheckedFacts(dataDir);

  it('finds what the full check finds, at the same file:line:col, after lines above moved', () => {
    // A longer summary above shifts every later line; a changed digit below must still be found, where it is.
    writeFileSync(sheet, original.replace('value: 59100000000', 'value: 59200000000').replace(/\n {6}en: (Taixin intercity EMU first run)\n/, '\n      en: >-\n        $1\n'));
    try {
      const full = problemsOf(() => loadCheckedFacts(dataDir));
      expect(full).toHaveLength(1);
      expect(full[0]!.message).toMatch(/value 59200000000 CNY/);
      expect(problemsOf(() => loadCheckedChanges(dataDir, previous, new Set(['taixin/transport'])))).toEqual(full);
    } finally {
      writeFileSync(sheet, original);
    }
  });

  it('proves only the sheets it is told changed (the watcher names every one)', () => {
    writeFileSync(sheet, original.replace('value: 59100000000', 'value: 59200000000'));
    try {
      expect(problemsOf(() => loadCheckedChanges(dataDir, previous, new Set(['taixin/ecology'])))).toEqual([]);
    } finally {
      writeFileSync(sheet, original);
    }
    expect(problemsOf(() => loadCheckedChanges(dataDir, previous, new Set(['taixin/transport'])))).toEqual([]);
  });

  it('still validates every file: a duplicate id in another sheet is found', () => {
    const other = path.join(dataDir, 'facts/taixin/ecology.yaml');
    const text = readFileSync(other, 'utf8');
    const id = /^ {2}- id: (.+)$/m.exec(original)![1]!;
    writeFileSync(other, text.replace(/^ {2}- id: .+$/m, `  - id: ${id}`));
    try {
      const problems = problemsOf(() => loadCheckedChanges(dataDir, previous, new Set(['taixin/ecology'])));
      expect(problems.map((p) => p.message)).toContainEqual(expect.stringMatching(new RegExp(`fact id "${id}" is also used`)));
    } finally {
      writeFileSync(other, text);
    }
  });
});

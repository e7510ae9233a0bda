import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ROOT, cli, tempDir } from '../helpers/cli.js';

/**
 * One folder per bad input under tests/fixtures/<case>/: case.yaml says how it differs from
 * tests/fixtures/base (edits, removed or copied files), expected.txt holds the exact messages.
 */
const FIXTURES = path.join(ROOT, 'tests/fixtures');
const cases = readdirSync(FIXTURES).filter((d) => d !== 'base' && existsSync(path.join(FIXTURES, d, 'case.yaml')));

interface Case {
  edits?: { file: string; find: string; replace: string }[];
  remove?: string[];
  copy?: { from: string; to: string }[];
  /** New files, with their text. */
  write?: { file: string; text: string }[];
}

function materializeBase(): string {
  const dir = tempDir('briefing-base-');
  cpSync(path.join(FIXTURES, 'base'), dir, { recursive: true });
  return dir;
}

function materialize(name: string): string {
  const dir = materializeBase();
  const spec = parse(readFileSync(path.join(FIXTURES, name, 'case.yaml'), 'utf8')) as Case;
  for (const e of spec.edits ?? []) {
    const file = path.join(dir, e.file);
    const text = readFileSync(file, 'utf8');
    if (!text.includes(e.find)) throw new Error(`${name}: "${e.find}" not in ${e.file}`);
    writeFileSync(file, text.replace(e.find, e.replace));
  }
  for (const f of spec.remove ?? []) rmSync(path.join(dir, f), { recursive: true });
  for (const c of spec.copy ?? []) cpSync(path.join(dir, c.from), path.join(dir, c.to), { recursive: true });
  for (const w of spec.write ?? []) {
    mkdirSync(path.dirname(path.join(dir, w.file)), { recursive: true });
    writeFileSync(path.join(dir, w.file), w.text);
  }
  return dir;
}

describe('the base fixture', () => {
  it('passes check', async () => {
    const r = await cli(['check'], { cwd: materializeBase() });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});

describe.each(cases)('bad input: %s', (name) => {
  it('gets one clear line per problem and exit code 1', async () => {
    const dir = materialize(name);
    const r = await cli(['check'], { cwd: dir });
    const expected = readFileSync(path.join(FIXTURES, name, 'expected.txt'), 'utf8').trimEnd().split('\n');
    expect(r.code).toBe(1);
    expect(r.stderr.trimEnd().split('\n')).toEqual(expected);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

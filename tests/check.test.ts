import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFactBase } from '../src/data/load.js';
import { checkFactBase, divergentPassage } from '../src/check.js';
import { normalizeText } from '../src/data/normalize.js';
import { ROOT, cli, copyProject } from './helpers/cli.js';

const base = loadFactBase(path.join(ROOT, 'data'));
const report = checkFactBase(base);

describe('the repository fact base', () => {
  it('passes every check', () => {
    expect(report.errors.map((e) => `${e.file}:${e.line}:${e.col}: ${e.message}`)).toEqual([]);
  });

  it('holds well over 150 facts, every zone and theme has facts, and every zone has charts', () => {
    expect(report.factCount).toBeGreaterThan(150);
    for (const zone of base.zones) {
      for (const theme of base.themes) {
        const sheet = base.sheets.find((s) => s.zone === zone.id && s.theme === theme.id);
        expect(sheet?.facts.length, `${zone.id}/${theme.id}`).toBeGreaterThanOrEqual(3);
      }
      // Not every sheet: a chart draws only comparable counts (one noun, no part beside its whole), and
      // Taiyuan–Jinzhong's transport and public-services sources give none.
      const charts = base.sheets.filter((s) => s.zone === zone.id).reduce((n, s) => n + s.charts.length, 0);
      expect(charts, zone.id).toBeGreaterThanOrEqual(1);
    }
  });

  it('covers at least 90% of the source sentences that hold a figure', () => {
    const total = report.coverage.reduce((n, c) => n + c.sentences, 0);
    const covered = report.coverage.reduce((n, c) => n + c.covered, 0);
    expect(covered / total).toBeGreaterThanOrEqual(0.9);
  });

  it('records the press conference texts disagreeing on a 2025 target, and resolves it', () => {
    const conflicted = base.sheets.flatMap((s) => s.facts).filter((f) => f.conflict);
    expect(conflicted.length).toBeGreaterThanOrEqual(1);
    const labour = conflicted.find((f) => f.conflict!.with.quote.includes('劳动生产率'));
    expect(labour?.source.quote).toContain('劳动力持证率');
    expect(labour?.target_year).toBe(2025);
    expect(report.notes.some((n) => n.includes(labour!.id) && n.includes('resolved'))).toBe(true);
  });

  it('detects that two sources state one passage differently', () => {
    const s002 = normalizeText(base.sources.get('002_b1665f918e888616')!.text);
    expect(divergentPassage(normalizeText('基本医疗保险参保率稳定在95%以上。力争到2025年，全社会劳动力持证率超过25%'), s002)).toBeUndefined();
    expect(divergentPassage(normalizeText('共同富裕的先行样板。力争到2025年，全社会劳动力持证率超过25%，基本养老保险'), s002)).toContain('劳动生产率');
  });
});

describe('a broken copy of the fact base', () => {
  /** Changes the first occurrence of `find` in a sheet of a scratch copy; returns its 1-based line. */
  function breakSheet(sheet: string, find: string, replace: string): { dir: string; line: number } {
    const dir = copyProject();
    const file = path.join(dir, 'data/facts', sheet);
    const text = readFileSync(file, 'utf8');
    const at = text.indexOf(find);
    expect(at).toBeGreaterThan(-1);
    writeFileSync(file, text.slice(0, at) + replace + text.slice(at + find.length));
    return { dir, line: text.slice(0, at).split('\n').length };
  }

  it('fails at the right line when one digit of a quote changes', async () => {
    const { dir, line } = breakSheet('taixin/transport.yaml', 'quote: 总投资591亿元', 'quote: 总投资592亿元');
    const r = await cli(['check'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`data/facts/taixin/transport.yaml:${line}:`);
    expect(r.stderr).toMatch(/quote of "[a-z0-9-]+" is not in 000_32369ebad8b3415c/);
  });

  it('fails at the right line when one digit of a value changes', async () => {
    const { dir, line } = breakSheet('taixin/transport.yaml', 'value: 59100000000', 'value: 59200000000');
    const r = await cli(['check'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`data/facts/taixin/transport.yaml:${line}:`);
    expect(r.stderr).toContain('value 59200000000 CNY');
  });
});

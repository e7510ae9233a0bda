import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFactBase } from '../../src/data/load.js';
import { checkFactBase } from '../../src/check.js';
import { MEASURE_WORDS, editorialProblems, singular } from '../../src/data/editorial.js';
import { ROOT, cli, tempDir } from '../helpers/cli.js';

/**
 * The editor's rules (src/data/editorial.ts). Each rule has a fixture that fails it, with its exact
 * messages, under tests/fixtures/editorial-* (run by fixtures.test.ts); here, a base that uses every
 * rule's subject well passes, and the rules' small parts.
 */

/** The base fixture, with facts and charts appended to its sheet, source sentences and a glossary. */
function goodBase(): string {
  const dir = tempDir('briefing-editorial-');
  cpSync(path.join(ROOT, 'tests/fixtures/base'), dir, { recursive: true });
  const doc = path.join(dir, 'data/sources/doc1.txt');
  writeFileSync(doc, `${readFileSync(doc, 'utf8')}承接平台77个，其中重点平台10个、一般平台67个。区内有世界遗产1处。打造10大重点区域。\n`);
  writeFileSync(
    path.join(dir, 'data/glossary.yaml'),
    ['terms:', '  - zh: 太忻大道', '    en: Taixin Avenue', '    avoid: [Taiyuan–Xinzhou Road]', '  - zh: 雄忻高铁', '    en: Xiong’an–Xinzhou high-speed railway', ''].join('\n'),
  );
  const sheet = path.join(dir, 'data/facts/zone-a/transport.yaml');
  const text = readFileSync(sheet, 'utf8')
    .replace('en: Rail investment }', 'en: Xiong’an–Xinzhou high-speed railway investment }')
    .replace('en: The railway’s total investment', 'en: The Xiong’an–Xinzhou high-speed railway’s “total” investment')
    .replace('en: Avenue length }', 'en: Taixin Avenue length }')
    .replace('en: The avenue is 41 km long.', 'en: Taixin Avenue is 41 km long.')
    .replace('charts:\n', `${[
      '  - id: platforms',
      '    kind: metric',
      '    key: true',
      '    title: { zh: 承接平台, en: Transfer platforms }',
      '    summary: { zh: 承接平台77个。, en: There are 77 transfer platforms. }',
      '    values: [{ value: 77, unit: count, label: { zh: 总数, en: In all }, noun: { zh: 个, en: platforms } }]',
      '    as_of: 2022-09',
      '    source: { doc: doc1, quote: 承接平台77个 }',
      '  - id: key-platforms',
      '    kind: metric',
      '    part_of: platforms',
      '    title: { zh: 重点平台, en: Key platforms }',
      '    summary: { zh: 其中重点平台10个。, en: 10 of them are key platforms. }',
      '    values: [{ value: 10, unit: count, noun: { zh: 个, en: platforms } }]',
      '    as_of: 2022-09',
      '    source: { doc: doc1, quote: 其中重点平台10个 }',
      '  - id: other-platforms',
      '    kind: metric',
      '    part_of: platforms',
      '    title: { zh: 一般平台, en: Other platforms }',
      '    summary: { zh: 一般平台67个。, en: 67 are other platforms. }',
      '    values: [{ value: 67, unit: count, noun: { zh: 个, en: platforms } }]',
      '    as_of: 2022-09',
      '    source: { doc: doc1, quote: 一般平台67个 }',
      '  - id: world-heritage',
      '    kind: metric',
      '    title: { zh: 世界遗产, en: World Heritage }',
      '    summary: { zh: 区内有世界遗产1处。, en: The zone has 1 World Heritage site. }',
      '    values: [{ value: 1, unit: count, noun: { zh: 处, en: World Heritage site } }]',
      '    as_of: 2022-09',
      '    source: { doc: doc1, quote: 区内有世界遗产1处 }',
      '  - id: key-areas',
      '    kind: initiative',
      '    title: { zh: 重点区域, en: Key areas }',
      '    summary: { zh: 打造10大重点区域。, en: 10 key areas are to be developed. }',
      '    values: [{ value: 10, unit: count, noun: { zh: 个, en: key areas } }]',
      '    as_of: 2022-09',
      '    source: { doc: doc1, quote: 打造10大重点区域 }',
    ].join('\n')}\ncharts:\n  - id: platform-parts\n    type: bar\n    title: { zh: 承接平台构成, en: Transfer platforms by kind }\n    unit: count\n    facts: [key-platforms, other-platforms]\n`);
  writeFileSync(sheet, text);
  return dir;
}

describe('the editor\'s rules', () => {
  it('pass a sheet that uses every rule\'s subject well', async () => {
    const dir = goodBase();
    const r = await cli(['check'], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const base = loadFactBase(path.join(dir, 'data'));
    expect(base.glossary.map((t) => t.zh)).toEqual(['太忻大道', '雄忻高铁']);
    expect(base.sheets[0]!.facts.find((f) => f.id === 'key-platforms')?.part_of).toBe('platforms');
  });

  it('see only the facts they are given (the preview checks the sheets that changed), and find nothing false', () => {
    const base = loadFactBase(path.join(goodBase(), 'data'));
    const sheet = base.sheets[0]!;
    const some = { ...sheet, facts: sheet.facts.filter((f) => f.id === 'other-platforms') };
    expect(editorialProblems({ ...base, sheets: [some] })).toEqual([]);
    expect(checkFactBase({ ...base, sheets: [some] }).errors).toEqual([]);
  });

  it('read a base without a glossary as one with no terms', () => {
    const base = loadFactBase(path.join(ROOT, 'tests/fixtures/base/data'));
    expect(base.glossary).toEqual([]);
    expect(base.glossaryYaml).toBeUndefined();
  });

  it('fold an English word to its singular, simply', () => {
    expect(['platforms', 'cities', 'buses', 'sites', 'boxes', 'glass', 'campus', 'basis', 'series', 'days'].map(singular)).toEqual(['platform', 'city', 'bus', 'site', 'box', 'glass', 'campus', 'basis', 'sery', 'day']);
  });

  it('know the measure words, and 大 is none', () => {
    for (const w of ['个', '家', '项', '条', '处', '所', '户', '张', '对', '列', '类']) expect(MEASURE_WORDS).toContain(w);
    expect(MEASURE_WORDS).not.toContain('大');
    expect(new Set(MEASURE_WORDS).size).toBe(MEASURE_WORDS.length);
  });
});

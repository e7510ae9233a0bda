import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { loadFactBase, type Fact } from '../../src/data/load.js';
import { selectBriefing } from '../../src/model/select.js';
import { formatBriefing } from '../../src/model/format.js';
import { readPdf, type PdfContent } from '../helpers/pdf.js';
import { cli, tempDir } from '../helpers/cli.js';
import { LATE_EDITION, SUITE_EDITION, SUITE_NOW, latePdf, suitePdf } from '../suite.js';

/**
 * What a reader of the printed briefings can trust, read back from the PDFs: where each figure comes
 * from, how old the data is, targets past their year, conflicts between sources, and none of the
 * program's internals. The suite's edition (2023-03) and a late one (2026-12), years after the newest data.
 */
const suiteDir = inject('suiteDir');
const lateDir = inject('lateDir');
const LATE = LATE_EDITION;
const strip = (s: string) => s.replace(/\s+/g, '');
/** The data both editions were printed from. */
const base = loadFactBase(path.join(inject('suiteRoot'), 'data'));
const docs = base.zones.flatMap((z) => base.themes.map((t) => [z.id, t.id] as const));

const model = (zone: string, theme: string, edition: string) =>
  selectBriefing(base, base.zones.find((z) => z.id === zone)!, base.themes.find((t) => t.id === theme)!, edition);

/** Every source a printed figure rests on: its own, those repeating it, the overruled reading, the lead's. */
function restsOn(facts: Fact[]): Set<string> {
  return new Set(facts.flatMap((f) => [f.source.doc, ...(f.also ?? []).map((a) => a.doc), ...(f.conflict ? [f.conflict.with.doc] : [])]));
}

describe.each(docs)('%s-%s', (zone, theme) => {
  let suite: PdfContent;
  let late: PdfContent;
  beforeAll(async () => {
    suite = await readPdf(suitePdf(suiteDir, `${zone}-${theme}`));
    late = await readPdf(latePdf(lateDir, `${zone}-${theme}`));
  });

  it('lists on its sources page every source any of its figures rests on, and no internal id anywhere', () => {
    const m = model(zone, theme, SUITE_EDITION);
    const sourcesPages = strip(suite.pages.slice(suite.pages.findIndex((p, i) => i > 0 && p.includes('资料来源与原文摘录'))).join(''));
    const needed = restsOn([...m.facts, ...m.previous.values(), ...m.cited.values()]);
    expect(needed.size).toBeGreaterThan(0);
    for (const doc of needed) {
      const s = base.sources.get(doc)!;
      expect(sourcesPages, `${doc} on the sources page`).toContain(strip(s.title.zh));
    }
    for (const pdf of [suite, late]) expect(pdf.text).not.toMatch(/\b\d{3}_[0-9a-f]{16}\b/);
  });

  it('marks every figure with its source where it appears', () => {
    const view = formatBriefing(model(zone, theme, SUITE_EDITION), { langs: ['zh', 'en'], generatedAt: new Date(SUITE_NOW) });
    for (const t of view.keyFigures) expect(t.refs.length).toBeGreaterThan(0);
    for (const c of view.charts) expect(c.refs.length).toBeGreaterThan(0);
    // Every key figure's tile reads "… [n]" on the key-figures page.
    // A briefing without key figures (Taiyuan–Jinzhong industry) has no such page.
    const page = suite.pages.find((p, i) => i > 0 && p.includes('关键数据'));
    expect(page !== undefined, `a key-figures page, for ${view.keyFigures.length} key figures`).toBe(view.keyFigures.length > 0);
    for (const t of view.keyFigures) expect(strip(page!)).toContain(`[${t.refs.join(',')}]`);
  });

  it('opens with the analyst’s lead on its cover, citing at least three figures in both languages, each with its sources', () => {
    const view = formatBriefing(model(zone, theme, SUITE_EDITION), { langs: ['zh', 'en'], generatedAt: new Date(SUITE_NOW) });
    const cover = strip(suite.pages[0]!);
    expect(cover).toContain('导语INBRIEF');
    for (const lang of ['zh', 'en'] as const) {
      const figures = view.lead![lang]!.figures;
      expect(new Set(figures.map((f) => f.text)).size).toBeGreaterThanOrEqual(3);
      for (const f of figures) expect(cover).toContain(strip(`${f.text}[${f.refs.join(', ')}]`));
    }
  });

  it('says on its late cover how old its newest figure is, in both languages, and the time in Beijing', () => {
    const cover = strip(late.pages[0]!);
    const facts = model(zone, theme, LATE).facts.filter((f) => f.kind !== 'target');
    const newest = facts.map((f) => (f.period?.to ?? f.as_of ?? f.date ?? '').slice(0, 7)).sort().pop()!;
    const [y, mo] = newest.split('-').map(Number);
    expect(cover).toContain(strip(`最新数据 Newest figure ${y}年${mo}月`));
    expect(cover).toContain('本简报没有更新的数据');
    expect(cover).toContain(strip('This briefing holds no newer data'));
    expect(cover).toContain(strip('2026年12月1日 21:56（北京时间）'));
    expect(cover).toContain(strip('1 Dec 2026, 21:56 Beijing time'));
    expect(late.text).not.toContain('UTC');
    // In its own month the data is not old: no notice.
    expect(strip(suite.pages[0]!)).not.toContain('本简报没有更新的数据');
  });

  it('marks every target whose year has passed, and none that is still open', () => {
    for (const [pdf, edition] of [[suite, SUITE_EDITION], [late, LATE]] as const) {
      const targets = model(zone, theme, edition).facts.filter((f) => f.kind === 'target');
      const past = targets.filter((f) => f.target_year! < Number(edition.slice(0, 4)));
      expect(pdf.text.split('已过目标年份').length - 1, edition).toBe(past.length);
      expect(strip(pdf.text).split(strip('Past its target year')).length - 1, edition).toBe(past.length);
    }
  });

});

describe('a resolved conflict between sources', () => {
  it('is printed beside its fact in the Taixin public-services briefing, in both languages, with both readings', async () => {
    const pdf = await readPdf(suitePdf(suiteDir, 'taixin-public-services'));
    const fact = base.sheets.flatMap((s) => s.facts).find((f) => f.conflict && f.zone === 'taixin' && f.theme === 'public-services')!;
    const text = strip(pdf.text);
    expect(text).toContain('资料分歧');
    expect(text).toContain(strip('Sources differ'));
    expect(text).toContain(strip(fact.source.quote));
    expect(text).toContain(strip(fact.conflict!.with.quote));
    expect(text).toContain(strip(fact.conflict!.resolution!.en.slice(0, 60)));
    // The overruled source is on the sources page, its passage marked as not adopted.
    expect(text).toContain(strip(base.sources.get(fact.conflict!.with.doc)!.title.zh));
    expect(text).toContain('未采用的表述');
  });
});

describe('an edition with no data', () => {
  // What the page holds, not how Chromium lays it out: the draft is enough (--html-only). Its text keeps the
  // style sheet's, where a margin box's content would be.
  it('prints no empty source footer', async () => {
    const dir = tempDir('briefing-empty-');
    const r = await cli(['build', '--html-only', '--edition', '2022-01', '--now', '2022-01-31T08:00:00Z', '--out', dir, '--zone', 'taiyuan-jinzhong', '--theme', 'transport']);
    expect(r.code, r.stderr).toBe(0);
    const html = readFileSync(path.join(dir, '2022-01', 'taiyuan-jinzhong-transport.html'), 'utf8');
    const text = html.replace(/<[^>]*>/g, '');
    expect(text).toContain('本期暂无数据');
    expect(text).not.toMatch(/来源\s*Source/);
    expect(html).not.toContain('@bottom-left');
  });
});

import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { loadFactBase, type FactBase } from '../../src/data/load.js';
import { selectBriefing } from '../../src/model/select.js';
import { formatBriefing, type BriefingView } from '../../src/model/format.js';
import { readPdf, type PdfContent } from '../helpers/pdf.js';
import { bookmarkTitle } from '../../src/print/contents.js';
import { copyProject } from '../helpers/cli.js';
import { SUITE_EDITION, SUITE_NOW, suitePdf } from '../suite.js';

/**
 * What each printed briefing must say, read back from the PDF: sections in both languages, every
 * figure of its facts in both languages' formatting, metadata, bookmarks, embedded fonts.
 */
const suiteDir = inject('suiteDir');
const strip = (s: string) => s.replace(/\s+/g, '');

function viewFor(base: FactBase, zoneId: string, themeId: string): BriefingView {
  const zone = base.zones.find((z) => z.id === zoneId)!;
  const theme = base.themes.find((t) => t.id === themeId)!;
  return formatBriefing(selectBriefing(base, zone, theme, SUITE_EDITION), { langs: ['zh', 'en'], generatedAt: new Date(SUITE_NOW) });
}

/** Everything the view says must be printed and is missing from the PDF. */
export function structureProblems(pdf: PdfContent, view: BriefingView): string[] {
  const text = strip(pdf.text);
  const problems: string[] = [];
  for (const s of view.toc) {
    for (const l of ['zh', 'en'] as const) if (!text.includes(strip(s.heading[l]!))) problems.push(`section heading "${s.heading[l]}" missing`);
  }
  for (const section of view.sections) {
    for (const f of section.facts) {
      for (const v of f.values) for (const l of ['zh', 'en'] as const) if (!text.includes(strip(v[l]!))) problems.push(`figure "${v[l]}" of ${f.id} missing`);
    }
  }
  for (const t of view.keyFigures) for (const l of ['zh', 'en'] as const) if (!text.includes(strip(t.value[l]!))) problems.push(`key figure "${t.value[l]}" missing`);
  return problems;
}

/** The data the suite was printed from. */
const base = loadFactBase(path.join(inject('suiteRoot'), 'data'));
const docs = base.zones.flatMap((z) => base.themes.map((t) => [z.id, t.id] as const));

describe.each(docs)('%s-%s as printed', (zone, theme) => {
  const view = viewFor(base, zone, theme);
  const file = suitePdf(suiteDir, `${zone}-${theme}`);
  let pdf: PdfContent;
  beforeAll(async () => {
    pdf = await readPdf(file);
  });

  it('states every section and every figure in both languages', () => {
    expect(pdf.pages.length).toBeGreaterThanOrEqual(3);
    expect(view.sections.length).toBeGreaterThan(0);
    expect(structureProblems(pdf, view)).toEqual([]);
  });

  it('has its title, language and one bookmark per section', () => {
    expect(pdf.info.Title).toBe(`${view.zone.zh} · ${view.theme.zh} · ${SUITE_EDITION}`);
    expect(pdf.lang).toBe('zh-CN');
    expect(pdf.info.Subject).toContain(view.zone.en);
    const bookmarks = pdf.outline.map(bookmarkTitle);
    for (const s of view.toc) {
      const title = strip(`${s.heading.zh} ${s.heading.en}`);
      expect(bookmarks.filter((b) => b.startsWith(title)), title).toHaveLength(1);
    }
  });

  it('lists each section in the contents with the page it starts on', () => {
    const pages = pdf.pages.map(strip);
    for (const s of view.toc) {
      const heading = strip(`${s.heading.zh}${s.heading.en}`);
      const page = pages.findIndex((p, i) => i > 0 && p.includes(heading)) + 1;
      expect(page, heading).toBeGreaterThan(1);
      expect(pages[0], `contents entry for ${heading}`).toContain(`${heading}${page}`);
    }
  });

  it('was printed in one pass: the contents’ predicted page numbers were right', () => {
    const manifest = JSON.parse(readFileSync(path.join(suiteDir, 'editions.json'), 'utf8')) as { editions: Record<string, { log: { event: string; file?: string; passes?: number }[] }> };
    const printed = manifest.editions[SUITE_EDITION]!.log.filter((l) => l.event === 'printed' && l.file?.endsWith(`/${zone}-${theme}.pdf`));
    expect(printed).toHaveLength(1);
    expect(printed[0]!.passes ?? 1).toBe(1);
  });

  it('embeds every font', () => {
    const fonts = execFileSync('pdffonts', [file], { encoding: 'utf8' }).trim().split('\n').slice(2);
    expect(fonts.length).toBeGreaterThan(0);
    // Columns: name type encoding emb sub uni object ID; "emb" is the fourth from the end.
    for (const line of fonts) expect(line.trim().split(/\s+/).at(-5), line).toBe('yes');
  });

  it('never leaves a section heading alone at the foot of a page', () => {
    const headings = new Set(view.toc.flatMap((s) => [strip(s.heading.zh!), strip(s.heading.en!)]));
    pdf.lastLines.forEach((line, i) => expect(headings.has(strip(line)), `page ${i + 1} ends with "${line}"`).toBe(false));
  });

  it('keeps each fact on one page: title, both summaries and its list together', () => {
    for (const section of view.sections) {
      for (const f of section.facts) {
        const parts = [f.title.zh!, f.title.en!, f.summary.zh!, f.summary.en!, ...f.items.flatMap((i) => [i.zh!, i.en!])].map(strip);
        const pages = pdf.pages.map(strip);
        const page = pages.findIndex((p) => p.includes(parts[2]!));
        expect(page, `${f.id}: its Chinese summary is on no single page`).toBeGreaterThan(-1);
        for (const part of parts) expect(pages[page]!.includes(part), `${f.id}: "${part}" is not on page ${page + 1} with the rest`).toBe(true);
      }
    }
  });
});

describe('the structure test can fail', () => {
  it('reports a figure changed in a copy of the data', async () => {
    const dir = copyProject();
    const sheet = path.join(dir, 'data/facts/taixin/transport.yaml');
    writeFileSync(sheet, readFileSync(sheet, 'utf8').replace('value: 59100000000', 'value: 59200000000'));
    const changed = viewFor(loadFactBase(path.join(dir, 'data')), 'taixin', 'transport');
    const pdf = await readPdf(suitePdf(suiteDir, 'taixin-transport'));
    const problems = structureProblems(pdf, changed);
    expect(problems).toContain('figure "592亿元" of tx-xiongxin-hsr-investment missing');
    expect(problems).toContain('figure "CNY 59.2 billion" of tx-xiongxin-hsr-investment missing');
  });
});

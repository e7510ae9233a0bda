/**
 * Checks a printed edition before it is switched in: every briefing the run planned has its files, and
 * every PDF is whole and readable, with the pages recorded and only embedded subsets of briefing's own
 * fonts (a missing font would have Chromium fall back on a system font, or on none).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PdfBytes } from '../print/pdfbytes.js';
import { FONT_FACES } from '../render/fonts.js';

/** PostScript family names of the fonts briefings embed: NotoSansSC, NotoSans. */
const FAMILIES = new Set(FONT_FACES.map((f) => f.family.replace(/\s+/g, '')));

const refs = (text: string): number[] => [...text.matchAll(/(\d+)\s+0\s+R/g)].map((m) => Number(m[1]));

/** The font dictionaries (object numbers) the pages use. */
function pageFonts(pdf: PdfBytes, pages: number[]): Set<number> {
  const fonts = new Set<number>();
  for (const page of pages) {
    // Resources may be inherited from the page tree above the page.
    let resources = '';
    for (let node: number | undefined = page, depth = 0; node !== undefined && !resources && depth < 32; depth++) {
      const dict = pdf.dict(node);
      resources = /\/Resources\s*(<<(?:[^<>]|<<(?:[^<>]|<<[^<>]*>>)*>>)*>>|\d+\s+0\s+R)/.exec(dict)?.[1] ?? '';
      node = refs(/\/Parent\s*(\d+\s+0\s+R)/.exec(dict)?.[1] ?? '')[0];
    }
    if (/^\d+\s+0\s+R$/.test(resources)) resources = pdf.dict(refs(resources)[0]!);
    const font = /\/Font\s*(<<[^<>]*>>|\d+\s+0\s+R)/.exec(resources)?.[1] ?? '';
    const dict = /^\d+\s+0\s+R$/.test(font) ? pdf.dict(refs(font)[0]!) : font;
    for (const n of refs(dict)) fonts.add(n);
  }
  return fonts;
}

/** Why a font dictionary is not an embedded subset of briefing's fonts, or undefined when it is. */
function fontProblem(pdf: PdfBytes, num: number): string | undefined {
  let font = pdf.dict(num);
  const name = /\/BaseFont\s*\/([^\s/<>[\]()]+)/.exec(font)?.[1] ?? `object ${num}`;
  if (/\/Subtype\s*\/Type0\b/.test(font)) {
    const descendant = refs(/\/DescendantFonts\s*\[([^\]]*)\]/.exec(font)?.[1] ?? '')[0];
    if (descendant === undefined) return `font ${name} has no descendant font`;
    font = pdf.dict(descendant);
  }
  const descriptor = refs(/\/FontDescriptor\s*(\d+\s+0\s+R)/.exec(font)?.[1] ?? '')[0];
  if (descriptor === undefined || !/\/FontFile[23]?\s+\d+\s+0\s+R/.test(pdf.dict(descriptor))) return `font ${name} is not embedded`;
  const subset = /^[A-Z]{6}\+(.+)$/.exec(name);
  if (!subset) return `font ${name} is not a subset`;
  if (!FAMILIES.has(subset[1]!.split('-')[0]!)) return `font ${name} is not one of briefing's fonts (${[...FAMILIES].join(', ')})`;
  return undefined;
}

/** Why a printed PDF is not whole and readable, or undefined when it is. `pages`: the count recorded when it was printed. */
export function pdfProblem(bytes: Uint8Array, pages?: number): string | undefined {
  const head = Buffer.from(bytes.subarray(0, 8)).toString('latin1');
  if (!head.startsWith('%PDF-')) return 'not a PDF (no %PDF header)';
  if (!/%%EOF\s*$/.test(Buffer.from(bytes.subarray(Math.max(0, bytes.byteLength - 1024))).toString('latin1'))) return 'cut short (no %%EOF at the end)';
  try {
    const pdf = new PdfBytes(bytes);
    const tree = pdf.pages();
    if (tree.length === 0) return 'has no pages';
    if (pages !== undefined && tree.length !== pages) return `has ${tree.length} pages where ${pages} were printed`;
    const fonts = pageFonts(pdf, tree);
    if (fonts.size === 0) return 'uses no font';
    for (const f of fonts) {
      const problem = fontProblem(pdf, f);
      if (problem) return problem;
    }
  } catch (e) {
    return `cannot be read: ${e instanceof Error ? e.message : String(e)}`;
  }
  return undefined;
}

/**
 * Every problem of an edition folder about to be switched in, one line per briefing: `<name>: what`.
 * `docs` are the briefings the run planned (file names without extension), `pages` the page counts of
 * the PDFs recorded for them (this run's or the version before's).
 */
export function editionProblems(dir: string, docs: string[], opts: { pdf: boolean; pages: (name: string) => number | undefined }): string[] {
  const problems: string[] = [];
  for (const name of docs) {
    const html = path.join(dir, `${name}.html`);
    if (!existsSync(html)) {
      problems.push(`${name}: not written (no ${name}.html)`);
      continue;
    }
    const fonts = [...readFileSync(html, 'utf8').matchAll(/url\("(fonts\/[^"]+)"\)/g)].map((m) => m[1]!);
    const missing = fonts.filter((f) => !existsSync(path.join(dir, f)));
    if (missing.length) {
      problems.push(`${name}: font subset${missing.length > 1 ? 's' : ''} missing: ${missing.join(', ')}`);
      continue;
    }
    if (!opts.pdf) continue;
    const pdf = path.join(dir, `${name}.pdf`);
    if (!existsSync(pdf)) {
      problems.push(`${name}: not printed (no ${name}.pdf)`);
      continue;
    }
    const problem = pdfProblem(readFileSync(pdf), opts.pages(name));
    if (problem) problems.push(`${name}: ${name}.pdf ${problem}`);
  }
  return problems;
}

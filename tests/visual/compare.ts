/**
 * Visual regression: PDFs rasterised page by page (poppler's pdftoppm, about 100 dpi) and compared with
 * committed baselines using pixelmatch. Writes expected/actual/diff images and one HTML report on failure.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pixelmatch from 'pixelmatch';
import { PNG } from 'pngjs';

export const DPI = 100;
/** pixelmatch's colour threshold; anti-aliased pixels are detected and not counted. */
export const THRESHOLD = 0.1;
/** A page fails when more pixels than this differ: far below a 2 mm shift or a colour change. */
export const MAX_DIFF_PIXELS = 50;

export interface PageResult {
  doc: string;
  page: number;
  diffPixels: number;
  problem?: string;
  expected?: string;
  actual: string;
}

/** Renders every page of a PDF to out/page-NN.png; returns the paths in order. */
export function rasterize(pdf: string, outDir: string): string[] {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  execFileSync('pdftoppm', ['-r', String(DPI), '-png', pdf, path.join(outDir, 'page')]);
  // pdftoppm numbers pages page-1.png or page-01.png depending on the count; normalise to two digits.
  return readdirSync(outDir)
    .filter((f) => f.endsWith('.png'))
    .map((f) => ({ f, n: Number(/(\d+)\.png$/.exec(f)![1]) }))
    .sort((a, b) => a.n - b.n)
    .map(({ f, n }) => {
      const to = path.join(outDir, `page-${String(n).padStart(2, '0')}.png`);
      if (path.join(outDir, f) !== to) copyFileSync(path.join(outDir, f), to);
      if (path.join(outDir, f) !== to) rmSync(path.join(outDir, f));
      return to;
    });
}

export function baselinePages(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => /^page-\d+\.png$/.test(f)).sort().map((f) => path.join(dir, f));
}

/** Compares one document's pages with its baselines; diff images go to diffDir. */
export function compareDocument(doc: string, actual: string[], baselineDir: string, diffDir: string): PageResult[] {
  const expected = baselinePages(baselineDir);
  if (expected.length !== actual.length) {
    return [{ doc, page: 0, diffPixels: Infinity, actual: actual[0] ?? '', problem: `${actual.length} pages printed, the baseline has ${expected.length}` }];
  }
  mkdirSync(diffDir, { recursive: true });
  return actual.map((file, i) => {
    const a = PNG.sync.read(readFileSync(expected[i]!));
    const b = PNG.sync.read(readFileSync(file));
    const result: PageResult = { doc, page: i + 1, diffPixels: 0, expected: expected[i]!, actual: file };
    if (a.width !== b.width || a.height !== b.height) {
      return { ...result, diffPixels: Infinity, problem: `page size ${b.width}×${b.height} px, the baseline is ${a.width}×${a.height}` };
    }
    const diff = new PNG({ width: a.width, height: a.height });
    result.diffPixels = pixelmatch(a.data, b.data, diff.data, a.width, a.height, { threshold: THRESHOLD, includeAA: false });
    if (result.diffPixels > MAX_DIFF_PIXELS) {
      const out = path.join(diffDir, `page-${String(i + 1).padStart(2, '0')}-diff.png`);
      writeFileSync(out, PNG.sync.write(diff));
      result.problem = `${result.diffPixels} pixels differ`;
    }
    return result;
  });
}

/** One HTML page with expected, actual and diff side by side for every failing page. */
export function writeReport(failures: PageResult[], reportDir: string, note: string): string {
  mkdirSync(reportDir, { recursive: true });
  const rows = failures.map((f, i) => {
    const copy = (src: string | undefined, name: string) => {
      if (!src || !existsSync(src)) return '';
      const dest = `${i}-${name}.png`;
      copyFileSync(src, path.join(reportDir, dest));
      return `<figure><img src="${dest}"><figcaption>${name}</figcaption></figure>`;
    };
    const diff = f.expected ? path.join(path.dirname(f.actual), '..', 'diff', path.basename(f.actual).replace('.png', '-diff.png')) : undefined;
    return `<section><h2>${f.doc} page ${f.page}: ${f.problem}</h2><div class="row">${copy(f.expected, 'expected')}${copy(f.actual, 'actual')}${copy(diff, 'diff')}</div></section>`;
  });
  const html = `<!doctype html><meta charset="utf-8"><title>Visual differences</title>
<style>body{font:14px sans-serif;margin:20px}.row{display:flex;gap:12px}figure{margin:0}img{width:420px;border:1px solid #ccc}h2{font-size:15px}</style>
<h1>Visual differences: ${failures.length} page(s)</h1><p>${note}</p>${rows.join('\n')}`;
  const file = path.join(reportDir, 'index.html');
  writeFileSync(file, html);
  return file;
}

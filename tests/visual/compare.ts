/**
 * Visual regression: PDFs rasterised page by page (poppler's pdftoppm, about 100 dpi) and compared with
 * committed baselines using pixelmatch. Writes expected/actual/diff images and one HTML report on failure.
 * A comparison reads pdftoppm's uncompressed PPM output: encoding every page as PNG, then decoding it
 * again, cost more than rendering it; the actual page is written as PNG only when it fails.
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

/** A page's pixels, RGBA, as PNG.sync.read gives them. */
export interface Raster {
  width: number;
  height: number;
  data: Buffer;
}

/** A binary PPM (P6, 8 bits) as RGBA. */
function readPpm(file: string): Raster {
  const bytes = readFileSync(file);
  // The header: magic, width, height, maxval, each followed by white space (no comments from pdftoppm).
  const fields: string[] = [];
  let at = 0;
  while (fields.length < 4) {
    while (/\s/.test(String.fromCharCode(bytes[at]!))) at++;
    const start = at;
    while (!/\s/.test(String.fromCharCode(bytes[at]!))) at++;
    fields.push(bytes.toString('latin1', start, at));
  }
  at++;
  const [magic, w, h, max] = fields;
  if (magic !== 'P6' || max !== '255') throw new Error(`${file}: not an 8-bit binary PPM (${fields.join(' ')})`);
  const width = Number(w);
  const height = Number(h);
  const data = Buffer.alloc(width * height * 4);
  for (let i = 0, j = at; i < data.length; i += 4, j += 3) {
    data[i] = bytes[j]!;
    data[i + 1] = bytes[j + 1]!;
    data[i + 2] = bytes[j + 2]!;
    data[i + 3] = 255;
  }
  return { width, height, data };
}

/** Renders every page of a PDF and reads its pixels, in page order (the PPM files are left in outDir). */
export function rasterizePixels(pdf: string, outDir: string): Raster[] {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  execFileSync('pdftoppm', ['-r', String(DPI), pdf, path.join(outDir, 'page')]);
  return readdirSync(outDir)
    .filter((f) => f.endsWith('.ppm'))
    .map((f) => ({ f, n: Number(/(\d+)\.ppm$/.exec(f)![1]) }))
    .sort((a, b) => a.n - b.n)
    .map(({ f }) => readPpm(path.join(outDir, f)));
}

/**
 * Pages written for a person to look at (a failure's actual and diff images): compressed quickly, not
 * small (a quarter of the time of pngjs's default, a page 40% larger).
 */
const QUICK_PNG = { deflateLevel: 1, filterType: 0 };

/**
 * Compares one document's pages (from rasterizePixels) with its baselines. A failing page's actual image
 * is written to actualDir/page-NN.png and its diff to diffDir/page-NN-diff.png.
 */
export function compareDocument(doc: string, actual: Raster[], actualDir: string, baselineDir: string, diffDir: string): PageResult[] {
  const expected = baselinePages(baselineDir);
  const pageFile = (i: number) => path.join(actualDir, `page-${String(i + 1).padStart(2, '0')}.png`);
  const writeActual = (i: number) => {
    mkdirSync(actualDir, { recursive: true });
    writeFileSync(pageFile(i), PNG.sync.write(Object.assign(new PNG({ width: actual[i]!.width, height: actual[i]!.height }), { data: actual[i]!.data }), QUICK_PNG));
    return pageFile(i);
  };
  if (expected.length !== actual.length) {
    return [{ doc, page: 0, diffPixels: Infinity, actual: actual.length ? writeActual(0) : '', problem: `${actual.length} pages printed, the baseline has ${expected.length}` }];
  }
  mkdirSync(diffDir, { recursive: true });
  return actual.map((b, i) => {
    const a = PNG.sync.read(readFileSync(expected[i]!));
    const result: PageResult = { doc, page: i + 1, diffPixels: 0, expected: expected[i]!, actual: pageFile(i) };
    if (a.width !== b.width || a.height !== b.height) {
      writeActual(i);
      return { ...result, diffPixels: Infinity, problem: `page size ${b.width}×${b.height} px, the baseline is ${a.width}×${a.height}` };
    }
    const diff = new PNG({ width: a.width, height: a.height });
    result.diffPixels = pixelmatch(a.data, b.data, diff.data, a.width, a.height, { threshold: THRESHOLD, includeAA: false });
    if (result.diffPixels > MAX_DIFF_PIXELS) {
      writeActual(i);
      const out = path.join(diffDir, `page-${String(i + 1).padStart(2, '0')}-diff.png`);
      writeFileSync(out, PNG.sync.write(diff, QUICK_PNG));
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

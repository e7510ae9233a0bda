/**
 * The text-layout probe: does a browser lay text out at its fonts' own advance widths, as every printed
 * page asks it to (print/pdf.ts SAME_EVERYWHERE)? Only then are its pages the pages a local build
 * prints. A browser that hints glyphs anyway (one that ignores text-rendering: geometricPrecision: another
 * platform's Chromium, an old one) rounds each advance to whole pixels, and its lines break elsewhere.
 *
 * One string in the bundled Noto Sans (a subset of its few characters, sent with the probe) is measured
 * in the browser and compared with its width from the font's own advances, shaped by HarfBuzz here.
 * Measured by the pool before an endpoint takes a document, and by `briefing doctor`.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type { Page } from 'puppeteer';
import { FONT_FACES } from '../render/fonts.js';
import { subsetFont } from '../render/subset.js';
import { FileCache, cacheKey, fileIdentity } from '../file-cache.js';

const TEXT = 'Hamburgefonstiv 0123456789';
/** Large enough that whole-pixel advances add up to pixels over the string (about 4 px at this size). */
const SIZE = 97;
/** Layout keeps 1/64 px; the unhinted width is within that of HarfBuzz's. */
const TOLERANCE = 0.05;

export interface ProbeResult {
  /** The probe string's width in the browser, in CSS px. */
  measured: number;
  /** Its width from the font's own advances. */
  expected: number;
  ok: boolean;
}

interface Prepared {
  font: string;
  expected: number;
}

let prepared: Promise<Prepared> | undefined;

/**
 * The probe's font (base64) and its expected width, made once per process, and kept in the cache folder
 * (file-cache.ts, `probes/`) when one is given: making them loads HarfBuzz and subsets the font, about
 * 0.2 s before a remote browser can take its first document.
 */
function prepare(cacheDir?: string): Promise<Prepared> {
  return (prepared ??= (async () => {
    const face = FONT_FACES.find((f) => f.family === 'Noto Sans' && f.weight === 400)!;
    const require = createRequire(import.meta.url);
    const file = path.join(path.dirname(require.resolve(`${face.pkg}/package.json`)), face.file);
    const cache = new FileCache(cacheDir, 'probes', { max: 8, maxBytes: 100_000 });
    let key: string | undefined;
    try {
      // What the result is made from: the font file and HarfBuzz as installed, this module (the text and size), Node.
      key = cacheKey(fileIdentity(file), fileIdentity(require.resolve('harfbuzzjs')), fileIdentity(fileURLToPath(import.meta.url)), process.version);
      const kept = cache.get(key);
      const parsed = kept && (JSON.parse(kept.toString()) as Prepared);
      if (parsed && typeof parsed.font === 'string' && Number.isFinite(parsed.expected)) return parsed;
    } catch {
      // Not kept, or not readable as made: made anew.
    }
    const made = await make(file);
    if (key) cache.set(key, JSON.stringify(made));
    return made;
  })());
}

/** The probe's font, a subset of the few characters of its text, and the text's width from its advances (HarfBuzz). */
async function make(file: string): Promise<Prepared> {
  const subset = subsetFont(file, TEXT);
  const hb = await import('harfbuzzjs');
  const hbFace = new hb.Face(new hb.Blob(new Uint8Array(subset)));
  const hbFont = new hb.Font(hbFace);
  const buffer = new hb.Buffer();
  buffer.addText(TEXT);
  buffer.guessSegmentProperties();
  hb.shape(hbFont, buffer);
  const advance = buffer.getGlyphPositions().reduce((sum, p) => sum + p.xAdvance, 0);
  return { font: subset.toString('base64'), expected: (advance * SIZE) / hbFace.upem };
}

/**
 * Measures the probe in a tab (one from openPrintPage: its scripts are off, which page.evaluate does
 * not need), with the text-rendering the printed pages have unless another is given (for tests). With a
 * cache folder, the font and width made by an earlier run are read from it.
 */
export async function probeTextLayout(page: Page, opts: { textRendering?: string; cacheDir?: string } = {}): Promise<ProbeResult> {
  const textRendering = opts.textRendering ?? 'geometricPrecision';
  const { font, expected } = await prepare(opts.cacheDir);
  const measured = await page.evaluate(
    async (font64: string, text: string, size: number, rendering: string) => {
      const bytes = Uint8Array.from(atob(font64), (c) => c.charCodeAt(0));
      const face = new FontFace('briefing-probe', bytes);
      await face.load();
      document.fonts.add(face);
      const span = document.createElement('span');
      span.style.cssText = `font: ${size}px briefing-probe; white-space: pre; text-rendering: ${rendering}; font-kerning: normal`;
      span.textContent = text;
      (document.body ?? document.documentElement).appendChild(span);
      const width = span.getBoundingClientRect().width;
      span.remove();
      document.fonts.delete(face);
      return width;
    },
    font,
    TEXT,
    SIZE,
    textRendering,
  );
  return { measured, expected, ok: Math.abs(measured - expected) <= TOLERANCE };
}

/** Why a browser whose probe failed would print other pages, and the remedy. */
export function probeMismatch(r: ProbeResult): string {
  return `it lays text out ${r.measured.toFixed(2)} px wide where the font's own advances make ${r.expected.toFixed(2)} px (hinted glyph widths), so its pages would differ from a local build; start it with --font-render-hinting=none`;
}

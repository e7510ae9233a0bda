import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { HTTPRequest, Page } from 'puppeteer';
import { PdfBytes, pdfDate } from './pdfbytes.js';
import { contentsFromOutline, fillContents, predictContents, samePages } from './contents.js';
import { CONTENT_TYPES } from '../content-types.js';
import { withContentSecurityPolicy } from '../render/csp.js';
import { editorialLayout } from './rules.js';

export interface PdfMetadata {
  title: string;
  author: string;
  subject: string;
  keywords: string[];
  language: string;
  createdAt: Date;
}

export interface PrintResult {
  /** The printed PDF, read once for its bookmarks here and its pages when the metadata is added. */
  pdf: PdfBytes;
  /** Layout rule violations found on the laid-out page, each naming its element. */
  layout: string[];
  /** 1, or 2 when the predicted contents page numbers were wrong and the document was printed again. */
  passes: 1 | 2;
}

/**
 * The viewport a tab starts with: A4's printable area with 20/16/18/16 mm margins. A document whose
 * template declares another page box (its @page rule) gets a viewport of its own before it is measured.
 */
const MM = 96 / 25.4;
const DEFAULT_VIEWPORT = { width: Math.floor(178 * MM), height: Math.floor(259 * MM) };

const PDF_OPTIONS = { preferCSSPageSize: true, printBackground: true, outline: true, tagged: true } as const;

/**
 * Documents are loaded from this origin, which never resolves: every request to it is answered from
 * local files by the printing process itself. The same pages print in a local or a remote browser, and
 * nothing reaches the network.
 */
export const PRINT_ORIGIN = 'http://print.invalid';

const within = (file: string, roots: string[]) => roots.some((root) => file === root || file.startsWith(root + path.sep));

/**
 * Answers a request of the page: files under `roots` (from disk through PRINT_ORIGIN for a remote
 * browser, as file: URLs for a local one), data: URLs as they are, nothing else.
 */
async function answer(req: HTTPRequest, roots: string[]): Promise<void> {
  const url = req.url();
  if (url.startsWith('data:')) return req.continue();
  if (url.startsWith('file:')) {
    const file = path.resolve(fileURLToPath(url));
    return within(file, roots) ? req.continue() : req.abort('accessdenied');
  }
  if (!url.startsWith(`${PRINT_ORIGIN}/`)) return req.abort('blockedbyclient');
  const file = path.resolve(decodeURIComponent(new URL(url).pathname));
  if (!within(file, roots)) return req.respond({ status: 403, body: '' });
  // The document's folder, which the tab shows before the document is written into it: an empty page.
  // A 404 there would leave Chromium on its error page, where the document's fonts never load.
  if (new URL(url).pathname.endsWith('/')) return req.respond({ status: 200, contentType: 'text/html; charset=utf-8', body: '<!doctype html><title></title>' });
  try {
    const body = await readFile(file);
    return req.respond({ status: 200, contentType: CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream', body });
  } catch {
    return req.respond({ status: 404, body: '' });
  }
}

export interface PrintPageOptions {
  timeoutMs: number;
  /** Serve files through PRINT_ORIGIN instead of file: URLs (a remote browser cannot read our disk). */
  serveFiles: boolean;
}

/**
 * Opens a tab for printing: it loads only what answer() allows (request interception also turns the
 * page's cache off, so a file printed again is read again), laid out at the print width with print media.
 * The document's own scripts never run: JavaScript is off in the tab. Printing needs none of the page's
 * own: it measures and fills the page over the DevTools protocol (page.evaluate), which works with
 * scripts off. So nothing a document carries, by mistake or smuggled in with the data, can run, and
 * with it go the ways out of a page that request interception does not see (WebSocket, WebRTC, workers).
 * A tab prints many documents one after another: opening one costs a renderer process, about as much as
 * printing a short briefing.
 */
export async function openPrintPage(target: { newPage(): Promise<Page> }, roots: string[]): Promise<Page> {
  const page = await target.newPage();
  try {
    await page.setJavaScriptEnabled(false);
    await page.setRequestInterception(true);
    page.on('request', (req) => void answer(req, roots).catch(() => undefined));
    await page.setViewport(DEFAULT_VIEWPORT);
    await page.emulateMediaType('print');
    return page;
  } catch (e) {
    await page.close().catch(() => undefined);
    throw e;
  }
}

/**
 * Prints one HTML file to PDF in a tab from openPrintPage:
 *   1. loaded: written into the tab (document.write) rather than navigated to, which spares the
 *      browser process nearly half its work per document; the tab first shows a page of the
 *      document's folder, so relative links resolve; then fonts loaded and the layout rules measured;
 *   2. the contents' page numbers predicted and filled in (contents.ts), and the document printed;
 *   3. the numbers checked against the PDF's bookmarks; if one is wrong, the real ones are filled in
 *      and the document printed again.
 */
export async function printPdf(page: Page, htmlFile: string, opts: PrintPageOptions): Promise<PrintResult> {
  const file = path.resolve(htmlFile);
  const folder = new URL('.', opts.serveFiles ? PRINT_ORIGIN + encodeURI(file) : pathToFileURL(file).href).href;
  const loaded = page.url();
  if (!loaded.startsWith(opts.serveFiles ? PRINT_ORIGIN : 'file:') || new URL('.', loaded).href !== folder) {
    // The tab shows a page of the document's folder, so the document's relative links resolve.
    await page.goto(folder, { waitUntil: 'load', timeout: opts.timeoutMs });
  }
  await page.setContent(forPrinting(await readFile(file, 'utf8')), { waitUntil: 'load', timeout: opts.timeoutMs });
  let measured = (await page.evaluate(laidOut(page.viewport() ?? DEFAULT_VIEWPORT))) as Measured;
  if ('resize' in measured) {
    // The template's page differs from the tab's: lay it out at its own width, then measure.
    await page.setViewport(measured.resize);
    measured = (await page.evaluate(laidOut(measured.resize))) as Measured;
    if ('resize' in measured) throw new Error(`the page box of ${path.basename(file)} changed while it was laid out`);
  }
  const { layout, contents: { headings, predicted } } = measured;
  const pdf = new PdfBytes(await page.pdf({ ...PDF_OPTIONS, timeout: opts.timeoutMs }));
  const actual = contentsFromOutline(pdf, headings);
  if (samePages(predicted, actual)) return { pdf, layout, passes: 1 };
  await page.evaluate(fillContents, actual);
  return { pdf: new PdfBytes(await page.pdf({ ...PDF_OPTIONS, timeout: opts.timeoutMs })), layout, passes: 2 };
}

/**
 * The page as printed (only the printed copy; the HTML draft on disk is unchanged):
 *   - with the briefing's Content Security Policy first in its <head>, whatever template made it
 *     (render/csp.ts): a second line of defence after the tab's scripts being off, and the one that
 *     stops what needs no script (<link rel=prefetch>, preconnect, images, frames from elsewhere);
 *   - with its body not laid out until every font has loaded. Otherwise Chromium lays the whole
 *     document out once with stand-in fonts and again when the real ones arrive, a third of its work
 *     on a briefing. The hold is a style; laidOut loads the fonts and removes it.
 */
function forPrinting(html: string): string {
  const secured = withContentSecurityPolicy(html);
  const at = secured.indexOf('</head>');
  if (at < 0) return secured;
  return secured.slice(0, at) + '<style id="briefing-hold">body { display: none !important; }</style>' + secured.slice(at);
}

type Measured = { resize: { width: number; height: number } } | { layout: string[]; contents: ReturnType<typeof predictContents> };

/**
 * Runs in the page, in one round trip (over the DevTools protocol: the page's own scripts are off):
 * loads the fonts and lets the body be laid out, reads the page box the template declares (pageBox), and
 * when the tab's viewport is that box, measures the layout rules, predicts the contents and writes the
 * prediction in; otherwise it returns the box, for the tab to be resized and the page measured again.
 * (Sent as source text: functions given to the page take nothing with them.)
 */
const laidOut = (viewport: { width: number; height: number }) => `(async () => {
  await Promise.allSettled([...document.fonts].map((f) => f.load()));
  document.getElementById('briefing-hold')?.remove();
  await document.fonts.ready;
  const box = (${pageBox.toString()})();
  if (box.width !== ${viewport.width} || box.height !== ${viewport.height}) return { resize: { width: box.width, height: box.height } };
  const layout = [...(${measureLayout.toString()})(box.width, box.height), ...(${editorialLayout.toString()})()];
  const contents = (${predictContents.toString()})(box.widthCss, box.heightCss);
  (${fillContents.toString()})(contents.predicted);
  return { layout, contents };
})()`;

/**
 * Runs in the page: the content box of a printed page as the template's stylesheets declare it (the
 * first @page rule without a selector: its size and margins), in CSS pixels and as CSS lengths. A page
 * without one is printed on Letter paper without margins, as Chromium does.
 */
export function pageBox(): { width: number; height: number; widthCss: string; heightCss: string } {
  const SIZES: Record<string, [string, string]> = {
    a3: ['297mm', '420mm'], a4: ['210mm', '297mm'], a5: ['148mm', '210mm'], b4: ['250mm', '353mm'], b5: ['176mm', '250mm'],
    letter: ['8.5in', '11in'], legal: ['8.5in', '14in'], ledger: ['11in', '17in'],
  };
  let rule: CSSPageRule['style'] | undefined;
  for (const sheet of [...document.styleSheets]) {
    for (const r of [...sheet.cssRules]) {
      if (r instanceof CSSPageRule && r.selectorText === '' && !rule) rule = r.style;
    }
  }
  const get = (prop: string) => rule?.getPropertyValue(prop).trim() ?? '';
  const words = get('size').toLowerCase().split(/\s+/).filter(Boolean);
  const named = words.map((w) => SIZES[w]).find(Boolean);
  const lengths = words.filter((w) => /^[\d.]/.test(w));
  let [w, h] = named ?? (lengths.length ? [lengths[0]!, lengths[1] ?? lengths[0]!] : SIZES.letter!);
  if (words.includes('landscape')) [w, h] = [h, w];
  const px = (len: string) => {
    if (!len || len === 'auto') return 0;
    const probe = document.createElement('div');
    probe.style.cssText = `position:absolute;visibility:hidden;width:${len}`;
    document.body.appendChild(probe);
    const v = probe.getBoundingClientRect().width;
    probe.remove();
    return v;
  };
  const [top, right, bottom, left] = ['margin-top', 'margin-right', 'margin-bottom', 'margin-left'].map((m) => get(m));
  const widthCss = `calc(${w} - ${left || '0px'} - ${right || '0px'})`;
  const heightCss = `calc(${h} - ${top || '0px'} - ${bottom || '0px'})`;
  return { width: Math.floor(px(widthCss)), height: Math.floor(px(heightCss)), widthCss, heightCss };
}

/**
 * Runs in the page: the layout rules, on the elements the template declares:
 *   - `data-fit="page"`: a block that must fit a page: not wider than it, not overflowing its own box,
 *     not taller than a page (it would be split); every heading is held to the same;
 *   - `data-layout="cover"`: a page of its own, which must hold on one page;
 *   - `data-fit="column"`: a chart's box, whose SVG must not be wider than it;
 *   - any SVG text cut short with an ellipsis.
 */
function measureLayout(pageWidth: number, pageHeight: number): string[] {
  const out: string[] = [];
  const name = (el: Element) => (el.id ? `#${el.id}` : `${el.tagName.toLowerCase()}.${[...el.classList].join('.')}`) + ` "${(el.textContent ?? '').trim().slice(0, 24)}"`;
  const cover = document.querySelector('[data-layout~="cover"]');
  for (const el of document.querySelectorAll('[data-fit~="page"], h1, h2, h3')) {
    const r = el.getBoundingClientRect();
    if (r.right > pageWidth + 1 || r.left < -1) out.push(`${name(el)} is wider than the page (${Math.round(r.width)} px of ${pageWidth})`);
    if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).display !== 'inline') out.push(`${name(el)} overflows its box by ${el.scrollWidth - el.clientWidth} px`);
    if (!cover?.contains(el) && r.height > pageHeight) out.push(`${name(el)} is taller than a page (${Math.round(r.height)} px of ${pageHeight}) and would be split`);
  }
  if (cover && cover.scrollHeight > cover.clientHeight + 1) out.push(`the cover holds more than one page (${cover.scrollHeight} px of ${cover.clientHeight})`);
  for (const t of document.querySelectorAll('svg text')) {
    if ((t.textContent ?? '').includes('…')) out.push(`chart label cut short: "${t.textContent}"`);
  }
  for (const column of document.querySelectorAll('[data-fit~="column"]')) {
    const box = column.getBoundingClientRect();
    for (const svg of column.querySelectorAll(':scope > svg')) {
      if (svg.getBoundingClientRect().right > box.right + 1) out.push(`${name(column.parentElement ?? column)} chart is wider than its column`);
    }
  }
  return out;
}

/** Sets the document information (Chromium writes only a title) and returns the bytes and page count. */
export function withMetadata(doc: PdfBytes, meta: PdfMetadata): { bytes: Uint8Array; pages: number } {
  const date = pdfDate(meta.createdAt);
  const bytes = doc.withInfo(
    { Title: meta.title, Author: meta.author, Subject: meta.subject, Keywords: meta.keywords.join(' '), Creator: 'briefing', Producer: 'briefing (Chromium)', CreationDate: date, ModDate: date },
    meta.language,
  );
  return { bytes, pages: doc.pages().length };
}

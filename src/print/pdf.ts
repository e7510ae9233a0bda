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

/** Why a file the document asked for did not load, by URL: what answer() and the tab's failed requests saw. */
type LoadFailures = Map<string, string>;
const loadFailures = new WeakMap<Page, LoadFailures>();
const OUTSIDE = 'outside the folders a briefing may load files from';
/**
 * The requests of a document's own files. Not the browser's own (the full Chromium asks every page's
 * origin for /favicon.ico), nor the navigation to the document's folder.
 */
const FILE_TYPES = new Set(['font', 'image', 'stylesheet', 'media']);
const noteFailure = (req: HTTPRequest, failed: LoadFailures, why: string) => void (FILE_TYPES.has(req.resourceType()) && !failed.has(req.url()) && failed.set(req.url(), why));

/**
 * Answers a request of the page: files under `roots` (from disk through PRINT_ORIGIN for a remote
 * browser, as file: URLs for a local one), data: URLs as they are, nothing else. A file of the document
 * that cannot be given (missing, or outside `roots`) is noted in `failed`; a URL elsewhere is the Content
 * Security Policy's business (it refuses them first) and not a file of the document.
 */
async function answer(req: HTTPRequest, roots: string[], failed: LoadFailures): Promise<void> {
  const url = req.url();
  if (url.startsWith('data:')) return req.continue();
  if (url.startsWith('file:')) {
    const file = path.resolve(fileURLToPath(url));
    if (within(file, roots)) return req.continue();
    noteFailure(req, failed, OUTSIDE);
    return req.abort('accessdenied');
  }
  if (!url.startsWith(`${PRINT_ORIGIN}/`)) return req.abort('blockedbyclient');
  const file = path.resolve(decodeURIComponent(new URL(url).pathname));
  if (!within(file, roots)) {
    noteFailure(req, failed, OUTSIDE);
    return req.respond({ status: 403, body: '' });
  }
  // The document's folder, which the tab shows before the document is written into it: an empty page.
  // A 404 there would leave Chromium on its error page, where the document's fonts never load.
  if (new URL(url).pathname.endsWith('/')) return req.respond({ status: 200, contentType: 'text/html; charset=utf-8', body: '<!doctype html><title></title>' });
  try {
    const body = await readFile(file);
    return req.respond({ status: 200, contentType: CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream', body });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    noteFailure(req, failed, code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a folder, not a file' : `unreadable (${code ?? String(e)})`);
    return req.respond({ status: 404, body: '' });
  }
}

/** A failed request of a local tab (file: URLs), in the words answer() uses. */
function failedRequest(req: HTTPRequest, failed: LoadFailures): void {
  const url = req.url();
  const error = req.failure()?.errorText ?? '';
  // A load cut short by the tab moving on to its next document is no file's failure.
  if (!url.startsWith('file:') || error === 'net::ERR_ABORTED') return;
  noteFailure(req, failed, error === 'net::ERR_FILE_NOT_FOUND' ? 'no such file' : error === 'net::ERR_ACCESS_DENIED' ? 'unreadable' : error || 'failed');
}

/** A document whose printing took longer than the timeout. */
export class PrintTimeout extends Error {}

/** A document's deadline: `expired` rejects with a PrintTimeout after `ms`; `clear` stops it. */
export function printDeadline(ms: number): { expired: Promise<never>; clear(): void } {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new PrintTimeout(`printing took longer than ${Math.round(ms / 1000)} s`)), ms);
  });
  return { expired, clear: () => clearTimeout(timer) };
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
    const failed: LoadFailures = new Map();
    loadFailures.set(page, failed);
    await page.setJavaScriptEnabled(false);
    await page.setRequestInterception(true);
    page.on('request', (req) => void answer(req, roots, failed).catch(() => undefined));
    page.on('requestfailed', (req) => failedRequest(req, failed));
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
 *      document's folder, so relative links resolve; then fonts loaded and the layout rules measured.
 *      A font, image or stylesheet of the document that did not load fails it (LoadFailure), naming
 *      the file: the page would otherwise print with a stand-in;
 *   2. the contents' page numbers predicted and filled in (contents.ts), and the document printed;
 *   3. the numbers checked against the PDF's bookmarks; if one is wrong, the real ones are filled in
 *      and the document printed again.
 */
export async function printPdf(page: Page, htmlFile: string, opts: PrintPageOptions): Promise<PrintResult> {
  const file = path.resolve(htmlFile);
  const folder = new URL('.', opts.serveFiles ? PRINT_ORIGIN + encodeURI(file) : pathToFileURL(file).href).href;
  const failed = loadFailures.get(page) ?? new Map<string, string>();
  failed.clear();
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
  const { layout, unloaded, contents: { headings, predicted } } = measured;
  if (unloaded.length) throw new LoadFailure(folder, unloaded, failed);
  const pdf = new PdfBytes(await page.pdf({ ...PDF_OPTIONS, timeout: opts.timeoutMs }));
  // Files only printing asked for (a background image, say), or whose failure the page did not show.
  if (failed.size) throw new LoadFailure(folder, [], failed);
  const actual = contentsFromOutline(pdf, headings);
  if (samePages(predicted, actual)) return { pdf, layout, passes: 1 };
  await page.evaluate(fillContents, actual);
  return { pdf: new PdfBytes(await page.pdf({ ...PDF_OPTIONS, timeout: opts.timeoutMs })), layout, passes: 2 };
}

/**
 * A file of the document that did not load: a font, an image, a stylesheet (missing, unreadable,
 * outside the output folder, or not what it claims to be). A page printed without it would not be the
 * page the template describes (a missing font falls back to whatever the browser's machine has), so
 * the document fails, naming each file relative to the document.
 */
export class LoadFailure extends Error {
  constructor(folder: string, unloaded: Unloaded[], failed: LoadFailures) {
    const name = (url: string) => {
      try {
        const u = new URL(url);
        const dir = decodeURIComponent(new URL(folder).pathname);
        return u.origin === new URL(folder).origin || u.protocol === 'file:' ? path.posix.relative(dir, decodeURIComponent(u.pathname)) || url : url;
      } catch {
        return url;
      }
    };
    const seen = new Set<string>();
    const items = unloaded.map((u) => {
      for (const url of u.urls) seen.add(url);
      const why =
        u.urls.map((url) => failed.get(url)).find(Boolean) ??
        { font: 'not a font the browser accepts', image: 'not an image the browser can show', stylesheet: "refused: a briefing's Content Security Policy takes only the styles written in the document; put them in the template's <style>" }[u.kind];
      const what = u.name ? `${u.kind} ${u.name}` : u.kind;
      return u.urls.length ? `${u.urls.map(name).join(', ')} (${what}: ${why})` : `the ${what} (${why})`;
    });
    for (const [url, why] of failed) if (!seen.has(url)) items.push(`${name(url)} (${why})`);
    super(`could not load ${items.join('; ')}`);
    this.name = 'LoadFailure';
  }
}

/**
 * What the printed copy sets so that it lays out alike in any Chromium, however it was started:
 *   - text at its fonts' own advance widths (text-rendering: geometricPrecision: unhinted glyphs at
 *     fractional positions). The launched browser has --font-render-hinting=none; a browser started
 *     without it hints glyphs, which rounds their advances to whole pixels and breaks lines elsewhere
 *     (a briefing even gained a page). With this, neither that flag, nor --disable-font-subpixel-positioning,
 *     nor a device scale factor, nor the full browser rather than the headless shell changes a pixel;
 *   - no scrollbars: a browser started without --hide-scrollbars takes 15 px off the width that the
 *     layout rules and the contents' page numbers are measured at.
 */
const SAME_EVERYWHERE = '<style id="briefing-same">*, *::before, *::after { text-rendering: geometricPrecision !important; } html { scrollbar-width: none !important; }</style>';

/**
 * The page as printed (only the printed copy; the HTML draft on disk is unchanged):
 *   - laid out alike in every Chromium (SAME_EVERYWHERE);
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
  return secured.slice(0, at) + SAME_EVERYWHERE + '<style id="briefing-hold">body { display: none !important; }</style>' + secured.slice(at);
}

type Unloaded = ReturnType<typeof unloadedFiles>[number];
type Measured = { resize: { width: number; height: number } } | { layout: string[]; unloaded: Unloaded[]; contents: ReturnType<typeof predictContents> };

/**
 * Runs in the page, in one round trip (over the DevTools protocol: the page's own scripts are off):
 * loads the fonts and lets the body be laid out, reads the page box the template declares (pageBox), and
 * when the tab's viewport is that box, measures the layout rules, predicts the contents and writes the
 * prediction in; otherwise it returns the box, for the tab to be resized and the page measured again.
 * (Sent as source text: functions given to the page take nothing with them.)
 */
const laidOut = (viewport: { width: number; height: number }) => `(async () => {
  await Promise.allSettled([...document.fonts].map((f) => f.load()));
  const unloaded = (${unloadedFiles.toString()})();
  if (unloaded.length) return { layout: [], unloaded, contents: { headings: [], predicted: [] } };
  document.getElementById('briefing-hold')?.remove();
  await document.fonts.ready;
  const box = (${pageBox.toString()})();
  if (box.width !== ${viewport.width} || box.height !== ${viewport.height}) return { resize: { width: box.width, height: box.height } };
  const layout = [...(${measureLayout.toString()})(box.width, box.height), ...(${editorialLayout.toString()})()];
  const contents = (${predictContents.toString()})(box.widthCss, box.heightCss);
  (${fillContents.toString()})(contents.predicted);
  return { layout, unloaded, contents };
})()`;

/**
 * Runs in the page, once its fonts were asked to load: the document's own fonts and images (from its
 * own origin: the output folder) that did not load, each with its URLs and, for a font, its face:
 *   - every face the stylesheets declare (all are loaded, used or not), with the URLs of its @font-face
 *     rule; a face without a URL (local()) that failed counts too, as it would print in a stand-in;
 *   - the images of <img> elements;
 *   - stylesheet files (<link rel=stylesheet>, @import): the briefing's Content Security Policy takes
 *     only the styles written in the document (render/csp.ts), so such a file is never loaded.
 * A URL of another origin is not the document's file: the policy refuses it on purpose. (A background
 * image that failed is told by its request's failure: see printPdf.)
 */
export function unloadedFiles(): { kind: 'font' | 'image' | 'stylesheet'; urls: string[]; name?: string }[] {
  const out: { kind: 'font' | 'image' | 'stylesheet'; urls: string[]; name?: string }[] = [];
  const own = (url: string) => {
    try {
      const u = new URL(url);
      return u.protocol === location.protocol && u.host === location.host;
    } catch {
      return false;
    }
  };
  const rules: CSSRule[] = [];
  const walk = (sheet: CSSStyleSheet | null | undefined) => {
    let list: CSSRule[] = [];
    try {
      list = [...(sheet?.cssRules ?? [])];
    } catch {
      // a sheet whose rules cannot be read (a linked sheet under file: URLs, or one that failed)
    }
    for (const r of list) {
      rules.push(r);
      if (r instanceof CSSImportRule) {
        const url = new URL(r.href, sheet?.href ?? document.baseURI).href;
        if (own(url)) out.push({ kind: 'stylesheet', urls: [url] });
      }
      else if ('cssRules' in r) walk({ cssRules: (r as CSSGroupingRule).cssRules } as CSSStyleSheet);
    }
  };
  for (const sheet of [...document.styleSheets]) walk(sheet);
  const unquote = (s: string) => s.trim().replace(/^(["'])(.*)\1$/, '$2');
  const weight = (w: string) => ({ normal: '400', bold: '700', '': '400' })[w.trim()] ?? w.trim();
  const style = (s: string) => s.trim() || 'normal';
  for (const face of [...document.fonts]) {
    if (face.status !== 'error') continue;
    const rule = rules.find(
      (r): r is CSSFontFaceRule =>
        r instanceof CSSFontFaceRule &&
        unquote(r.style.getPropertyValue('font-family')) === unquote(face.family) &&
        weight(r.style.getPropertyValue('font-weight')) === weight(face.weight) &&
        style(r.style.getPropertyValue('font-style')) === style(face.style),
    );
    const base = rule?.parentStyleSheet?.href ?? document.baseURI;
    const urls = [...(rule?.style.getPropertyValue('src') ?? '').matchAll(/url\(\s*(?:"([^"]*)"|'([^']*)'|([^)\s]*))\s*\)/g)].map((m) => new URL(m[1] ?? m[2] ?? m[3] ?? '', base).href);
    if (urls.length && !urls.some(own)) continue;
    out.push({ kind: 'font', urls: urls.filter(own), name: `"${unquote(face.family)}" ${weight(face.weight)}${style(face.style) === 'normal' ? '' : ` ${style(face.style)}`}` });
  }
  for (const img of [...document.images]) {
    if (img.complete && !img.naturalWidth && img.src && own(img.src)) out.push({ kind: 'image', urls: [img.src] });
  }
  for (const link of [...document.querySelectorAll<HTMLLinkElement>('link[rel~="stylesheet" i][href]')]) {
    if (own(link.href)) out.push({ kind: 'stylesheet', urls: [link.href] });
  }
  return out;
}

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
    let rules: CSSRule[] = [];
    try {
      rules = [...sheet.cssRules];
    } catch {
      // a sheet whose rules cannot be read (a linked sheet under file: URLs): it declares no page box here
    }
    for (const r of rules) {
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

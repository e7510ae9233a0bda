import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { HTTPRequest, Page } from 'puppeteer';
import { PdfBytes, pdfDate } from './pdfbytes.js';
import { CONTENT_TYPES } from '../content-types.js';

export interface PdfMetadata {
  title: string;
  author: string;
  subject: string;
  keywords: string[];
  language: string;
  createdAt: Date;
}

export interface PrintResult {
  pdf: Uint8Array;
  /** Layout rule violations found on the laid-out page, each naming its element. */
  layout: string[];
}

/** The printable area of A4 with the margins of templates/styles/print.css (20/16/18/16 mm). */
const MM = 96 / 25.4;
export const CONTENT_WIDTH_PX = Math.floor(178 * MM);
export const CONTENT_HEIGHT_PX = Math.floor(259 * MM);

const PDF_OPTIONS = { preferCSSPageSize: true, printBackground: true, outline: true, tagged: true } as const;

/**
 * Documents are loaded from this origin, which never resolves: every request to it is answered from
 * local files by the printing process itself. The same pages print in a local or a remote browser, and
 * nothing reaches the network.
 */
export const PRINT_ORIGIN = 'http://print.invalid';

const within = (file: string, roots: string[]) => roots.some((root) => file.startsWith(root + path.sep));

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
  try {
    const body = await readFile(file);
    return req.respond({ status: 200, contentType: CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream', body });
  } catch {
    return req.respond({ status: 404, body: '' });
  }
}

export interface PrintPageOptions {
  roots: string[];
  timeoutMs: number;
  /** Serve files through PRINT_ORIGIN instead of file: URLs (a remote browser cannot read our disk). */
  serveFiles: boolean;
}

/**
 * Prints one HTML file to PDF in a new page of `target` (a browser or a browser context):
 *   1. the page loads only what answer() allows;
 *   2. it is laid out at the print width with print media, fonts loaded, and measured;
 *   3. printed; when it has a table of contents, its page numbers are read from the PDF's outline,
 *      filled in, and the page printed again (the numbers keep their width, so nothing moves).
 * The page is closed in `finally`.
 */
export async function printPdf(target: { newPage(): Promise<Page> }, htmlFile: string, opts: PrintPageOptions): Promise<PrintResult> {
  const page = await target.newPage();
  try {
    await page.setRequestInterception(true);
    page.on('request', (req) => void answer(req, opts.roots).catch(() => undefined));
    await page.setViewport({ width: CONTENT_WIDTH_PX, height: CONTENT_HEIGHT_PX });
    await page.emulateMediaType('print');
    const url = opts.serveFiles ? PRINT_ORIGIN + encodeURI(path.resolve(htmlFile)) : pathToFileURL(path.resolve(htmlFile)).href;
    await page.goto(url, { waitUntil: 'load', timeout: opts.timeoutMs });
    await page.evaluate(() => document.fonts.ready.then(() => undefined));
    const layout = await page.evaluate(measureLayout, CONTENT_WIDTH_PX, CONTENT_HEIGHT_PX);
    let pdf = await page.pdf({ ...PDF_OPTIONS, timeout: opts.timeoutMs });
    if (await page.$('[data-toc]')) {
      await fillContents(page, outlinePages(pdf));
      pdf = await page.pdf({ ...PDF_OPTIONS, timeout: opts.timeoutMs });
    }
    return { pdf, layout };
  } finally {
    await page.close().catch(() => undefined);
  }
}

/** Runs in the page: elements wider than the page, overflowing their box, taller than a page, or cut text. */
function measureLayout(pageWidth: number, pageHeight: number): string[] {
  const out: string[] = [];
  const name = (el: Element) => (el.id ? `#${el.id}` : `${el.tagName.toLowerCase()}.${[...el.classList].join('.')}`) + ` "${(el.textContent ?? '').trim().slice(0, 24)}"`;
  for (const el of document.querySelectorAll('.tile, .chart, .fact, table, .source li, .toc, .cover-sources, .section > h2')) {
    const r = el.getBoundingClientRect();
    if (r.right > pageWidth + 1 || r.left < -1) out.push(`${name(el)} is wider than the page (${Math.round(r.width)} px of ${pageWidth})`);
    if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).display !== 'inline') out.push(`${name(el)} overflows its box by ${el.scrollWidth - el.clientWidth} px`);
    if (!el.closest('.cover') && r.height > pageHeight) out.push(`${name(el)} is taller than a page (${Math.round(r.height)} px of ${pageHeight}) and would be split`);
  }
  const cover = document.querySelector('.cover');
  if (cover && cover.scrollHeight > cover.clientHeight + 1) out.push(`the cover holds more than one page (${cover.scrollHeight} px of ${cover.clientHeight})`);
  for (const t of document.querySelectorAll('svg text')) {
    if ((t.textContent ?? '').includes('…')) out.push(`chart label cut short: "${t.textContent}"`);
  }
  for (const svg of document.querySelectorAll('.chart-svg svg')) {
    const box = svg.getBoundingClientRect();
    const parent = svg.parentElement!.getBoundingClientRect();
    if (box.right > parent.right + 1) out.push(`${name(svg.closest('.chart')!)} chart is wider than its column`);
  }
  return out;
}

/**
 * Chromium repeats the first words of a bookmark whose heading opens a page
 * ("重要节点重要节点Milestones"); this undoes the repetition.
 */
export function bookmarkTitle(raw: string): string {
  return raw.replace(/\s+/g, '').replace(/^(.{2,}?)\1/u, '$1');
}

/** Every bookmark in document order: its title without spaces and its page number (1-based). */
export function outlinePages(pdf: Uint8Array): [string, number][] {
  return new PdfBytes(pdf).bookmarks().map(([title, page]) => [bookmarkTitle(title), page]);
}

/**
 * Writes each section's page into the contents. Bookmarks and sections are both in document order, so
 * each section takes the next bookmark whose title begins with its heading.
 */
async function fillContents(page: Page, bookmarks: [string, number][]): Promise<void> {
  await page.evaluate((entries: [string, number][]) => {
    let next = 0;
    for (const cell of document.querySelectorAll<HTMLElement>('[data-toc]')) {
      const heading = (document.getElementById(cell.dataset.toc ?? '')?.querySelector('h2')?.textContent ?? '').replace(/\s+/g, '');
      const at = entries.findIndex(([title], i) => i >= next && heading !== '' && title.startsWith(heading));
      if (at < 0) continue;
      cell.textContent = String(entries[at]![1]);
      next = at + 1;
    }
  }, bookmarks);
}

/** Sets the document information (Chromium writes only a title) and returns the bytes and page count. */
export function withMetadata(pdf: Uint8Array, meta: PdfMetadata): { bytes: Uint8Array; pages: number } {
  const doc = new PdfBytes(pdf);
  const date = pdfDate(meta.createdAt);
  const bytes = doc.withInfo(
    { Title: meta.title, Author: meta.author, Subject: meta.subject, Keywords: meta.keywords.join(' '), Creator: 'briefing', Producer: 'briefing (Chromium)', CreationDate: date, ModDate: date },
    meta.language,
  );
  return { bytes, pages: doc.pages().length };
}

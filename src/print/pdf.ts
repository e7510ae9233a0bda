import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'puppeteer';
import { PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, PDFRef, PDFString } from 'pdf-lib';

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
 * Prints one HTML file to PDF in a fresh page of the shared browser:
 *   1. only file: and data: URLs load; everything else is refused;
 *   2. the page is laid out at the print width with print media, fonts loaded, and measured;
 *   3. printed; when it has a table of contents, its page numbers are read from the PDF's outline,
 *      filled in, and the page printed again (the numbers keep their width, so nothing moves).
 * The page is closed in `finally`.
 */
export async function printPdf(browser: Browser, htmlFile: string, timeoutMs = 30_000): Promise<PrintResult> {
  const page = await browser.newPage();
  try {
    await page.setRequestInterception(true);
    page.on('request', (req) => {
      const url = req.url();
      if (url.startsWith('file:') || url.startsWith('data:') || url.startsWith('about:')) void req.continue();
      else void req.abort('blockedbyclient');
    });
    await page.setViewport({ width: CONTENT_WIDTH_PX, height: CONTENT_HEIGHT_PX });
    await page.emulateMediaType('print');
    await page.goto(pathToFileURL(htmlFile).href, { waitUntil: 'load', timeout: timeoutMs });
    await page.evaluate(() => document.fonts.ready.then(() => undefined));
    const layout = await page.evaluate(measureLayout, CONTENT_WIDTH_PX, CONTENT_HEIGHT_PX);
    let pdf = await page.pdf({ ...PDF_OPTIONS, timeout: timeoutMs });
    if (await page.$('[data-toc]')) {
      await fillContents(page, await outlinePages(pdf));
      pdf = await page.pdf({ ...PDF_OPTIONS, timeout: timeoutMs });
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
export async function outlinePages(pdf: Uint8Array): Promise<[string, number][]> {
  const doc = await PDFDocument.load(pdf, { updateMetadata: false });
  const pageIndex = new Map(doc.getPages().map((p, i) => [p.ref.toString(), i + 1]));
  const pages: [string, number][] = [];
  const outlines = doc.catalog.lookupMaybe(PDFName.of('Outlines'), PDFDict);
  const visit = (ref: unknown, depth: number) => {
    for (let node = ref instanceof PDFRef ? doc.context.lookup(ref, PDFDict) : undefined; node && depth < 16; ) {
      const title = node.lookup(PDFName.of('Title'));
      const text = title instanceof PDFHexString || title instanceof PDFString ? title.decodeText() : '';
      const dest = node.lookupMaybe(PDFName.of('Dest'), PDFArray);
      const target = dest?.get(0);
      if (target instanceof PDFRef && pageIndex.has(target.toString())) pages.push([bookmarkTitle(text), pageIndex.get(target.toString())!]);
      visit(node.get(PDFName.of('First')), depth + 1);
      const next = node.get(PDFName.of('Next'));
      node = next instanceof PDFRef ? doc.context.lookup(next, PDFDict) : undefined;
    }
  };
  if (outlines) visit(outlines.get(PDFName.of('First')), 0);
  return pages;
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
export async function withMetadata(pdf: Uint8Array, meta: PdfMetadata): Promise<{ bytes: Uint8Array; pages: number }> {
  const doc = await PDFDocument.load(pdf, { updateMetadata: false });
  doc.setTitle(meta.title, { showInWindowTitleBar: true });
  doc.setAuthor(meta.author);
  doc.setSubject(meta.subject);
  doc.setKeywords(meta.keywords);
  doc.setLanguage(meta.language);
  doc.setCreator('briefing');
  doc.setProducer('briefing (Chromium, pdf-lib)');
  doc.setCreationDate(meta.createdAt);
  doc.setModificationDate(meta.createdAt);
  const bytes = await doc.save({ useObjectStreams: false });
  return { bytes, pages: doc.getPageCount() };
}

import { pathToFileURL } from 'node:url';
import type { Browser } from 'puppeteer';
import { PDFDocument } from 'pdf-lib';

export interface PdfMetadata {
  title: string;
  author: string;
  subject: string;
  keywords: string[];
  language: string;
  createdAt: Date;
}

/**
 * Prints one HTML file to PDF in a fresh page of the shared browser. Only file: and data: URLs load;
 * everything else is refused. Waits for the fonts before printing. The page is closed in `finally`.
 */
export async function printPdf(browser: Browser, htmlFile: string, timeoutMs = 30_000): Promise<Uint8Array> {
  const page = await browser.newPage();
  try {
    await page.setRequestInterception(true);
    page.on('request', (req) => {
      const url = req.url();
      if (url.startsWith('file:') || url.startsWith('data:') || url.startsWith('about:')) void req.continue();
      else void req.abort('blockedbyclient');
    });
    await page.goto(pathToFileURL(htmlFile).href, { waitUntil: 'load', timeout: timeoutMs });
    await page.evaluate(() => document.fonts.ready.then(() => undefined));
    return await page.pdf({ preferCSSPageSize: true, printBackground: true, outline: true, tagged: true, timeout: timeoutMs });
  } finally {
    await page.close().catch(() => undefined);
  }
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

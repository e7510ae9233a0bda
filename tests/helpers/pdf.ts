import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

export interface PdfContent {
  pages: string[];
  text: string;
  info: Record<string, unknown>;
  /** The catalogue's /Lang. */
  lang: string | null;
  /** Every bookmark's title, depth first. */
  outline: string[];
  /** Per page, the lowest line of the body (running header and footer excluded). */
  lastLines: string[];
}

/** The running header and footer sit in the top 20 mm and bottom 18 mm margins of an A4 page. */
const HEADER_Y = 842 - 20 * 2.835;
const FOOTER_Y = 18 * 2.835;

/**
 * The PDFs read so far in this worker, by the hash of their bytes: the suite's briefings are read by
 * several test files (a worker runs file after file, vitest.config.ts isolate: false).
 */
const read = new Map<string, Promise<PdfContent>>();

/** Reads a PDF's text per page, its document information and its bookmarks, with pdf.js. */
export async function readPdf(file: string): Promise<PdfContent> {
  const bytes = readFileSync(file);
  const key = createHash('sha256').update(bytes).digest('hex');
  if (!read.has(key)) {
    if (read.size >= 64) read.delete(read.keys().next().value!);
    read.set(key, parsePdf(bytes));
    read.get(key)!.catch(() => read.delete(key));
  }
  // A copy: a test may change what it got.
  return structuredClone(await read.get(key)!);
}

async function parsePdf(bytes: Buffer): Promise<PdfContent> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const doc = await pdfjs.getDocument({ data: new Uint8Array(bytes), disableFontFace: true, useSystemFonts: false, verbosity: 0 }).promise;
  try {
    const pages: string[] = [];
    const lastLines: string[] = [];
    for (let i = 1; i <= doc.numPages; i++) {
      const page = await doc.getPage(i);
      const content = await page.getTextContent();
      const items = content.items.flatMap((it) => ('str' in it ? [it] : []));
      pages.push(items.map((it) => it.str + (it.hasEOL ? '\n' : '')).join(''));
      const body = items.filter((it) => it.str.trim() && it.transform[5]! > FOOTER_Y && it.transform[5]! < HEADER_Y);
      const lowest = Math.min(...body.map((it) => it.transform[5]!));
      lastLines.push(body.filter((it) => Math.abs(it.transform[5]! - lowest) < 2).map((it) => it.str).join(''));
    }
    const meta = await doc.getMetadata();
    const outline: string[] = [];
    const walk = (items: { title: string; items: unknown[] }[] | null) => {
      for (const o of items ?? []) {
        outline.push(o.title);
        walk(o.items as { title: string; items: unknown[] }[]);
      }
    };
    walk(await doc.getOutline());
    const { PDFDocument, PDFName, PDFString, PDFHexString } = await import('pdf-lib');
    const catalogLang = (await PDFDocument.load(bytes, { updateMetadata: false })).catalog.get(PDFName.of('Lang'));
    const lang = catalogLang instanceof PDFString || catalogLang instanceof PDFHexString ? catalogLang.decodeText() : null;
    return { pages, text: pages.join('\n'), info: meta.info as Record<string, unknown>, lang, outline, lastLines };
  } finally {
    await doc.destroy();
  }
}

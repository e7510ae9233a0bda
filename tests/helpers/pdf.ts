import { readFileSync } from 'node:fs';

export interface PdfContent {
  pages: string[];
  text: string;
  info: Record<string, unknown>;
  outline: string[];
}

/** Reads a PDF's text per page, its document information and its bookmarks, with pdf.js. */
export async function readPdf(file: string): Promise<PdfContent> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const doc = await pdfjs.getDocument({ data: new Uint8Array(readFileSync(file)), disableFontFace: true, useSystemFonts: false, verbosity: 0 }).promise;
  try {
    const pages: string[] = [];
    for (let i = 1; i <= doc.numPages; i++) {
      const page = await doc.getPage(i);
      const content = await page.getTextContent();
      pages.push(content.items.map((it) => ('str' in it ? it.str + (it.hasEOL ? '\n' : '') : '')).join(''));
    }
    const meta = await doc.getMetadata();
    const outline = ((await doc.getOutline()) ?? []).map((o) => o.title);
    return { pages, text: pages.join('\n'), info: meta.info as Record<string, unknown>, outline };
  } finally {
    await doc.destroy();
  }
}

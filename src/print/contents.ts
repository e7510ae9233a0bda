/**
 * The page numbers of the cover's contents. Chromium has no `target-counter()`, so they are found in
 * two steps:
 *   1. before printing, the page predicts them (predictContents): the body after the cover is laid out
 *      in columns of exactly one page's content box, where Chromium's fragmentation engine breaks
 *      blocks as it does between printed pages; each section's column is its page;
 *   2. after printing, the PDF's bookmarks say where each section really begins (contentsFromOutline).
 * When the two differ, the printer fills in the real numbers and prints again; the prediction only
 * saves that second pass. Cells keep their width whatever the number, so filling them moves nothing.
 * The preview's drafts show the same numbers: the preview prints the PDF and its pages match the PDF's
 * bookmarks with contentsHeadings, contentsFromOutline and fillContents (src/preview/browser/client.ts).
 * The preview serves this module's compiled code to the browser as it is (preview/client.ts
 * BROWSER_MODULES): it may import types only.
 */
import type { PdfBytes } from './pdfbytes.js';

/** Section id → the page it begins on (1-based). */
export type ContentsPages = Record<string, number>;

/**
 * Runs in the page, so it must be self-contained: each contents cell's section and the text of the
 * heading that section's bookmark carries (its first heading, without white space), in document order; what
 * contentsFromOutline matches with the PDF's bookmarks. predictContents finds them the same way (in a
 * copy of its own, as it is sent to the page alone); the preview finds them with this function before
 * Paged.js moves the document into its sheets.
 */
export function contentsHeadings(): [string, string][] {
  return [...document.querySelectorAll<HTMLElement>('[data-toc]')].map((c) => [c.dataset.toc ?? '', (document.getElementById(c.dataset.toc ?? '')?.querySelector('h1, h2, h3, h4, h5, h6')?.textContent ?? '').replace(/\s+/g, '')]);
}

/**
 * Runs in the page, so it must be self-contained. Predicts each contents cell's page and returns the
 * headings (to be matched with bookmarks) and the prediction (written in by fillContents). Page 1 is the cover (the element marked `data-layout="cover"`, a page of its own);
 * `contentWidth`/`contentHeight` are a later page's content box as CSS lengths.
 */
export function predictContents(contentWidth: string, contentHeight: string): { headings: [string, string][]; predicted: ContentsPages } {
  const cells = [...document.querySelectorAll<HTMLElement>('[data-toc]')];
  // As contentsHeadings.
  const headings: [string, string][] = cells.map((c) => [c.dataset.toc ?? '', (document.getElementById(c.dataset.toc ?? '')?.querySelector('h1, h2, h3, h4, h5, h6')?.textContent ?? '').replace(/\s+/g, '')]);
  const predicted: ContentsPages = {};
  if (!cells.length) return { headings, predicted };

  const cover = document.querySelector('[data-layout~="cover"]');
  const firstPage = cover ? 2 : 1;
  const columns = document.createElement('div');
  columns.style.cssText = `width:${contentWidth};height:${contentHeight};column-width:${contentWidth};column-gap:0;column-fill:auto;`;
  const moved: ChildNode[] = [];
  for (let n = cover ? cover.nextSibling : document.body.firstChild; n; ) {
    const next = n.nextSibling;
    moved.push(n);
    columns.appendChild(n);
    n = next;
  }
  document.body.appendChild(columns);
  // Forced page breaks become column breaks, the only forced break a column layout honours.
  const forced: [HTMLElement, 'breakBefore' | 'breakAfter', string][] = [];
  for (const el of columns.querySelectorAll<HTMLElement>('*')) {
    const style = getComputedStyle(el);
    for (const side of ['breakBefore', 'breakAfter'] as const) {
      if (/^(page|left|right|recto|verso)$/.test(style[side])) {
        forced.push([el, side, el.style[side]]);
        el.style[side] = 'column';
      }
    }
  }
  const box = columns.getBoundingClientRect();
  for (const [id] of headings) {
    const h = document.getElementById(id)?.querySelector('h1, h2, h3, h4, h5, h6');
    if (h) predicted[id] = firstPage + Math.round((h.getBoundingClientRect().left - box.left) / box.width);
  }
  for (const [el, side, value] of forced) el.style[side] = value;
  for (const n of moved) document.body.insertBefore(n, columns);
  columns.remove();
  return { headings, predicted };
}

/** Runs in the page: writes each section's page into its contents cell. */
export function fillContents(pages: ContentsPages): void {
  for (const cell of document.querySelectorAll<HTMLElement>('[data-toc]')) {
    const page = pages[cell.dataset.toc ?? ''];
    if (page !== undefined) cell.textContent = String(page);
  }
}

/**
 * Chromium repeats the first words of a bookmark whose heading opens a page
 * ("重要节点重要节点Milestones"); this undoes the repetition.
 */
export function bookmarkTitle(raw: string): string {
  return raw.replace(/\s+/g, '').replace(/^(.{2,}?)\1/u, '$1');
}

/**
 * Where each section begins in a printed PDF. Bookmarks and sections are both in document order, so
 * each section takes the next bookmark whose title begins with its heading. The preview's pages run it
 * too (with bookmarkTitle), on the bookmarks of the PDF it printed.
 */
export function contentsFromOutline(pdf: Pick<PdfBytes, 'bookmarks'>, headings: [string, string][]): ContentsPages {
  const bookmarks = pdf.bookmarks().map(([title, page]) => [bookmarkTitle(title), page] as const);
  const pages: ContentsPages = {};
  let next = 0;
  for (const [id, heading] of headings) {
    const at = bookmarks.findIndex(([title], i) => i >= next && heading !== '' && title.startsWith(heading));
    if (at < 0) continue;
    pages[id] = bookmarks[at]![1];
    next = at + 1;
  }
  return pages;
}

export const samePages = (a: ContentsPages, b: ContentsPages): boolean =>
  Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([id, page]) => b[id] === page);

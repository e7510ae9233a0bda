/// <reference lib="dom" />
/**
 * Runs in the preview's pages (see client.ts beside it). Two corrections to Paged.js 0.4, so the sheets
 * follow print.css as Chromium's own printing does:
 *   1. A later @page rule's margin box replaces an earlier one's instead of cascading with it: print.css
 *      styles @top-left (font, colour, alignment) and briefing.hbs gives it its content in a second
 *      @page rule, so the running header lost its style. The two blocks are merged, earlier first.
 *   2. Rules with "+" (span.primary + span.secondary …) are rewritten to attribute selectors, which drops
 *      their ::before and their specificity (the "· " between a table's two figures vanished). They are
 *      left as written; adjacency only matters within one line here, which a page break never splits.
 * They patch the handlers' prototypes, so they must run after paged.polyfill.js has loaded and before it
 * lays out: a handler binds its hooks when it is made, at the start of the layout (Previewer.preview),
 * which Paged.js begins after awaiting PagedConfig.before. The client applies them there.
 */

/** A css-tree list of nodes, as Paged.js keeps a margin box's declarations. */
interface NodeList {
  prependList(list: NodeList): void;
}

interface MarginBox {
  children: NodeList;
}

/** Paged.js's AtPage handler: per page selector, its margin boxes by location (top-left, …). */
interface AtPage {
  pages: Record<string, { marginalia: Record<string, MarginBox> }>;
  onAtPage(node: unknown, item: unknown, list: unknown): unknown;
}

/** The Following handler, which rewrites rules with "+". */
interface Following {
  onRule(...args: unknown[]): void;
  afterParsed(...args: unknown[]): void;
}

/** What the polyfill puts in window.Paged that the corrections use: its handler classes. */
export interface PagedGlobal {
  registeredHandlers?: { name: string; prototype: object }[];
}

const corrected = new WeakSet<object>();

/** Applies both corrections to the handler classes of `paged` (once; nothing when Paged.js is absent). */
export function correctPaged(paged: PagedGlobal | undefined): void {
  const handlers = paged?.registeredHandlers ?? [];
  const named = (name: string) => handlers.find((h) => h.name === name)?.prototype;

  const atPage = named('AtPage') as AtPage | undefined;
  if (atPage && !corrected.has(atPage)) {
    corrected.add(atPage);
    const onAtPage = atPage.onAtPage;
    atPage.onAtPage = function (this: AtPage, node, item, list) {
      const before: Record<string, Record<string, MarginBox>> = {};
      for (const selector in this.pages) before[selector] = { ...this.pages[selector]!.marginalia };
      const result = onAtPage.call(this, node, item, list);
      for (const selector in before) {
        const now = this.pages[selector]!.marginalia;
        for (const [location, was] of Object.entries(before[selector]!)) {
          const box = now[location];
          if (box && box !== was) box.children.prependList(was.children);
        }
      }
      return result;
    };
  }

  const following = named('Following') as Following | undefined;
  if (following) {
    following.onRule = () => undefined;
    following.afterParsed = () => undefined;
  }
}

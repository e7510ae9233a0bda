/// <reference lib="dom" />
/**
 * The preview's script, in the browser: an ES module compiled to dist/ like the rest of briefing and
 * served by the preview from there (../client.ts BROWSER_MODULES), with the two modules it imports.
 * It connects to the event stream (EventSource reconnects by itself; a stream closed for good is opened
 * again), reloads when told or when the server restarted, shows problems over the page, and fills in
 * the contents' page numbers from the draft's PDF.
 *
 * A module script is deferred: it runs once the document is parsed, before the deferred Paged.js that
 * follows it in a draft's head, so the configuration it sets (window.PagedConfig) is there when
 * Paged.js starts; Paged.js then calls `before` (the corrections of paged-fixes.ts, the request for the
 * contents' numbers) and, once the sheets are laid out, `after`.
 */
import { contentsFromOutline, contentsHeadings, fillContents, type ContentsPages } from '../../print/contents.js';
import type { ClientState, PREVIEW_TEXT } from '../client.js';
import { correctPaged, type PagedGlobal } from './paged-fixes.js';

declare global {
  interface Window {
    /** Read by paged.polyfill.js when it loads. */
    PagedConfig?: { auto: boolean; before?: () => void; after?: (flow: { total: number }) => void };
    /** Set by paged.polyfill.js. */
    Paged?: PagedGlobal;
  }
}

type Text = { readonly [K in keyof typeof PREVIEW_TEXT]: string };

/** The JSON the server put in a `<script type="application/json">` of the page. */
const fromPage = <T>(id: string): T => JSON.parse(document.getElementById(id)?.textContent ?? 'null') as T;

const state = fromPage<ClientState>('briefing-preview-state');
const text = fromPage<Text>('briefing-preview-text');
const scrollKey = `briefing-preview-scroll:${location.pathname}${location.search}`;
let overlay: HTMLElement | null = null;
let reloading = false;

function whenReady(fn: () => void): void {
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', fn);
  else fn();
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, children: Node[] = []): HTMLElementTagNameMap[K] {
  const e = Object.assign(document.createElement(tag), props);
  for (const c of children) e.appendChild(c);
  return e;
}

/** Outside <body>: Paged.js moves the body's content into its pages. */
function showProblems(lines: string[] | undefined): void {
  overlay?.remove();
  overlay = null;
  if (!lines?.length) return;
  const hide = el('button', { type: 'button', textContent: text.hide, onclick: () => showProblems([]) });
  overlay = el('div', { id: 'briefing-preview-overlay' }, [
    el('div', { role: 'alert' }, [hide, el('h2', { textContent: text.problemsTitle }), el('p', { textContent: text.problemsBody }), el('pre', { textContent: lines.join('\n') })]),
  ]);
  document.documentElement.appendChild(overlay);
}

function reload(): void {
  if (reloading) return;
  reloading = true;
  try {
    sessionStorage.setItem(scrollKey, String(window.scrollY));
  } catch {
    // No storage (a private window): the page reloads at its top.
  }
  location.reload();
}

function restoreScroll(): void {
  try {
    const y = sessionStorage.getItem(scrollKey);
    if (y !== null) {
      sessionStorage.removeItem(scrollKey);
      window.scrollTo(0, Number(y));
    }
  } catch {
    // As above.
  }
}

/** The bar's status: laying out, then the page count (and how the contents' numbers fared). */
let status: HTMLElement | null = null;

function bar(): void {
  const parts: HTMLElement[] = [el('a', { href: state.links.index, textContent: text.index })];
  if (state.paged) {
    status = el('span', { textContent: text.laying });
    parts.push(status);
  }
  if (state.links.pdf) parts.push(el('a', { href: state.links.pdf, textContent: text.pdf }));
  document.documentElement.appendChild(el('div', { id: 'briefing-preview-bar' }, parts));
}

// The contents' page numbers are the PDF's: the printed briefing takes them from its PDF's bookmarks
// (src/print/contents.ts), and so does this page, with the same functions, from the PDF the preview
// prints of this draft. Paged.js's sheets are an approximation of the printed pages; the numbers are
// not taken from them. The headings are read before Paged.js splits the sections into sheets.
let contents: Promise<ContentsPages> | null = null;

function askContents(): void {
  if (!state.links.contents) return;
  const headings = contentsHeadings();
  if (!headings.length) return;
  contents = fetch(state.links.contents, { cache: 'no-store' }).then(async (res) => {
    const body = (await res.json().catch(() => ({}))) as { bookmarks?: unknown; error?: string };
    if (!res.ok || !Array.isArray(body.bookmarks)) throw new Error(body.error || `HTTP ${res.status}`);
    const bookmarks = body.bookmarks as [string, number][];
    return contentsFromOutline({ bookmarks: () => bookmarks }, headings);
  });
  // Told in the bar once the sheets are laid out (laidOut), not as an unhandled rejection before.
  contents.catch(() => undefined);
}

/** The bar says how many pages once the sheets are laid out and the contents have their numbers. */
function laidOut(total: number): void {
  const pages = text.pages.replace(/\{n\}/g, String(total));
  if (!contents) {
    if (status) status.textContent = pages;
    return;
  }
  if (status) status.textContent = text.contentsPending;
  contents.then(
    (numbers) => {
      fillContents(numbers);
      if (status) status.textContent = pages;
    },
    (e: unknown) => {
      if (status) status.textContent = `${pages} · ${text.contentsFailed.replace('{why}', e instanceof Error ? e.message : String(e))}`;
    },
  );
}

if (state.paged) {
  window.PagedConfig = {
    auto: true,
    before() {
      try {
        correctPaged(window.Paged);
      } catch (e) {
        // Paged.js changed beneath the corrections: its own layout beats none.
        console.warn('briefing preview: Paged.js corrections not applied', e);
      }
      try {
        askContents();
      } catch (e) {
        contents = Promise.reject(e instanceof Error ? e : new Error(String(e)));
        contents.catch(() => undefined);
      }
    },
    after(flow) {
      laidOut(flow.total);
      restoreScroll();
    },
  };
}

function connect(): void {
  const es = new EventSource(state.events);
  es.addEventListener('hello', (e: MessageEvent<string>) => {
    const d = JSON.parse(e.data) as { serverId: string; generation: number; problems: string[] };
    if (d.serverId !== state.serverId || d.generation !== state.generation) return reload();
    showProblems(d.problems);
  });
  es.addEventListener('reload', (e: MessageEvent<string>) => {
    const d = JSON.parse(e.data) as { all?: boolean; pages: string[]; generation: number };
    if (d.all || (state.page && d.pages.includes(state.page))) reload();
    else state.generation = d.generation;
  });
  es.addEventListener('problems', (e: MessageEvent<string>) => showProblems((JSON.parse(e.data) as { lines: string[] }).lines));
  es.onerror = () => {
    if (es.readyState === EventSource.CLOSED) {
      es.close();
      setTimeout(connect, 1000);
    }
  };
}

whenReady(() => {
  // The index's edition selector submits its form on change (no inline handler: the CSP forbids them).
  for (const select of document.querySelectorAll<HTMLSelectElement>('select[data-submit-on-change]')) {
    select.addEventListener('change', () => select.form?.submit());
  }
  if (state.page) bar();
  showProblems(state.problems);
  if (!state.page) restoreScroll();
});
connect();

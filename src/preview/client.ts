/**
 * What the preview adds to a page: the state the server hands the page, the tags that load the client
 * (a real module, browser/client.ts, compiled to dist/ and served from there) and Paged.js, and the
 * screen stylesheet that shows Paged.js's pages as grey-framed A4 sheets. Nothing here loads from the
 * network.
 */

/** Every URL the preview serves for itself starts with this; drafts and fonts never do. */
export const PREVIEW_PREFIX = '/__preview/';
export const EVENTS_URL = `${PREVIEW_PREFIX}events`;
export const PAGED_URL = `${PREVIEW_PREFIX}paged.polyfill.js`;
/** `<CODE_PREFIX><module>`: the browser's modules, by their path under dist/. */
export const CODE_PREFIX = `${PREVIEW_PREFIX}dist/`;
/**
 * The compiled modules a page may load, by their path under dist/: the client and what it imports
 * (relative imports, so a module at CODE_PREFIX + its path finds the others there). Nothing else under
 * dist/ is served.
 */
export const BROWSER_MODULES = ['preview/browser/client.js', 'preview/browser/paged-fixes.js', 'print/contents.js'] as const;
export const CLIENT_URL = `${CODE_PREFIX}${BROWSER_MODULES[0]}`;
/** `<CONTENTS_PREFIX><edition>/<name>.json`: the bookmarks of the draft's PDF, `{ bookmarks: [title, page][] }`. */
export const CONTENTS_PREFIX = `${PREVIEW_PREFIX}contents/`;

/** What the server tells a page when it serves it. */
export interface PageState {
  /** Changes on every start of the server: a page that sees another id reloads. */
  serverId: string;
  /** The store's generation when the page was served; a page that reconnects to a newer one reloads. */
  generation: number;
  /** The draft's URL path, or undefined for the index. */
  page?: string;
  /** `file:line:col: message` lines to show over the page. */
  problems: string[];
  /** `contents`: where the page gets its PDF's bookmarks, for the contents' page numbers (CONTENTS_PREFIX). */
  links: { index: string; pdf?: string; contents?: string };
  /**
   * This response's script nonce: the page's Content-Security-Policy allows only scripts carrying it
   * (no 'unsafe-inline'). Never put in the page's JSON state. Without it (pages made outside the
   * server, in tests) the tags carry none.
   */
  nonce?: string;
}

/** What the client reads from the page (id `briefing-preview-state`): the state, without the nonce. */
export type ClientState = Omit<PageState, 'nonce'> & {
  /** The event stream's URL, naming the page. */
  events: string;
  /** The page lays its sheets out with Paged.js: a draft. */
  paged: boolean;
};

/** Text the overlay and the bar show; all of the preview's own words are here. */
export const PREVIEW_TEXT = {
  problemsTitle: '无法更新草稿 · The draft could not be updated',
  problemsBody: 'Beneath is the last draft that rendered. Fix the file and save: the page reloads by itself.',
  hide: 'Hide',
  index: 'Index · 目录',
  pdf: 'PDF',
  laying: 'laying out pages…',
  /** `{n}` is the page count Paged.js laid out. */
  pages: '{n} pages · 共 {n} 页',
  /** Shown once the sheets are laid out, until the contents have their page numbers. */
  contentsPending: 'contents: page numbers from the PDF… · 目录页码：正在打印 PDF…',
  /** After `pages`, when the PDF could not be printed; `{why}` is the server's reason. */
  contentsFailed: 'contents: no page numbers, the PDF could not be printed ({why}) · 目录无页码',
} as const;

/** JSON safe inside <script>: no `</script>`, no `<!--`. */
export const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');

const OVERLAY_CSS = `
#briefing-preview-overlay { position: fixed; inset: 0; z-index: 2147483647; background: rgba(20, 20, 20, .72); overflow: auto;
  font: 14px/1.5 system-ui, "Noto Sans SC", sans-serif; color: #fff; display: flex; align-items: flex-start; justify-content: center; padding: 48px 16px; }
#briefing-preview-overlay > div { background: #1e1e1e; border-top: 4px solid #e5484d; max-width: 980px; width: 100%; padding: 20px 24px; box-shadow: 0 8px 32px rgba(0,0,0,.5); }
#briefing-preview-overlay h2 { margin: 0 0 6px; font-size: 17px; color: #ff8589; }
#briefing-preview-overlay p { margin: 0 0 12px; color: #ccc; }
#briefing-preview-overlay pre { margin: 0; white-space: pre-wrap; word-break: break-word; font: 13px/1.6 ui-monospace, "DejaVu Sans Mono", monospace; color: #fdd; }
#briefing-preview-overlay button { float: right; font: inherit; background: #333; color: #fff; border: 1px solid #555; padding: 2px 10px; cursor: pointer; }
#briefing-preview-bar { position: fixed; top: 8px; right: 8px; z-index: 2147483646; font: 12px/1.4 system-ui, "Noto Sans SC", sans-serif;
  background: rgba(32, 33, 36, .88); color: #eee; padding: 4px 10px; border-radius: 4px; }
#briefing-preview-bar a { color: #8ab4f8; text-decoration: none; }
#briefing-preview-bar span + span::before, #briefing-preview-bar a + span::before, #briefing-preview-bar span + a::before, #briefing-preview-bar a + a::before { content: " · "; color: #999; }
@media print { #briefing-preview-overlay, #briefing-preview-bar { display: none; } }
`;

/** Paged.js lays the pages out in .pagedjs_pages; on screen they become sheets on grey. */
const SHEETS_CSS = `
@media screen {
  html { background: #6b6e73; }
  .pagedjs_pages { display: flex; flex-direction: column; align-items: center; padding: 40px 0 48px; }
  .pagedjs_page { background: #fff; margin: 0 0 18px; flex: none; box-shadow: 0 1px 3px rgba(0,0,0,.35), 0 6px 20px rgba(0,0,0,.3); }
}
`;

/** `nonce="…"` for a script tag, or nothing. A nonce is base64; anything else is refused rather than escaped. */
function nonceAttr(nonce: string | undefined): string {
  if (nonce === undefined) return '';
  if (!/^[A-Za-z0-9+/_-]+=*$/.test(nonce)) throw new Error(`not a nonce: ${JSON.stringify(nonce)}`);
  return ` nonce="${nonce}"`;
}

/**
 * The tags the preview puts at the end of a page's <head>: its state, its words, the stylesheets Paged.js
 * must leave alone (`data-pagedjs-ignore`), the client and, for drafts, Paged.js itself. Both scripts are
 * deferred (a module is), so they run in this order once the document is parsed: the client first sets
 * Paged.js's configuration. Every script tag carries the response's nonce.
 */
export function previewHead(state: PageState, opts: { paged: boolean }): string {
  const { nonce, ...shown } = state;
  const n = nonceAttr(nonce);
  const events = `${EVENTS_URL}${state.page ? `?page=${encodeURIComponent(state.page)}` : ''}`;
  const client: ClientState = { ...shown, events, paged: opts.paged };
  return [
    `<link rel="icon" href="data:,">`,
    `<script${n} type="application/json" id="briefing-preview-state">${scriptJson(client)}</script>`,
    `<script${n} type="application/json" id="briefing-preview-text">${scriptJson(PREVIEW_TEXT)}</script>`,
    `<style data-pagedjs-ignore>${OVERLAY_CSS}${opts.paged ? SHEETS_CSS : ''}</style>`,
    `<script${n} type="module" src="${CLIENT_URL}"></script>`,
    ...(opts.paged ? [`<script${n} defer src="${PAGED_URL}"></script>`] : []),
  ].join('\n');
}

/** The attributes of the start tag at `html[at]` (`<name …>`), read as an HTML parser does, and where the tag ends; undefined if it never ends. */
function readTag(html: string, at: number, name: string): { attrs: Map<string, string>; end: number } | undefined {
  const attrs = new Map<string, string>();
  const space = (c: string | undefined) => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f';
  let i = at + 1 + name.length;
  for (;;) {
    while (space(html[i]) || html[i] === '/') i++;
    if (i >= html.length) return undefined;
    if (html[i] === '>') return { attrs, end: i + 1 };
    const from = i;
    i++; // a name may start with "="
    while (i < html.length && !space(html[i]) && html[i] !== '/' && html[i] !== '>' && html[i] !== '=') i++;
    const key = html.slice(from, i).toLowerCase();
    while (space(html[i])) i++;
    let value = '';
    if (html[i] === '=') {
      i++;
      while (space(html[i])) i++;
      const q = html[i];
      if (q === '"' || q === "'") {
        const close = html.indexOf(q, i + 1);
        if (close < 0) return undefined;
        value = html.slice(i + 1, close);
        i = close + 1;
      } else {
        const v = i;
        while (i < html.length && !space(html[i]) && html[i] !== '>') i++;
        value = html.slice(v, i);
      }
    }
    if (!attrs.has(key)) attrs.set(key, value);
  }
}

/**
 * The document's own `<meta http-equiv="Content-Security-Policy" …>` tags, removed from its head (the part
 * before `</head>`, else before `<body`, else all of it), however written: any case, attributes in any
 * order, quoted with " or ' or not at all, `/>` or `>`, a `>` inside a quoted value. The printed
 * document forbids every script; the preview serves it with its own scripts under its own policy, sent
 * as a header.
 */
export function removeCspMeta(html: string): string {
  const lower = html.toLowerCase();
  const headEnd = lower.indexOf('</head');
  const bodyStart = lower.search(/<body[\s/>]/);
  const end = headEnd >= 0 ? headEnd : bodyStart >= 0 ? bodyStart : html.length;
  let out = '';
  let copied = 0;
  for (let at = lower.indexOf('<meta', 0); at >= 0 && at < end; at = lower.indexOf('<meta', at + 1)) {
    if (!/[\s/>]/.test(lower[at + 5] ?? '')) continue;
    const tag = readTag(html, at, 'meta');
    if (!tag) break;
    if (tag.attrs.get('http-equiv')?.trim().toLowerCase() !== 'content-security-policy') continue;
    out += html.slice(copied, at);
    copied = tag.end;
    at = tag.end - 1;
  }
  return out + html.slice(copied);
}

/**
 * A draft as the preview serves it: the HTML renderDraft made, without its own CSP meta tag, with the
 * preview's tags before </head>.
 */
export function injectPreview(html: string, state: PageState): string {
  const doc = removeCspMeta(html);
  const at = doc.indexOf('</head>');
  const head = previewHead(state, { paged: true });
  return at < 0 ? `${head}\n${doc}` : `${doc.slice(0, at)}${head}\n${doc.slice(at)}`;
}

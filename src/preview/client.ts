/**
 * What the preview adds to a page, as strings: the state the server hands the page, the client script
 * (reload on the server's word, the problem overlay, the contents' page numbers), and the screen
 * stylesheet that shows Paged.js's pages as grey-framed A4 sheets. Nothing here loads from the network.
 */
import { bookmarkTitle, contentsFromOutline, contentsHeadings, fillContents } from '../print/contents.js';

/** Every URL the preview serves for itself starts with this; drafts and fonts never do. */
export const PREVIEW_PREFIX = '/__preview/';
export const EVENTS_URL = `${PREVIEW_PREFIX}events`;
export const PAGED_URL = `${PREVIEW_PREFIX}paged.polyfill.js`;
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

/**
 * The client: connects to the event stream (EventSource reconnects by itself; a stream closed for good is
 * opened again), reloads when told or when the server restarted, shows problems over the page, and fills
 * in the contents' page numbers from the draft's PDF. Plain ES2017 so it runs as written in any current
 * browser, but for the functions of print/contents.ts it shares with the printer (ES2022, as compiled).
 */
const CLIENT_JS = `
(function () {
  var state = JSON.parse(document.getElementById('briefing-preview-state').textContent);
  var text = JSON.parse(document.getElementById('briefing-preview-text').textContent);
  var scrollKey = 'briefing-preview-scroll:' + location.pathname + location.search;
  var overlay = null;
  var reloading = false;

  function whenReady(fn) {
    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', fn);
    else fn();
  }
  function el(tag, props, children) {
    var e = document.createElement(tag);
    for (var k in props) e[k] = props[k];
    (children || []).forEach(function (c) { e.appendChild(c); });
    return e;
  }
  // Outside <body>: Paged.js moves the body's content into its pages.
  function showProblems(lines) {
    if (overlay) { overlay.remove(); overlay = null; }
    if (!lines || !lines.length) return;
    var hide = el('button', { type: 'button', textContent: text.hide, onclick: function () { overlay.remove(); overlay = null; } });
    overlay = el('div', { id: 'briefing-preview-overlay' }, [el('div', { role: 'alert' }, [
      hide, el('h2', { textContent: text.problemsTitle }), el('p', { textContent: text.problemsBody }),
      el('pre', { textContent: lines.join('\\n') })])]);
    document.documentElement.appendChild(overlay);
  }
  function reload() {
    if (reloading) return;
    reloading = true;
    try { sessionStorage.setItem(scrollKey, String(window.scrollY)); } catch (e) {}
    location.reload();
  }
  function restoreScroll() {
    try {
      var y = sessionStorage.getItem(scrollKey);
      if (y !== null) { sessionStorage.removeItem(scrollKey); window.scrollTo(0, Number(y)); }
    } catch (e) {}
  }
  var status = null;
  function bar() {
    var parts = [el('a', { href: state.links.index, textContent: text.index })];
    if (window.PagedPolyfill) {
      status = el('span', { textContent: text.laying });
      parts.push(status);
    }
    if (state.links.pdf) parts.push(el('a', { href: state.links.pdf, textContent: text.pdf }));
    document.documentElement.appendChild(el('div', { id: 'briefing-preview-bar' }, parts));
  }
  // The contents' page numbers are the PDF's: the printed briefing takes them from its PDF's bookmarks
  // (src/print/contents.ts), and so does this page, with the same functions, from the PDF the preview
  // prints of this draft. Paged.js's sheets are an approximation of the printed pages; the numbers
  // are not taken from them. The headings are read before Paged.js splits the sections into sheets.
  ${contentsHeadings.toString()}
  ${bookmarkTitle.toString()}
  ${contentsFromOutline.toString()}
  ${fillContents.toString()}
  var contents = null;
  function askContents() {
    if (!state.links.contents) return;
    var headings = contentsHeadings();
    if (!headings.length) return;
    contents = fetch(state.links.contents, { cache: 'no-store' }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (body) {
        if (!res.ok || !Array.isArray(body.bookmarks)) throw new Error(body.error || ('HTTP ' + res.status));
        return contentsFromOutline({ bookmarks: function () { return body.bookmarks; } }, headings);
      });
    });
    // Told in the bar once the sheets are laid out (laidOut), not as an unhandled rejection before.
    contents.catch(function () {});
  }
  // The bar says how many pages once the sheets are laid out and the contents have their numbers.
  function laidOut(total) {
    var pages = text.pages.replace(/\\{n\\}/g, String(total));
    if (!contents) { if (status) status.textContent = pages; return; }
    if (status) status.textContent = text.contentsPending;
    contents.then(function (numbers) {
      fillContents(numbers);
      if (status) status.textContent = pages;
    }, function (e) {
      if (status) status.textContent = pages + ' · ' + text.contentsFailed.replace('{why}', e && e.message ? e.message : String(e));
    });
  }
  window.PagedConfig = {
    auto: true,
    before: function () {
      try { askContents(); } catch (e) { contents = Promise.reject(e); contents.catch(function () {}); }
    },
    after: function (flow) {
      laidOut(flow.total);
      restoreScroll();
    },
  };

  function connect() {
    var es = new EventSource(state.events);
    es.addEventListener('hello', function (e) {
      var d = JSON.parse(e.data);
      if (d.serverId !== state.serverId || d.generation !== state.generation) return reload();
      showProblems(d.problems);
    });
    es.addEventListener('reload', function (e) {
      var d = JSON.parse(e.data);
      if (d.all || (state.page && d.pages.indexOf(state.page) >= 0)) reload();
      else state.generation = d.generation;
    });
    es.addEventListener('problems', function (e) { showProblems(JSON.parse(e.data).lines); });
    es.onerror = function () {
      if (es.readyState === 2) { es.close(); setTimeout(connect, 1000); }
    };
  }

  whenReady(function () {
    // The index's edition selector submits its form on change (no inline handler: the CSP forbids them).
    var selects = document.querySelectorAll('select[data-submit-on-change]');
    for (var i = 0; i < selects.length; i++) selects[i].addEventListener('change', function () { this.form.submit(); });
    if (state.page) bar();
    showProblems(state.problems);
    if (!state.page) restoreScroll();
  });
  connect();
})();
`;

/**
 * Two corrections to Paged.js 0.4, so the sheets follow print.css as Chromium's own printing does.
 * They run after paged.polyfill.js has loaded and before it lays out (at DOM ready).
 *   1. A later @page rule's margin box replaces an earlier one's instead of cascading with it: print.css
 *      styles @top-left (font, colour, alignment) and briefing.hbs gives it its content in a second
 *      @page rule, so the running header lost its style. The two blocks are merged, earlier first.
 *   2. Rules with "+" (span.primary + span.secondary …) are rewritten to attribute selectors, which drops
 *      their ::before and their specificity (the "· " between a table's two figures vanished). They are
 *      left as written; adjacency only matters within one line here, which a page break never splits.
 */
const PAGED_FIXES_JS = `
(function () {
  var handlers = (window.Paged && window.Paged.registeredHandlers) || [];
  var named = function (name) { return handlers.filter(function (h) { return h.name === name; })[0]; };
  var AtPage = named('AtPage');
  if (AtPage) {
    var onAtPage = AtPage.prototype.onAtPage;
    AtPage.prototype.onAtPage = function (node, item, list) {
      var before = {};
      for (var sel in this.pages) before[sel] = Object.assign({}, this.pages[sel].marginalia);
      var result = onAtPage.call(this, node, item, list);
      for (var s in before) {
        var now = this.pages[s].marginalia;
        for (var loc in before[s]) {
          if (now[loc] && now[loc] !== before[s][loc]) now[loc].children.prependList(before[s][loc].children);
        }
      }
      return result;
    };
  }
  var Following = named('Following');
  if (Following) {
    Following.prototype.onRule = function () {};
    Following.prototype.afterParsed = function () {};
  }
})();
`;

/** `nonce="…"` for a script tag, or nothing. A nonce is base64; anything else is refused rather than escaped. */
function nonceAttr(nonce: string | undefined): string {
  if (nonce === undefined) return '';
  if (!/^[A-Za-z0-9+/_-]+=*$/.test(nonce)) throw new Error(`not a nonce: ${JSON.stringify(nonce)}`);
  return ` nonce="${nonce}"`;
}

/**
 * The tags the preview puts at the end of a page's <head>: its state, its words, the stylesheets Paged.js
 * must leave alone (`data-pagedjs-ignore`), the client, and, for drafts, Paged.js itself. Every script
 * tag carries the response's nonce.
 */
export function previewHead(state: PageState, opts: { paged: boolean }): string {
  const { nonce, ...shown } = state;
  const n = nonceAttr(nonce);
  const events = `${EVENTS_URL}${state.page ? `?page=${encodeURIComponent(state.page)}` : ''}`;
  return [
    `<link rel="icon" href="data:,">`,
    `<script${n} type="application/json" id="briefing-preview-state">${scriptJson({ ...shown, events })}</script>`,
    `<script${n} type="application/json" id="briefing-preview-text">${scriptJson(PREVIEW_TEXT)}</script>`,
    `<style data-pagedjs-ignore>${OVERLAY_CSS}${opts.paged ? SHEETS_CSS : ''}</style>`,
    `<script${n}>${CLIENT_JS}</script>`,
    ...(opts.paged ? [`<script${n} src="${PAGED_URL}"></script>`, `<script${n}>${PAGED_FIXES_JS}</script>`] : []),
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

/**
 * Escaping for every context a string from the data can land in on the page. Each function takes the
 * raw text (as written in data/) and returns what is safe to write in its context, where the browser
 * reads it back as exactly that text: nothing from the data becomes markup, a rule or a script.
 *
 *   context                         function    used by (src/render/html.ts unless named)
 *   HTML text                       htmlText    the `bi` helper's text; Handlebars' own {{ }} elsewhere
 *   HTML attribute (double-quoted)  htmlAttr    the `bi` helper's class and lang; Handlebars' {{ }} for
 *                                               id="fact-{{id}}", href="#{{id}}", lang="{{lang}}", aria-label
 *   CSS string literal              cssString   the running header and footer (@page margin boxes),
 *                                               font-face family and url() (render/fonts.ts)
 *   CSS colour                      cssColor    `:root { --accent }`
 *   URL                             safeUrl     the `url` helper (no template prints a URL from the data yet)
 *   SVG text and attributes         svgText     (Vega writes the charts and escapes their text itself;
 *                                               inertSvg checks what it wrote: src/charts/render.ts and
 *                                               the `inertSvg` helper)
 *
 * Handlebars' default {{ }} escaping is right for HTML text and double-quoted attributes (it escapes the
 * same characters as htmlText). The danger is triple braces and helpers that return a SafeString: every
 * such helper builds its output from these functions only.
 */

/** A value the page cannot hold safely: thrown instead of writing it. A fault of the program, not the data. */
export class UnsafeOutput extends Error {}

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#x27;', '`': '&#x60;', '=': '&#x3D;' };

/** Text inside an element (not <script>, <style> or <title>'s raw-text kin, which never get data). Same output as Handlebars.escapeExpression. */
export function htmlText(s: unknown): string {
  return String(s ?? '').replace(/[&<>"'`=]/g, (c) => HTML_ENTITIES[c]!);
}

/** The value of a double-quoted attribute. (Escapes the same characters as htmlText: quotes included.) */
export const htmlAttr = htmlText;

/**
 * A CSS string literal, with its double quotes, for a stylesheet inside the page's <style> block.
 * Every character that could end the string (quotes, a backslash, a newline), the <style> element
 * (`</style`), or start a comment in HTML (`<!--`) is written as a CSS escape: `\3C ` for `<`. The space
 * after a hex escape is part of the escape, so the next character can never extend it. A newline becomes
 * `\A ` (a line break where white-space allows one). NUL, which CSS reads as U+FFFD, is written as U+FFFD.
 */
export function cssString(s: unknown): string {
  let out = '"';
  for (const ch of String(s ?? '')) {
    const c = ch.codePointAt(0)!;
    if (c === 0) out += '\uFFFD';
    else if (c < 0x20 || c === 0x7f || ch === '"' || ch === "'" || ch === '\\' || ch === '<' || ch === '>' || ch === '&') out += `\\${c.toString(16).toUpperCase()} `;
    else out += ch;
  }
  return `${out}"`;
}

/** A colour for CSS: `#rgb` or `#rrggbb` (the schema allows only #rrggbb); anything else is refused. */
export function cssColor(s: unknown): string {
  const v = String(s ?? '');
  if (!/^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/.test(v)) throw new UnsafeOutput(`not a colour: ${JSON.stringify(v).slice(0, 80)}`);
  return v;
}

const URL_SCHEMES = new Set(['http:', 'https:', 'mailto:']);

/**
 * A link target: an absolute http:, https: or mailto: URL, normalised; anything else (javascript:,
 * data:, file:, relative paths, text with spaces or control characters) is dropped: ''.
 * The result still goes through htmlAttr (Handlebars' {{ }}) when written into an attribute.
 */
export function safeUrl(s: unknown): string {
  const v = String(s ?? '').trim();
  if (!v || /[\s\u0000-\u001f\u007f]/.test(v)) return '';
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    return '';
  }
  return URL_SCHEMES.has(url.protocol) ? url.href : '';
}

const XML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text or a double-quoted attribute value inside SVG (XML): control characters XML forbids are dropped. */
export function svgText(s: unknown): string {
  return String(s ?? '')
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/[&<>"']/g, (c) => XML_ENTITIES[c]!);
}

/** What a chart may contain: shapes and text, nothing that runs, loads or embeds. */
const SVG_ELEMENTS = new Set([
  'svg', 'g', 'path', 'rect', 'circle', 'ellipse', 'line', 'polyline', 'polygon', 'text', 'tspan',
  'defs', 'clipPath', 'linearGradient', 'radialGradient', 'stop', 'title', 'desc',
]);
const TAG = /<(\/?)([A-Za-z][A-Za-z0-9:-]*)((?:\s+[A-Za-z_:][A-Za-z0-9_:.-]*="[^"<]*")*)\s*(\/?)>/y;
const ATTR = /([A-Za-z_:][A-Za-z0-9_:.-]*)="([^"<]*)"/g;

/**
 * Checks an SVG drawn by the program (Vega) before it goes into the page unescaped, and returns it:
 * every `<` must open a well-formed tag of an allowed element (no <script>, <style>, <foreignObject>,
 * <image>, <use>, <a>, animation, comment, CDATA or processing instruction); no attribute is an event
 * handler, a link (href, src) or a style; a url() only points inside the SVG (`url(#clip)`).
 * Text between tags then holds no markup. Throws UnsafeOutput otherwise.
 */
export function inertSvg(svg: string): string {
  const fail = (why: string, at: number): never => {
    throw new UnsafeOutput(`chart SVG refused: ${why} at ${at}: ${JSON.stringify(svg.slice(at, at + 60))}`);
  };
  if (!/^<svg[\s>]/.test(svg) || !svg.endsWith('</svg>')) fail('not a single <svg> element', 0);
  for (let at = svg.indexOf('<'); at >= 0; at = svg.indexOf('<', at + 1)) {
    TAG.lastIndex = at;
    const m = TAG.exec(svg);
    if (!m) return fail('not a plain tag', at);
    const [, , name, attrs] = m;
    if (!SVG_ELEMENTS.has(name!)) fail(`element <${name}>`, at);
    for (const [, attr, value] of attrs!.matchAll(ATTR)) {
      const a = attr!.toLowerCase();
      if (a.startsWith('on') || a === 'href' || a.endsWith(':href') || a === 'src' || a === 'style') fail(`attribute ${attr}`, at);
      // Entities are decoded first: the page reads `&#x75;rl(` as `url(`.
      const decoded = decodeEntities(value!);
      if ((decoded.match(/url\s*\(/gi)?.length ?? 0) !== (decoded.match(/url\(#[\w-]+\)/g)?.length ?? 0)) fail(`url() in ${attr}`, at);
    }
  }
  return svg;
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);?/gi, (whole, e: string) => {
    if (e[0] !== '#') return NAMED[e.toLowerCase()] ?? whole;
    const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '\uFFFD';
  });
}

/**
 * The Content Security Policy of a briefing. templates/briefing.hbs writes it into every HTML draft as
 * a <meta http-equiv>, and printing puts it into the printed copy again (src/print/pdf.ts), so a
 * document printed from other templates (`--templates`) has it too. Two identical policies enforce
 * the same as one.
 *
 * A briefing is a document: it needs its own inline stylesheet, its font files (beside it, under
 * `fonts/`, so 'self') and nothing else. No script of its own: printing measures and fills the page
 * over the DevTools protocol, which no policy restricts, with the page's JavaScript turned off.
 *
 *   default-src 'none'        everything not named below, including <link rel=prefetch>, preconnect,
 *                             manifests, media
 *   script-src 'none'         no script at all: inline, file, eval, javascript: URLs, event handlers
 *   style-src 'unsafe-inline' the page's own <style> block and the style attributes of its markup.
 *                             'unsafe-inline' for styles only, not a hash: the <style> block holds each
 *                             briefing's own font faces and running header, so its hash differs per
 *                             document (and printing adds a style of its own). A style cannot run code,
 *                             every load a style could make (url() of a font or an image) is bound by
 *                             font-src and img-src below, and the data reaches the stylesheet only
 *                             through cssString (render/escape.ts).
 *   font-src 'self' data:     the document's font subsets
 *   img-src 'self' data:      (no images today; the charts are inline SVG)
 *   connect-src 'none'        fetch, XMLHttpRequest, WebSocket, EventSource, sendBeacon
 *   worker-src, frame-src, child-src, object-src 'none'
 *   base-uri, form-action 'none'
 *
 * Not covered by a policy: WebRTC (no directive; with script-src 'none' nothing can start it), a page
 * navigating itself (<meta http-equiv=refresh>), and, in the full Chromium, the bare TCP connection it
 * opens for <link rel=preconnect> or an <iframe> before refusing it. While printing, scripts are off,
 * request interception refuses navigations, and the browser is launched with every host lookup and
 * WebRTC's UDP disabled (src/print/browser.ts, src/print/pdf.ts).
 *
 * A server that shows a draft with scripts of its own (the preview) must remove the meta tag (a meta
 * policy can only be tightened by another policy, never loosened) and send a policy of its own.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'none'",
  "style-src 'unsafe-inline'",
  "font-src 'self' data:",
  "img-src 'self' data:",
  "connect-src 'none'",
  "worker-src 'none'",
  "frame-src 'none'",
  "child-src 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/** The tag, as templates/briefing.hbs writes it (`content="{{contentSecurityPolicy}}"`). */
export const CSP_META = `<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">`;

const HEAD = /<head(?:\s[^>]*)?>/i;

/** The document with the policy as the first element of its <head> (or before everything, without one). */
export function withContentSecurityPolicy(html: string): string {
  const head = HEAD.exec(html);
  if (head) return html.slice(0, head.index + head[0].length) + CSP_META + html.slice(head.index + head[0].length);
  const doctype = /^\s*<!doctype[^>]*>/i.exec(html);
  const at = doctype ? doctype[0].length : 0;
  return html.slice(0, at) + CSP_META + html.slice(at);
}

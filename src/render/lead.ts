import markdownIt, { type MarkdownIt } from 'markdown-it';
import { CITE_CLOSE, CITE_OPEN } from '../data/leads.js';
import type { LeadText, Refs } from '../model/format.js';
import { htmlAttr, htmlText } from './escape.js';

/**
 * A lead's Markdown as HTML. markdown-it (rather than a hand-made subset) gives analysts the Markdown they
 * know, paragraphs, emphasis and lists, with CommonMark's edge cases right. It is set up so that nothing
 * in a lead becomes markup or reaches the network: raw HTML is off (printed as text, escaped), and links,
 * images and autolinks are off (printed as the text that was typed). Each cited figure's place, marked by
 * leadView, is replaced after rendering by the figure and its source marker, escaped here.
 */
let md: MarkdownIt | undefined;
const markdown = () => (md ??= markdownIt('commonmark', { html: false, linkify: false, typographer: false }).disable(['link', 'image', 'autolink', 'html_inline', 'html_block', 'reference']));

/** A source marker, "[1, 3]", each number a link to its source on the sources page. */
export function refsHtml(refs: Refs): string {
  if (!refs.length) return '';
  return `<span class="ref">[${refs.map((r) => `<a href="#source-${htmlAttr(r)}">${htmlText(r)}</a>`).join(', ')}]</span>`;
}

export function leadHtml(lead: LeadText): string {
  const html = markdown().render(lead.markdown);
  return html.replace(new RegExp(`${CITE_OPEN}(\\d+)${CITE_CLOSE}`, 'g'), (_: string, i: string) => {
    const f = lead.figures[Number(i)];
    return f ? `<span class="figure">${htmlText(f.text)}</span>${refsHtml(f.refs)}` : '';
  });
}

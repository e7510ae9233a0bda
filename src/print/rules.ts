/**
 * The editor's rules, measured on the laid-out page (check.ts's data/editorial.ts holds the sheets to them;
 * this holds the printed page, whatever the templates made of the data):
 *   (a) English text (the nearest lang is en) holds no Chinese characters;
 *   (b) English text holds no straight double quote: “ and ” are printed;
 *   (c) a value the template marks `data-value` (a chip, a tile's figure) does not repeat its English label in the noun after
 *       the number ("Platforms: 77 platforms").
 *
 * Runs in the page, sent as source text next to measureLayout (pdf.ts's laidOut): it must stay
 * self-contained, with no imports or helpers from outside its body. Returns one message per element.
 */
export function editorialLayout(): string[] {
  const out: string[] = [];
  const HAN = /\p{Script=Han}/u;
  const name = (el: Element) => (el.id ? `#${el.id}` : `${el.tagName.toLowerCase()}${[...el.classList].map((c) => `.${c}`).join('')}`) + ` "${(el.textContent ?? '').trim().slice(0, 24)}"`;
  const english = (el: Element | null) => /^en(-|$)/i.test(el?.closest('[lang]')?.getAttribute('lang') ?? '');

  // (a), (b): each text's language is its nearest lang attribute; an element is told once per rule.
  const han = new Set<Element>();
  const straight = new Set<Element>();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest('style, script') || !english(parent)) continue;
    const owner = parent.closest('[lang]')!;
    const text = node.textContent ?? '';
    if (HAN.test(text)) han.add(owner);
    if (text.includes('"')) straight.add(owner);
  }
  for (const el of han) out.push(`English text ${name(el)} holds Chinese characters: translate or transliterate them in the data`);
  for (const el of straight) out.push(`English text ${name(el)} holds a straight double quote ("): write “ and ” in the data`);

  // (c): "label: number noun" where a word of the noun is a word of the label, folded to its singular.
  const STOP = new Set(['a', 'an', 'and', 'as', 'at', 'by', 'for', 'from', 'in', 'into', 'its', 'of', 'on', 'or', 'per', 'than', 'the', 'their', 'to', 'with']);
  const singular = (w: string) => {
    if (/(ss|us|is)$/.test(w) || w.length < 3) return w;
    if (/[^aeiou]ies$/.test(w)) return `${w.slice(0, -3)}y`;
    if (/(s|x|z|ch|sh)es$/.test(w)) return w.slice(0, -2);
    return w.endsWith('s') ? w.slice(0, -1) : w;
  };
  const words = (text: string) => (text.toLowerCase().match(/[\p{L}]+/gu) ?? []).filter((w) => !STOP.has(w)).map(singular);
  for (const chip of document.querySelectorAll('[data-value]')) {
    const parts = english(chip) ? [chip] : [...chip.querySelectorAll('[lang]')].filter((el) => english(el));
    for (const part of parts) {
      const text = (part.textContent ?? '').replace(/\s+/g, ' ').trim();
      const m = /^([^:]+):\s*[^\d]*\d[\d,.]*\s*(.*)$/.exec(text);
      if (!m) continue;
      const label = new Set(words(m[1]!));
      const repeated = words(m[2]!).filter((w) => label.has(w));
      if (repeated.length) out.push(`value ${name(part)} repeats its label in its noun ("${text.slice(0, 60)}"; repeated: ${repeated.join(', ')}): drop the label or the repeated word in the data`);
    }
  }
  return out;
}

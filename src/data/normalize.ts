import * as OpenCC from 'opencc-js';

/**
 * Source texts arrive damaged: HTML tags and entities, pinyin after characters (動(dòng)力),
 * Traditional characters, typesetting markup (PM_{2.5}), line breaks inside sentences.
 * normalizeText folds all of that away so a clean Simplified quote can be found in a damaged text.
 */
const toSimplified = OpenCC.Converter({ from: 'hk', to: 'cn' });

const ENTITIES: Record<string, string> = {
  nbsp: ' ', ensp: ' ', emsp: ' ', thinsp: ' ', amp: '&', lt: '<', gt: '>', quot: '"', apos: "'",
  ldquo: '“', rdquo: '”', lsquo: '‘', rsquo: '’', middot: '·', mdash: '—', ndash: '–', hellip: '…', times: '×', yen: '¥', copy: '©',
};

/**
 * Markup out, visible text kept. A saved web page loses its <head>, scripts, styles and comments whole;
 * tags go, also those whose attributes run over several lines; a tag starts with "<" and a letter, / ! or ?,
 * so "<5%" and "a < b" stay. Entities are decoded (a number beyond Unicode is left as written);
 * PM_{2.5} → PM2.5.
 */
export function stripMarkup(text: string): string {
  return text
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<(script|style|head)(?=[\s>])[^>]*>[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<[a-z!/?][^>\n]*>/gi, '')
    .replace(/<[a-z!/][^<>]{0,2000}>/gi, '')
    .replace(/&#x([0-9a-f]{1,6});/gi, (m, h: string) => codePoint(m, parseInt(h, 16)))
    .replace(/&#(\d{1,7});/g, (m, d: string) => codePoint(m, Number(d)))
    .replace(/&([a-z]+);/gi, (m, name: string) => ENTITIES[name.toLowerCase()] ?? m)
    .replace(/_\{([^}]*)\}/g, '$1');
}

function codePoint(entity: string, n: number): string {
  return n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : entity;
}

/** Pinyin in parentheses straight after a Han character: 動(dòng) → 動. */
const PINYIN = /(\p{Script=Han})\(([a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹ][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹ]*)\)/gu;

/** Every place a normalised quote stands in a normalised text, as [from, to) spans (none for an empty quote). */
export function quoteSpans(text: string, q: string): [number, number][] {
  const out: [number, number][] = [];
  for (let p = text.indexOf(q); p >= 0 && q; p = text.indexOf(q, p + 1)) out.push([p, p + q.length]);
  return out;
}

export function normalizeText(text: string): string {
  const plain = stripMarkup(text).replace(PINYIN, '$1');
  return toSimplified(plain.normalize('NFKC')).replace(/\s+/gu, '');
}

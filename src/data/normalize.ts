import * as OpenCC from 'opencc-js';

/**
 * Source texts arrive damaged: HTML tags and entities, pinyin after characters (動(dòng)力),
 * Traditional characters, typesetting markup (PM_{2.5}), line breaks inside sentences.
 * normalizeText folds all of that away so a clean Simplified quote can be found in a damaged text.
 */
const toSimplified = OpenCC.Converter({ from: 'hk', to: 'cn' });

const ENTITIES: Record<string, string> = { nbsp: ' ', amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", ldquo: '“', rdquo: '”', middot: '·', mdash: '—' };

export function stripMarkup(text: string): string {
  return text
    .replace(/<[^>\n]*>/g, '')
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&([a-z]+);/gi, (m, name: string) => ENTITIES[name.toLowerCase()] ?? m)
    .replace(/_\{([^}]*)\}/g, '$1');
}

/** Pinyin in parentheses straight after a Han character: 動(dòng) → 動. */
const PINYIN = /(\p{Script=Han})\(([a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹ][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹ]*)\)/gu;

export function normalizeText(text: string): string {
  const plain = stripMarkup(text).replace(PINYIN, '$1');
  return toSimplified(plain.normalize('NFKC')).replace(/\s+/gu, '');
}

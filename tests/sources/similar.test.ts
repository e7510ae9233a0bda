import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as OpenCC from 'opencc-js';
import { describe, expect, it } from 'vitest';
import { normalizeText } from '../../src/data/normalize.js';
import { DUPLICATE_SHARE, findDuplicate, MIN_SHARED_CHARS, overlap } from '../../src/sources/similar.js';

const root = path.resolve(import.meta.dirname, '../..');
const dir = path.join(root, 'data/sources');
const seeds = readdirSync(dir)
  .filter((f) => f.endsWith('.txt'))
  .sort()
  .map((f) => ({ id: f.replace(/\.txt$/, ''), text: readFileSync(path.join(dir, f), 'utf8') }));
const byPrefix = (p: string) => seeds.find((s) => s.id.startsWith(p))!;
const [s000, s001, s002, s003, s004] = ['000', '001', '002', '003', '004'].map(byPrefix) as [typeof seeds[0], typeof seeds[0], typeof seeds[0], typeof seeds[0], typeof seeds[0]];
const others = (s: { id: string }) => seeds.filter((o) => o.id !== s.id);
const ownWords = readFileSync(path.join(root, 'tests/fixtures/intake/similar-own-words.txt'), 'utf8');

const toTraditional = OpenCC.Converter({ from: 'cn', to: 'hk' });
const toSimplified = OpenCC.Converter({ from: 'hk', to: 'cn' });
const sentences = (t: string) => t.split(/(?<=[。！？])/u);

/** A small seeded generator (mulberry32). */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('overlap of the five seeds', () => {
  const matrix = seeds.map((a) => seeds.map((b) => overlap(a.text, b.text).aInB));

  it('prints the matrix (share of the row text in the column text)', () => {
    const head = seeds.map((s) => s.id.slice(0, 3).padStart(7)).join('');
    const rows = matrix.map((row, i) => seeds[i]!.id.slice(0, 3) + row.map((v) => v.toFixed(3).padStart(7)).join(''));
    console.log(['a in b' + head.slice(3), ...rows].join('\n'));
    for (let i = 0; i < seeds.length; i++) expect(matrix[i]![i]).toBe(1);
  });

  it('is one measure both ways round', () => {
    const ab = overlap(s002.text, s003.text);
    const ba = overlap(s003.text, s002.text);
    expect(ab).toEqual({ aInB: ba.bInA, bInA: ba.aInB });
  });

  it('finds the passages 000/001 and 002/003 share, and next to nothing elsewhere', () => {
    const at = (a: string, b: string) => matrix[Number(a)]![Number(b)]!;
    // 000 and 001 share whole sentences (a 48-character quote of a worker, the medical-insurance passage…)
    expect(at('000', '001')).toBeGreaterThan(0.18);
    expect(at('000', '001')).toBeLessThan(0.25);
    expect(at('001', '000')).toBeGreaterThan(0.1);
    expect(at('001', '000')).toBeLessThan(0.16);
    // 002 and 003 both carry the press conference's wording of the six plans' targets
    expect(at('002', '003')).toBeGreaterThan(0.2);
    expect(at('002', '003')).toBeLessThan(0.3);
    expect(at('003', '002')).toBeGreaterThan(0.3);
    expect(at('003', '002')).toBeLessThan(0.42);
    for (let i = 0; i < 5; i++) {
      for (let j = 0; j < 5; j++) {
        const paired = (i < 2 && j < 2) || (i >= 2 && i <= 3 && j >= 2 && j <= 3);
        if (!paired && i !== j) expect(matrix[i]![j], `${i} in ${j}`).toBeLessThan(0.02);
      }
    }
  });

  it('sets the threshold with a margin of two on both sides', () => {
    const unrelated = Math.max(...matrix.flatMap((row, i) => row.filter((_, j) => i !== j && !((i < 2 && j < 2) || (i >= 2 && i <= 3 && j >= 2 && j <= 3)))));
    const weakerPair = Math.min(Math.max(matrix[0]![1]!, matrix[1]![0]!), Math.max(matrix[2]![3]!, matrix[3]![2]!));
    expect(unrelated * 2).toBeLessThan(DUPLICATE_SHARE);
    expect(DUPLICATE_SHARE * 2).toBeLessThan(weakerPair);
  });

  it('reports each seed of a pair as repeating the other, and 004 as new', () => {
    expect(findDuplicate(s000.text, others(s000))?.id).toBe(s001.id);
    expect(findDuplicate(s001.text, others(s001))?.id).toBe(s000.id);
    expect(findDuplicate(s002.text, others(s002))?.id).toBe(s003.id);
    expect(findDuplicate(s003.text, others(s003))).toEqual({ id: s002.id, share: overlap(s003.text, s002.text).aInB });
    expect(findDuplicate(s004.text, others(s004))).toBeUndefined();
  });
});

describe('findDuplicate: the same article again', () => {
  it('finds a copy re-saved with other line breaks and indents', () => {
    const resaved = s000.text.replace(/　　/g, '\r\n\r\n  ');
    expect(findDuplicate(resaved, seeds)).toEqual({ id: s000.id, share: 1 });
  });

  it('finds a copy saved as a web page', () => {
    const paragraphs = s002.text.split(/\n\s*\n/).filter((p) => p.trim());
    const page = [
      '<!DOCTYPE html><html><head><meta charset="utf-8"><title>太忻一体化经济区建设出台系列措施_山西新闻网</title>',
      '<script>var nav = "首页 新闻 经济";</script><style>p { text-indent: 2em; }</style></head><body>',
      '<div class="nav"><a href="/">首页</a> | <a href="/xw/">新闻</a></div>',
      ...paragraphs.map((p) => `<p>${p.replace(/\n/g, '')}</p>`),
      '<div class="footer">版权所有 山西新闻网</div></body></html>',
    ].join('\n');
    const found = findDuplicate(page, seeds);
    expect(found?.id).toBe(s002.id);
    expect(found!.share).toBeGreaterThan(0.97);
  });

  it('finds 001 cleaned to Simplified without its pinyin', () => {
    const clean = toSimplified(s001.text.replace(/[(?][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹ]+\)/gu, ''));
    expect(clean).toContain('融入京津冀 “北引擎”动力澎湃——我省高起点建设太忻一体化经济区');
    const found = findDuplicate(clean, seeds);
    expect(found?.id).toBe(s001.id);
    expect(found!.share).toBeGreaterThan(0.95);
  });

  it('finds 000 converted to Traditional and damaged with pinyin', () => {
    let n = 0;
    const damaged = toTraditional(s000.text).replace(/\p{Script=Han}/gu, (c: string) => (++n % 4 === 0 ? `${c}(zhōng)` : c));
    expect(damaged).toContain('經(zhōng)');
    const found = findDuplicate(damaged, seeds);
    expect(found?.id).toBe(s000.id);
    expect(found!.share).toBeGreaterThan(0.95);
  });

  it('finds 004 with a few sentences cut and a paragraph added', () => {
    const cut = sentences(s004.text).filter((_, i) => i % 8 !== 3);
    const edited = [...cut, '\n\n记者了解到，今年两地还将联合举办招商推介活动，进一步完善产业协作机制。'].join('');
    const { aInB, bInA } = overlap(edited, s004.text);
    expect(aInB).toBeGreaterThan(0.95);
    expect(bInA).toBeGreaterThan(0.8);
    expect(findDuplicate(edited, seeds)?.id).toBe(s004.id);
  });

  it('finds a reprint of part of a source, and a text that holds a whole source', () => {
    const third = sentences(s003.text);
    const excerpt = third.slice(0, Math.floor(third.length / 3)).join('');
    expect(findDuplicate(excerpt, seeds)?.id).toBe(s003.id);
    expect(overlap(excerpt, s003.text).aInB).toBeGreaterThan(0.95);

    const compilation = `${ownWords}\n\n${s004.text}`;
    const found = findDuplicate(compilation, seeds);
    expect(found?.id).toBe(s004.id);
    expect(overlap(compilation, s004.text).bInA).toBeGreaterThan(0.99);
  });
});

describe('findDuplicate: a new article', () => {
  it('does not flag an article on the same zone that repeats the same figures in its own words', () => {
    for (const figure of ['591亿元', '342公里', '22.4万人次', '186.1亿元', '76.3%']) {
      expect(ownWords).toContain(figure);
      expect(seeds.some((s) => normalizeText(s.text).includes(figure))).toBe(true);
    }
    expect(findDuplicate(ownWords, seeds)).toBeUndefined();
    for (const s of seeds) {
      const { aInB, bInA } = overlap(ownWords, s.text);
      expect(aInB).toBeLessThan(0.02);
      expect(bInA).toBeLessThan(0.02);
    }
  });

  it('does not flag a short note made of the zone’s stock phrases', () => {
    const note = '太忻一体化经济区建设持续推进。力争到2025年，太忻一体化经济区打造成为山西中部城市群发展的北引擎。';
    expect(overlap(note, s002.text).aInB).toBeGreaterThan(0.3); // "力争到2025年，太忻一体化经济区" is 17 of its 47 characters…
    expect(findDuplicate(note, seeds)).toBeUndefined(); // …but far from MIN_SHARED_CHARS
    expect(MIN_SHARED_CHARS).toBeLessThan(0.21 * 1822); // what 000 shares with 001
  });

  it('gives 0, not NaN, for texts too short to compare', () => {
    expect(overlap('', s000.text)).toEqual({ aInB: 0, bInA: 0 });
    expect(overlap('太忻', '太忻')).toEqual({ aInB: 0, bInA: 0 });
    expect(findDuplicate('', seeds)).toBeUndefined();
  });
});

// How long it takes is not asserted here (the machines are shared): a test asserts what it finds.
describe('findDuplicate among many sources', () => {
  it('finds the copy among 200 sources of 20 KB, and again once their folded texts are kept', () => {
    const next = random(11);
    const han = [...new Set(seeds.map((s) => s.text).join('').match(/\p{Script=Han}/gu))];
    const fake = (n: number) => {
      let t = '';
      while (Buffer.byteLength(t) < n) {
        for (let i = 0; i < 20; i++) t += han[Math.floor(next() * han.length)];
        t += next() < 0.3 ? '。\n' : '，';
      }
      return t;
    };
    const existing = Array.from({ length: 200 }, (_, i) => ({ id: `fake-${i}`, text: fake(20_000) }));
    existing[121] = { id: 'copy-of-002', text: s002.text };
    const probe = s002.text.replace(/\n/g, '\r\n');
    expect(findDuplicate(probe, existing)).toEqual({ id: 'copy-of-002', share: 1 });
    expect(findDuplicate(`${probe}\n`, existing)?.id).toBe('copy-of-002');
    // Another text of the same script, not a copy of any: none.
    expect(findDuplicate(fake(20_000), existing)).toBeUndefined();
  });
});

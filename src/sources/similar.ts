/**
 * Is a new text one the base already holds, or a reprint of one?
 *
 * Both texts are folded (normalizeText: markup, pinyin, Traditional, widths, spaces; then only Han, digits and
 * Latin letters are kept, so punctuation and leftovers of damaged pinyin do not matter) and cut into 8-character
 * shingles. A shingle of `a` counts as found in `b` only inside a shared passage: a run of consecutive shingles
 * all found in `b`, spanning at least MIN_PASSAGE characters. `aInB` is the share of a's characters covered by
 * such passages. Names and stock phrases ("太忻一体化经济区" is itself 8 characters, "力争到2025年") then count
 * for nothing, and a text that repeats the same figures in its own words scores 0, while copied sentences
 * count in full.
 *
 * Calibration on the five seeds (see tests/sources/similar.test.ts and the report): unrelated pairs ≤ 0.014,
 * the pairs that share passages 000↔001 0.21/0.13 and 002↔003 0.25/0.36, a re-saved or damaged copy ≥ 0.9.
 */
import { normalizeText } from '../data/normalize.js';

/** Shingle length, in folded characters. */
const K = 8;
/** Shortest shared passage that counts, in folded characters (9 consecutive shingles). */
export const MIN_PASSAGE = 16;
/**
 * findDuplicate reports an existing source when max(aInB, bInA) reaches this: a tenth of either text in shared
 * passages. Unrelated texts measure ≤ 0.04 (seeds ≤ 0.014), the weaker seed pair that shares passages 0.21.
 */
export const DUPLICATE_SHARE = 0.1;
/**
 * …and when those passages add up to this many folded characters (about two sentences): in a short note one
 * stock phrase ("力争到2025年，太忻一体化经济区", 17 characters) would otherwise be a third of the text.
 * The seed pairs share 380 (000/001) and 980 (002/003).
 */
export const MIN_SHARED_CHARS = 100;

/** Leftover pinyin syllables (with a tone mark) that normalizeText did not remove, e.g. from "日?qǐng)". */
const PINYIN_SYLLABLE = /[a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹ][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹ]*/gu;
const NOT_KEPT = /[^\p{Script=Han}0-9a-z]/gu;

/** The text as compared: normalised, then only Han characters, digits and (lower-case) Latin letters. */
export function foldForComparison(text: string): string {
  return normalizeText(text).toLowerCase().replace(PINYIN_SYLLABLE, '').replace(NOT_KEPT, '');
}

interface Fingerprint {
  /** Folded length, in UTF-16 code units (the unit of the shingles). */
  length: number;
  /** Hash of the shingle starting at each position, in order. */
  shingles: Uint32Array;
  /** The distinct hashes, made when the text is the one compared against the others (a cached source keeps only its array). */
  set?: Set<number>;
}

function fingerprintOf(text: string): Fingerprint {
  const folded = foldForComparison(text);
  const n = Math.max(folded.length - K + 1, 0);
  const shingles = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    // FNV-1a over the shingle's code units: 32 bits, so among ~10⁴ shingles a false match is ~1 in 10⁵ lookups,
    // and a false *passage* (9 in a row) never happens.
    let h = 0x811c9dc5;
    for (let k = 0; k < K; k++) h = Math.imul(h ^ folded.charCodeAt(i + k), 0x01000193);
    shingles[i] = h >>> 0;
  }
  return { length: folded.length, shingles };
}

/**
 * Fingerprints by text, so a process that compares against the same sources again (tests, a preview) folds
 * each only once. Bounded: cleared when it grows past CACHE_LIMIT texts.
 */
const cache = new Map<string, Fingerprint>();
const CACHE_LIMIT = 2000;
function fingerprint(text: string): Fingerprint {
  let fp = cache.get(text);
  if (!fp) {
    if (cache.size >= CACHE_LIMIT) cache.clear();
    fp = fingerprintOf(text);
    cache.set(text, fp);
  }
  return fp;
}

/**
 * How many of `of`'s characters lie inside passages of at least MIN_PASSAGE characters whose every shingle
 * `found` says is in the other text.
 */
function coveredChars(of: Fingerprint, found: (hash: number) => boolean): number {
  if (of.shingles.length === 0) return 0;
  const minRun = MIN_PASSAGE - K + 1;
  const s = of.shingles;
  let covered = 0;
  let runStart = -1;
  let coveredTo = 0; // characters before this index are already counted
  for (let i = 0; i <= s.length; i++) {
    const hit = i < s.length && found(s[i]!);
    if (hit && runStart < 0) runStart = i;
    if (!hit && runStart >= 0) {
      if (i - runStart >= minRun) {
        const from = Math.max(runStart, coveredTo);
        const to = i - 1 + K; // the last shingle ends here (exclusive)
        covered += to - from;
        coveredTo = to;
      }
      runStart = -1;
    }
  }
  return covered;
}

/** Characters of a in passages shared with b, and of b in passages shared with a. */
function compare(a: Fingerprint, b: Fingerprint): { aCovered: number; bCovered: number } {
  // Walk b once against a's set; the hashes both hold are few for unrelated texts, and then a is walked
  // against those alone.
  const aSet = (a.set ??= new Set(a.shingles));
  const shared = new Set<number>();
  const bCovered = coveredChars(b, (h) => {
    if (!aSet.has(h)) return false;
    shared.add(h);
    return true;
  });
  const aCovered = shared.size === 0 ? 0 : coveredChars(a, (h) => shared.has(h));
  return { aCovered, bCovered };
}

const share = (covered: number, fp: Fingerprint) => (fp.length ? covered / fp.length : 0);

/** How much of `a` is in `b` and vice versa, over normalised text (normalizeText), as 0..1 each. */
export function overlap(a: string, b: string): { aInB: number; bInA: number } {
  const fa = fingerprint(a);
  const fb = fingerprint(b);
  const { aCovered, bCovered } = compare(fa, fb);
  return { aInB: share(aCovered, fa), bInA: share(bCovered, fb) };
}

/**
 * The existing source a new text duplicates or reprints, if any: the one with the highest
 * share = max(aInB, bInA), when that reaches DUPLICATE_SHARE and the shared passages MIN_SHARED_CHARS.
 * bInA counts too, so a new text that holds a whole existing one plus more (a compilation, a longer
 * version) is found as well.
 */
export function findDuplicate(text: string, existing: { id: string; text: string }[]): { id: string; share: number } | undefined {
  const a = fingerprint(text);
  let best: { id: string; share: number } | undefined;
  for (const e of existing) {
    const b = fingerprint(e.text);
    const { aCovered, bCovered } = compare(a, b);
    if (Math.max(aCovered, bCovered) < MIN_SHARED_CHARS) continue;
    const most = Math.max(share(aCovered, a), share(bCovered, b));
    if (most >= DUPLICATE_SHARE && (!best || most > best.share)) best = { id: e.id, share: most };
  }
  return best;
}

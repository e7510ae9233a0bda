import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { chineseMeasures, decodeDocument, GB_THRESHOLDS, type Decoded } from '../../src/sources/decode.js';

const root = path.resolve(import.meta.dirname, '../..');
const intake = (name: string) => readFileSync(path.join(root, 'tests/fixtures/intake', name));
const article = intake('decode-article.txt').toString('utf8');

function refused(d: Decoded): { reason: string; hint: string } {
  if (d.ok) throw new Error(`expected a refusal, got ${d.encoding}: ${d.text.slice(0, 40)}`);
  // printed as one line each
  expect(d.reason).not.toMatch(/\n/);
  expect(d.hint).not.toMatch(/\n/);
  expect(d.reason.length).toBeLessThanOrEqual(80);
  return d;
}
function decoded(d: Decoded): { text: string; encoding: string } {
  if (!d.ok) throw new Error(`expected a text, got a refusal: ${d.reason}`);
  return d;
}
/** What GB18030 makes of the bytes, when it accepts them at all. */
const asGb = (bytes: Uint8Array) => new TextDecoder('gb18030', { fatal: true }).decode(bytes);

/** A small seeded generator (mulberry32), so the random cases are the same at every run. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function randomBytes(n: number, seed: number, pick: (r: number) => number = (r) => Math.floor(r * 256)): Uint8Array {
  const next = random(seed);
  return Uint8Array.from({ length: n }, () => pick(next()));
}

describe('decodeDocument: UTF-8 and UTF-16', () => {
  it('reads every seed text as UTF-8, unchanged', () => {
    const dir = path.join(root, 'data/sources');
    for (const f of readdirSync(dir)) {
      const bytes = readFileSync(path.join(dir, f));
      const d = decoded(decodeDocument(bytes));
      expect(d.encoding).toBe('utf-8');
      expect(d.text).toBe(bytes.toString('utf8'));
    }
  });

  it('removes a UTF-8 byte-order mark', () => {
    const d = decoded(decodeDocument(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(article)])));
    expect(d).toEqual({ ok: true, encoding: 'utf-8', text: article });
  });

  it('reads UTF-16 with a byte-order mark, little- and big-endian', () => {
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(article, 'utf16le')]);
    expect(decodeDocument(le)).toEqual({ ok: true, encoding: 'utf-16le', text: article });
    const be = Buffer.from(le).swap16(); // FF FE → FE FF, and every unit big-endian
    expect(decodeDocument(be)).toEqual({ ok: true, encoding: 'utf-16be', text: article });
  });

  it('refuses UTF-16 without a byte-order mark, naming it in the hint', () => {
    const r = refused(decodeDocument(Buffer.from(article, 'utf16le')));
    expect(r.reason).toBe('UTF-16 without a byte-order mark');
    expect(r.hint).toBe('convert it with: iconv -f UTF-16LE -t UTF-8 file > file.txt');
    expect(refused(decodeDocument(Buffer.from(article, 'utf16le').swap16())).hint).toContain('-f UTF-16BE');
  });

  it('refuses a damaged file that starts with a UTF-16 mark', () => {
    const odd = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(article, 'utf16le'), Buffer.from([0x41])]);
    expect(refused(decodeDocument(odd)).reason).toContain('not valid UTF-16LE');
  });
});

describe('decodeDocument: GB18030, and what only looks like it', () => {
  it('reads a Simplified GB18030 text', () => {
    expect(decodeDocument(intake('decode-article.gb18030.txt'))).toEqual({ ok: true, encoding: 'gb18030', text: article });
  });

  it('reads a Traditional text in GB18030 (its characters are common Traditional ones)', () => {
    const d = decoded(decodeDocument(intake('decode-article-traditional.gb18030.txt')));
    expect(d.encoding).toBe('gb18030');
    expect(d.text).toContain('太忻一體化經濟區前三季度重點項目建設提速');
    expect(d.text).toContain('來源：忻州日報');
  });

  it('refuses Big5 bytes that GB18030 decodes into nonsense, and names Big5 in the hint', () => {
    const bytes = intake('decode-article-traditional.big5.txt');
    const nonsense = asGb(bytes); // GB18030 takes these bytes without a single error…
    expect(nonsense).not.toContain('經濟區');
    const m = chineseMeasures(nonsense); // …but the result is no Chinese
    expect(m.han).toBeGreaterThan(GB_THRESHOLDS.minHan);
    expect(m.frequent).toBeLessThan(GB_THRESHOLDS.frequent);
    expect(m.odd).toBeGreaterThan(0.2); // kana, Greek, Cyrillic and private-use characters
    expect(m.plausible).toBe(false);
    const r = refused(decodeDocument(bytes));
    expect(r.reason).toBe('not UTF-8, UTF-16 or GB18030');
    expect(r.hint).toBe('convert it with: iconv -f BIG5 -t UTF-8 file > file.txt');
  });

  it('refuses Shift_JIS Japanese that GB18030 decodes into rare characters, and names Shift_JIS in the hint', () => {
    const bytes = intake('decode-japanese.shift_jis.txt');
    const m = chineseMeasures(asGb(bytes));
    expect(m.han).toBeGreaterThan(100);
    expect(m.common).toBeLessThan(0.4);
    expect(m.frequent).toBeLessThan(0.01);
    const r = refused(decodeDocument(bytes));
    expect(r.reason).toBe('not UTF-8, UTF-16 or GB18030');
    expect(r.hint).toContain('iconv -f SHIFT_JIS -t UTF-8');
  });

  it('refuses Latin-1 German whose umlauts GB18030 reads as Han characters', () => {
    const bytes = intake('decode-german.latin1.txt');
    const m = chineseMeasures(asGb(bytes));
    expect(m.han).toBeGreaterThanOrEqual(GB_THRESHOLDS.minHan);
    expect(m.frequent).toBe(0);
    const r = refused(decodeDocument(bytes));
    expect(r.reason).toBe('not UTF-8, UTF-16 or GB18030');
    expect(r.hint).toBe('convert it with: iconv -f <ENC> -t UTF-8 file > file.txt');
  });

  it('refuses random pairs of valid GB2312 bytes: common characters, but not in the proportions of a text', () => {
    const next = random(7);
    const bytes: number[] = [];
    for (let i = 0; i < 1500; i++) bytes.push(0xb0 + Math.floor(next() * 40), 0xa1 + Math.floor(next() * 89)); // level 1: B0A1–D7F9
    const m = chineseMeasures(asGb(Uint8Array.from(bytes)));
    expect(m.common).toBe(1);
    expect(m.frequent).toBeLessThan(0.05);
    expect(refused(decodeDocument(Uint8Array.from(bytes))).reason).toBe('not UTF-8, UTF-16 or GB18030');
  });

  it('measures real Chinese far from the thresholds', () => {
    for (const text of [article, asGb(intake('decode-article-traditional.gb18030.txt'))]) {
      const m = chineseMeasures(text);
      expect(m.common).toBeGreaterThan(0.97);
      expect(m.frequent).toBeGreaterThan(2 * GB_THRESHOLDS.frequent);
      expect(m.odd).toBe(0);
    }
  });
});

describe('decodeDocument: refusals', () => {
  it('refuses an empty or blank file', () => {
    expect(refused(decodeDocument(new Uint8Array())).reason).toBe('the file is empty');
    expect(refused(decodeDocument(Buffer.from(' \n\r\n\t　\n'))).reason).toBe('the file is empty'); // includes U+3000
    expect(refused(decodeDocument(Buffer.from([0xef, 0xbb, 0xbf, 0x0a]))).reason).toBe('the file is empty');
  });

  it('refuses PDF and DOCX with a hint to save the text or HTML', () => {
    const pdf = refused(decodeDocument(Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj', 'latin1')));
    expect(pdf.reason).toBe('a PDF file, not a text');
    expect(pdf.hint).toMatch(/save the text .*HTML/);
    const docx = refused(decodeDocument(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00])));
    expect(docx.reason).toContain('DOCX');
    expect(docx.hint).toMatch(/save the text .*HTML/);
  });

  it('refuses images and compressed data by their signatures', () => {
    expect(refused(decodeDocument(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).reason).toBe('a PNG image, not a text');
    expect(refused(decodeDocument(Buffer.from([0xff, 0xd8, 0xff, 0xe0]))).reason).toBe('a JPEG image, not a text');
    const gz = refused(decodeDocument(Buffer.from([0x1f, 0x8b, 0x08, 0x00])));
    expect(gz.reason).toBe('GZIP-compressed data, not a text');
    expect(gz.hint).toContain('gunzip');
  });

  it('refuses random bytes as binary data', () => {
    for (const seed of [1, 2, 3]) expect(refused(decodeDocument(randomBytes(4096, seed))).reason).toMatch(/^binary data/);
  });

  it('refuses random bytes without NUL or control bytes as of no known encoding', () => {
    for (const seed of [4, 5, 6]) {
      const high = randomBytes(4096, seed, (r) => 0x80 + Math.floor(r * 128));
      expect(refused(decodeDocument(high)).reason).toBe('not UTF-8, UTF-16 or GB18030');
      const printable = randomBytes(4096, seed, (r) => 0x20 + Math.floor(r * 224));
      expect(refused(decodeDocument(printable)).reason).toBe('not UTF-8, UTF-16 or GB18030');
    }
  });

  it('refuses a text with NUL bytes or many control characters, but keeps one with a stray control character', () => {
    expect(refused(decodeDocument(Buffer.from(`${article}\u0000${article}`))).reason).toMatch(/^binary data/);
    const noisy = [...article].map((c, i) => (i % 20 === 0 ? '\u0007' : c)).join('');
    expect(refused(decodeDocument(Buffer.from(noisy))).reason).toMatch(/^binary data/);
    expect(decoded(decodeDocument(Buffer.from(`${article}\u001a`))).encoding).toBe('utf-8');
  });

  it('refuses a text without a single Han character', () => {
    const r = refused(decodeDocument(Buffer.from('Taiyuan and Xinzhou opened a new expressway this autumn.\n')));
    expect(r.reason).toBe('no Chinese characters in the text');
    expect(r.hint).toContain('Chinese original');
  });
});

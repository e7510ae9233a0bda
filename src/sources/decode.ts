/**
 * Bytes of a new source document → its text, or a one-line refusal with a one-line hint.
 *
 *   1. empty, or a known binary format (PDF, ZIP/DOCX, old Office, PNG, JPEG, GIF, GZIP, RTF) → refused;
 *   2. a byte-order mark decides: UTF-8, UTF-16LE, UTF-16BE (UTF-16 is accepted only with its mark);
 *   3. NUL bytes or many control characters → binary, refused;
 *   4. strict UTF-8;
 *   5. GB18030, accepted only when the result reads as Chinese (see `chineseMeasures`), because almost any
 *      Big5, Shift_JIS or Latin-1 file also decodes as GB18030, into nonsense;
 *   6. a text with no Han character is refused: the fact base holds Chinese sources.
 */
export type Encoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'gb18030';
export type Decoded = { ok: true; text: string; encoding: Encoding } | { ok: false; reason: string; hint: string };

const SAVE_TEXT = 'open it and save the text (or the web page as HTML) as a UTF-8 file, then add that file';

/** Magic numbers of the binary files most likely to be handed over instead of a text. */
const SIGNATURES: { bytes: number[]; reason: string; hint: string }[] = [
  { bytes: [0x25, 0x50, 0x44, 0x46, 0x2d], reason: 'a PDF file, not a text', hint: SAVE_TEXT },
  { bytes: [0x50, 0x4b, 0x03, 0x04], reason: 'a ZIP archive (a DOCX, XLSX or ODT document?), not a text', hint: SAVE_TEXT },
  { bytes: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], reason: 'an old Office document (DOC/XLS), not a text', hint: SAVE_TEXT },
  { bytes: [0x7b, 0x5c, 0x72, 0x74, 0x66], reason: 'an RTF document, not a plain text', hint: SAVE_TEXT },
  { bytes: [0x89, 0x50, 0x4e, 0x47], reason: 'a PNG image, not a text', hint: 'a picture cannot be quoted: find the text of the document and save it as a UTF-8 file' },
  { bytes: [0xff, 0xd8, 0xff], reason: 'a JPEG image, not a text', hint: 'a picture cannot be quoted: find the text of the document and save it as a UTF-8 file' },
  { bytes: [0x47, 0x49, 0x46, 0x38], reason: 'a GIF image, not a text', hint: 'a picture cannot be quoted: find the text of the document and save it as a UTF-8 file' },
  { bytes: [0x1f, 0x8b], reason: 'GZIP-compressed data, not a text', hint: 'decompress it first (gunzip) and add the file inside' },
];

const refuse = (reason: string, hint: string): Decoded => ({ ok: false, reason, hint });
const convertHint = (enc = '<ENC>') => `convert it with: iconv -f ${enc} -t UTF-8 file > file.txt`;

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return bytes.length >= prefix.length && prefix.every((b, i) => bytes[i] === b);
}

export function decodeDocument(bytes: Uint8Array): Decoded {
  if (bytes.length === 0) return refuse('the file is empty', 'add the file that holds the text of the document');
  for (const s of SIGNATURES) if (startsWith(bytes, s.bytes)) return refuse(s.reason, s.hint);

  if (startsWith(bytes, [0xef, 0xbb, 0xbf])) return decodeWith('utf-8', bytes);
  if (startsWith(bytes, [0xff, 0xfe])) return decodeWith('utf-16le', bytes);
  if (startsWith(bytes, [0xfe, 0xff])) return decodeWith('utf-16be', bytes);

  const binary = binaryBytes(bytes);
  if (binary) return binary;

  const utf8 = strictDecode('utf-8', bytes);
  if (utf8 !== undefined) return accept(utf8, 'utf-8');

  const gb = strictDecode('gb18030', bytes);
  if (gb !== undefined && chineseMeasures(gb).plausible) return accept(gb, 'gb18030');
  return refuse('not UTF-8, UTF-16 or GB18030', convertHint(guessOtherEncoding(bytes)));
}

function strictDecode(encoding: Encoding | 'big5' | 'shift_jis', bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/** After a byte-order mark: the mark says the encoding, so a failure is a damaged file. */
function decodeWith(encoding: Encoding, bytes: Uint8Array): Decoded {
  const text = strictDecode(encoding, bytes); // TextDecoder drops the mark itself
  if (text === undefined) {
    return refuse(`starts with a ${encoding.toUpperCase()} byte-order mark but is not valid ${encoding.toUpperCase()}`, 'the file is damaged or truncated: save the document again');
  }
  return accept(text, encoding);
}

function accept(text: string, encoding: Encoding): Decoded {
  if (/^\s*$/u.test(text)) return refuse('the file is empty', 'add the file that holds the text of the document');
  if (controlShare(text) > MAX_CONTROL_SHARE || text.includes('\u0000')) {
    return refuse('binary data, not a text', SAVE_TEXT);
  }
  if (!/\p{Script=Han}/u.test(text)) {
    return refuse('no Chinese characters in the text', 'sources are Chinese texts: add the Chinese original of the document');
  }
  return { ok: true, text, encoding };
}

/** Characters a text does not hold: C0 controls other than tab, line feed, form feed and carriage return, and C1 controls. */
const CONTROL = /[\u0001-\u0008\u000b\u000e-\u001f\u007f-\u009f]/gu;
/** A text may hold a stray control character or two; more than 1 in 100 is binary data. */
const MAX_CONTROL_SHARE = 0.01;

function controlShare(text: string): number {
  return (text.match(CONTROL)?.length ?? 0) / Math.max(text.length, 1);
}

/** Before decoding: NUL bytes (and UTF-16 without a byte-order mark, which is full of them), or control bytes. */
function binaryBytes(bytes: Uint8Array): Decoded | undefined {
  let nul = 0;
  let control = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 0) nul++;
    else if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0c && b !== 0x0d) control++;
    else if (b === 0x7f) control++;
  }
  if (nul > 0) {
    // UTF-16 text without a mark: the NULs are high bytes of ASCII (and low bytes of 一 U+4E00…); it reads
    // as Chinese, or as plain ASCII, one way round.
    for (const enc of ['utf-16le', 'utf-16be'] as const) {
      const text = bytes.length % 2 === 0 ? strictDecode(enc, bytes) : undefined;
      if (text === undefined || text.includes('\u0000') || controlShare(text) > MAX_CONTROL_SHARE) continue;
      const ascii = (text.match(/[\x20-\x7e\s]/g)?.length ?? 0) / text.length;
      if (chineseMeasures(text).plausible || ascii > 0.95) return refuse('UTF-16 without a byte-order mark', convertHint(enc.toUpperCase()));
    }
    return refuse('binary data (NUL bytes), not a text', SAVE_TEXT);
  }
  if (control / bytes.length > MAX_CONTROL_SHARE) return refuse('binary data (control bytes), not a text', SAVE_TEXT);
  return undefined;
}

// ── Is this GB18030 decoding Chinese? ──────────────────────────────────────────────────────────────

/**
 * The common characters of Chinese, read from the decoders themselves: GB2312 level 1, the 3,755 "commonly
 * used" Simplified characters (bytes B0A1–D7F9), and Big5's block of 5,401 frequently used Traditional
 * characters (A440–C67E), since a GB18030 file may hold a Traditional text. Running prose is ~99% these.
 */
let commonHan: Set<string> | undefined;
function commonCharacters(): Set<string> {
  if (commonHan) return commonHan;
  const han = (encoding: string, bytes: number[]) =>
    [...new TextDecoder(encoding).decode(new Uint8Array(bytes))].filter((c) => /\p{Script=Han}/u.test(c));
  const gb: number[] = [];
  for (let lead = 0xb0; lead <= 0xd7; lead++) for (let trail = 0xa1; trail <= (lead === 0xd7 ? 0xf9 : 0xfe); trail++) gb.push(lead, trail);
  const big5: number[] = [];
  for (let lead = 0xa4; lead <= 0xc6; lead++) {
    for (let trail = 0x40; trail <= 0xfe; trail++) if (trail <= 0x7e || trail >= 0xa1) big5.push(lead, trail);
  }
  commonHan = new Set([...han('gb18030', gb), ...han('big5', big5)]);
  return commonHan;
}

/**
 * About the hundred most frequent characters of modern written Chinese, with the Traditional forms of those
 * that have one: they make up a fifth to a third of a Chinese text, even dense policy prose, but under 3% of
 * characters drawn at random from the common ones.
 */
const FREQUENT = new Set(
  '的一是不了在人有我他这个们中来上大为和国地到以说时要就出会可也你对生能而子那得于着下自之年过发后作里用道行所然家种事成方多经么去法学如都同现当没动面起看定天分还进好小部其些主样理心本前开但因只从想实' +
    '這個們來為國說時會對發後過裡裏動經麼現當沒進還學樣實開從種於著',
);

/**
 * Characters that belong in a Chinese text besides Han and ASCII: CJK and full-width punctuation, general
 * punctuation (“”…—), Latin-1 and pinyin letters, Roman numerals (Ⅰ级), circled numbers, ℃, №, ×, bullets.
 */
const CHINESE_TEXT_SYMBOL = /[\u00a0-\u024f\u02c7-\u02d9\u2010-\u205e\u2103\u2116\u2160-\u217f\u2190-\u2199\u2460-\u249b\u25a0-\u25cf\u2605\u2606\u3000-\u303f\uff01-\uff5e\uffe0-\uffe5]/u;

export interface ChineseMeasures {
  /** Han characters in the text. */
  han: number;
  /** Share of the Han characters that are common ones (GB2312 level 1 or Big5's frequent block). */
  common: number;
  /** Share of the Han characters that are among the ~100 most frequent characters. */
  frequent: number;
  /** Share of the non-ASCII, non-space characters that have no place in a Chinese text: kana, Greek, Cyrillic, box drawing, private use, Hangul, characters beyond the BMP. */
  odd: number;
  plausible: boolean;
}

/**
 * A decoding is accepted as GB18030 only when all four hold. Measured (tests/sources/decode.test.ts and the
 * report): the five seeds in GB18030, Simplified or (001) Traditional, give common ≥ 0.995, frequent
 * 0.21–0.27, odd = 0; Big5 read as GB18030 gives common 0.57–0.61, frequent 0.01–0.02, odd 0.47–0.54;
 * Shift_JIS gives common 0.19, frequent 0; random GB2312 level-1 pairs give frequent 0.025; random GBK pairs
 * common 0.14–0.17. minHan: a handful of characters proves nothing.
 */
export const GB_THRESHOLDS = { minHan: 10, common: 0.85, frequent: 0.08, odd: 0.03 } as const;

/** How much a decoding reads as Chinese. Exported for the tests and for reports. */
export function chineseMeasures(text: string): ChineseMeasures {
  const commonSet = commonCharacters();
  let han = 0;
  let common = 0;
  let frequent = 0;
  let nonAscii = 0;
  let odd = 0;
  for (const c of text) {
    const code = c.codePointAt(0)!;
    if (code < 0x80 || /\s/u.test(c)) continue;
    nonAscii++;
    if (code > 0xffff) odd++;
    else if (/\p{Script=Han}/u.test(c)) {
      han++;
      if (commonSet.has(c)) common++;
      if (FREQUENT.has(c)) frequent++;
    } else if (!CHINESE_TEXT_SYMBOL.test(c)) odd++;
  }
  const measures = {
    han,
    common: han ? common / han : 0,
    frequent: han ? frequent / han : 0,
    odd: nonAscii ? odd / nonAscii : 0,
  };
  const t = GB_THRESHOLDS;
  return { ...measures, plausible: han >= t.minHan && measures.common >= t.common && measures.frequent >= t.frequent && measures.odd <= t.odd };
}

/** For the hint only: a file that reads as Big5 (Chinese) or Shift_JIS (Japanese, full of kana) is named so. */
function guessOtherEncoding(bytes: Uint8Array): string | undefined {
  const big5 = strictDecode('big5', bytes);
  if (big5 !== undefined && chineseMeasures(big5).plausible) return 'BIG5';
  const sjis = strictDecode('shift_jis', bytes);
  if (sjis !== undefined) {
    const wide = [...sjis].filter((c) => c.codePointAt(0)! >= 0x80 && !/\s/u.test(c));
    const kana = wide.filter((c) => /[\u3041-\u30ff]/u.test(c)).length;
    if (wide.length >= 10 && kana / wide.length >= 0.15) return 'SHIFT_JIS';
  }
  return undefined;
}

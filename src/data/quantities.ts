/**
 * Typed quantities: the closed list of units and how each language writes a number in them.
 * Chinese groups by 万 and 亿 (591亿元, 22.4万人次); English by thousand, million, billion
 * (CNY 59.1 billion, 224,000). Percent (%) and percentage points (pp) are distinct units.
 */
export const UNITS = [
  'CNY', 'km', 'km/h', 'km/100km2', '%', 'pp', 't', 't/day', 't/year', 'm2', 'm2/year', 'mu', 'ha',
  's', 'min', 'day', 'year', 'person-times', 'people', 'units/year', 'count',
  // An area in km², a multiple (2.5倍), a fraction (三分之一 is stored as 1/3).
  'km2', 'times', 'fraction',
] as const;
export type Unit = (typeof UNITS)[number];

export const QUALIFIERS = ['over', 'at-least', 'about', 'up-to'] as const;
export type Qualifier = (typeof QUALIFIERS)[number];

export type Lang = 'zh' | 'en';
export interface Text { zh: string; en: string }

export interface Quantity {
  value: number;
  unit: Unit;
  noun?: Text;
  qualifier?: Qualifier;
}

interface UnitSpelling {
  zh: string;
  /** English: a prefix (CNY) or a suffix, singular and plural. */
  enPrefix?: string;
  en?: [singular: string, plural: string];
  /** Large English numbers as words ("2 million") rather than digits. */
  enWords?: boolean;
}

const SPELLING: Record<Unit, UnitSpelling> = {
  CNY: { zh: '元', enPrefix: 'CNY', enWords: true },
  km: { zh: '公里', en: ['km', 'km'] },
  'km/h': { zh: '公里/小时', en: ['km/h', 'km/h'] },
  'km/100km2': { zh: '公里/百平方公里', en: ['km per 100 km²', 'km per 100 km²'] },
  '%': { zh: '%', en: ['%', '%'] },
  pp: { zh: '个百分点', en: ['percentage point', 'percentage points'] },
  t: { zh: '吨', en: ['tonne', 'tonnes'] },
  't/day': { zh: '吨/日', en: ['tonne a day', 'tonnes a day'] },
  't/year': { zh: '吨/年', en: ['tonne a year', 'tonnes a year'] },
  m2: { zh: '平方米', en: ['m²', 'm²'], enWords: true },
  'm2/year': { zh: '平方米/年', en: ['m² a year', 'm² a year'], enWords: true },
  mu: { zh: '亩', en: ['mu', 'mu'] },
  ha: { zh: '公顷', en: ['ha', 'ha'] },
  s: { zh: '秒', en: ['second', 'seconds'] },
  min: { zh: '分钟', en: ['minute', 'minutes'] },
  day: { zh: '天', en: ['day', 'days'] },
  year: { zh: '年', en: ['year', 'years'] },
  'person-times': { zh: '人次', en: ['person-time', 'person-times'], enWords: true },
  people: { zh: '人', en: ['person', 'people'] },
  'units/year': { zh: '台/年', en: ['unit a year', 'units a year'], enWords: true },
  count: { zh: '个', en: ['', ''] },
  km2: { zh: '平方公里', en: ['km²', 'km²'], enWords: true },
  times: { zh: '倍', en: ['time', 'times'] },
  // Written whole by fractionText: 三分之一 / one third.
  fraction: { zh: '', en: ['', ''] },
};

/** Strips floating-point noise: 1.56e4 / 1e4 gives 1.56, not 1.5599999999999998. */
function clean(n: number): number {
  return Number(n.toPrecision(12));
}

/** 59100000000 → 591亿; 224000 → 22.4万; 1883 → 1883. */
export function formatNumberZh(n: number): string {
  const abs = Math.abs(n);
  if (abs >= 1e8) return `${clean(n / 1e8)}亿`;
  if (abs >= 1e4) return `${clean(n / 1e4)}万`;
  return String(clean(n));
}

/** 59100000000 → 59.1 billion (words) or 59,100,000,000; 224000 → 224,000. */
const EN_NUMBER = new Intl.NumberFormat('en-US', { maximumFractionDigits: 6 });

export function formatNumberEn(n: number, words = false): string {
  const abs = Math.abs(n);
  if (words && abs >= 1e9) return `${clean(n / 1e9)} billion`;
  if (words && abs >= 1e6) return `${clean(n / 1e6)} million`;
  return EN_NUMBER.format(clean(n));
}

const QUALIFIER_TEXT: Record<Qualifier, { zh: [string, string]; en: string }> = {
  over: { zh: ['超过', ''], en: 'over' },
  'at-least': { zh: ['', '以上'], en: 'at least' },
  about: { zh: ['约', ''], en: 'about' },
  'up-to': { zh: ['最多', ''], en: 'up to' },
};

const ZH_DIGITS = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];

/** A whole number below 10000 in Chinese numerals: 3 → 三, 12 → 十二, 105 → 一百零五. */
function zhInteger(n: number): string {
  if (n < 10) return ZH_DIGITS[n] ?? String(n);
  if (n < 20) return `十${n % 10 ? ZH_DIGITS[n % 10] : ''}`;
  if (n >= 10000) return String(n);
  const places: [number, string][] = [[1000, '千'], [100, '百'], [10, '十'], [1, '']];
  let out = '';
  let zero = false;
  for (const [p, w] of places) {
    const d = Math.floor(n / p) % 10;
    if (d === 0) { zero = out !== ''; continue; }
    out += `${zero ? '零' : ''}${ZH_DIGITS[d]}${w}`;
    zero = false;
  }
  return out;
}

const EN_NUMERATORS = ['', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven'];
const EN_PARTS: Record<number, [string, string]> = {
  2: ['half', 'halves'], 3: ['third', 'thirds'], 4: ['quarter', 'quarters'], 5: ['fifth', 'fifths'],
  6: ['sixth', 'sixths'], 7: ['seventh', 'sevenths'], 8: ['eighth', 'eighths'], 9: ['ninth', 'ninths'],
  10: ['tenth', 'tenths'], 11: ['eleventh', 'elevenths'], 12: ['twelfth', 'twelfths'],
};

/** The fraction m/d a value is: the smallest denominator up to 12 that gives it (then 100, 1000). */
function asFraction(v: number): [m: number, d: number] | undefined {
  for (const d of [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 100, 1000]) {
    const m = Math.round(v * d);
    if (m > 0 && sameNumber(m / d, v)) return [m, d];
  }
  return undefined;
}

/** 1/3 → 三分之一 / one third; 2/3 → 三分之二 / two thirds; 1.5 → 二分之三 / 3/2; 0.005 → 千分之五 / 5/1000. */
export function fractionText(v: number, lang: Lang): string {
  const f = Number.isInteger(v) ? undefined : asFraction(v);
  if (!f) return lang === 'zh' ? formatNumberZh(v) : formatNumberEn(v);
  const [m, d] = f;
  if (lang === 'zh') return `${d === 100 ? '百' : d === 1000 ? '千' : zhInteger(d)}分之${zhInteger(m)}`;
  const part = EN_PARTS[d];
  if (part && m < d) return `${EN_NUMERATORS[m]} ${part[m === 1 ? 0 : 1]}`;
  return `${m}/${d}`;
}

/** Number and unit apart, for tiles and tables: { number: "591亿", unit: "元" }. */
export function splitQuantity(q: Quantity, lang: Lang): { number: string; unit: string; prefix: string } {
  const s = SPELLING[q.unit];
  if (q.unit === 'fraction') return { number: fractionText(q.value, lang), unit: '', prefix: '' };
  if (lang === 'zh') {
    const unit = q.unit === 'count' ? (q.noun?.zh ?? s.zh) : s.zh;
    return { number: formatNumberZh(q.value), unit, prefix: '' };
  }
  const number = formatNumberEn(q.value, s.enWords);
  if (s.enPrefix) return { number, unit: '', prefix: s.enPrefix };
  const unit = q.unit === 'count' ? (q.noun?.en ?? '') : (s.en?.[Math.abs(q.value) === 1 ? 0 : 1] ?? '');
  return { number, unit, prefix: '' };
}

/** The whole quantity as one phrase: 591亿元 / CNY 59.1 billion; 68.3个百分点 / 68.3 percentage points. */
export function formatQuantity(q: Quantity, lang: Lang): string {
  const { number, unit, prefix } = splitQuantity(q, lang);
  if (lang === 'zh') {
    const [before, after] = q.qualifier ? QUALIFIER_TEXT[q.qualifier].zh : ['', ''];
    return `${before}${number}${unit}${after}`;
  }
  const qual = q.qualifier ? `${QUALIFIER_TEXT[q.qualifier].en} ` : '';
  if (prefix) return `${qual}${prefix} ${number}`;
  if (unit === '%') return `${qual}${number}%`;
  return `${qual}${number}${unit ? ` ${unit}` : ''}`;
}

const MONTHS_EN = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** 2022-10 → 2022年10月 / Oct 2022; 2022-07-04 → 2022年7月4日 / 4 Jul 2022. */
export function formatDate(date: string, lang: Lang): string {
  const [y, m, d] = date.split('-').map(Number);
  if (lang === 'zh') return `${y}年${m}月${d ? `${d}日` : ''}`;
  return `${d ? `${d} ` : ''}${MONTHS_EN[(m ?? 1) - 1]} ${y}`;
}

/** A span of months: 2022年1—9月 / Jan–Sep 2022. */
export function formatPeriod(from: string, to: string, lang: Lang): string {
  const [fy, fm] = from.split('-').map(Number);
  const [ty, tm] = to.split('-').map(Number);
  if (lang === 'zh') return fy === ty ? `${fy}年${fm}—${tm}月` : `${fy}年${fm}月—${ty}年${tm}月`;
  const f = MONTHS_EN[(fm ?? 1) - 1];
  const t = MONTHS_EN[(tm ?? 1) - 1];
  return fy === ty ? `${f}–${t} ${fy}` : `${f} ${fy}–${t} ${ty}`;
}

const SCALE: Record<string, number> = { 万亿: 1e12, 亿: 1e8, 万: 1e4, 千: 1e3, 百: 1e2, billion: 1e9, million: 1e6, thousand: 1e3 };

/**
 * Every number a Chinese or English text states, in base units: "591亿元" → 59100000000,
 * "30余万吨" → 300000, "CNY 59.1 billion" → 59100000000, "224,000" → 224000.
 * With `raw`, the written digits count too ("591亿元" → 591 as well): a quote holds both readings.
 */
export function numbersIn(text: string, opts: { raw?: boolean } = {}): number[] {
  const out: number[] = [];
  const re = /(\d[\d,]*(?:\.\d+)?)\s*(?:余|多)?\s*(万亿|亿|万|千|百|billion|million|thousand)?/g;
  for (const m of text.matchAll(re)) {
    // "1,883" is one number; the lists in Chinese texts use 、 rather than commas.
    const n = Number((m[1] ?? '').replace(/,(?=\d{3}(\D|$))/g, '').replace(/,$/, ''));
    if (!Number.isFinite(n)) continue;
    const word = m[2];
    if (word) out.push(clean(n * (SCALE[word] ?? 1)));
    if (!word || opts.raw) out.push(n);
  }
  return out;
}

/** Chinese numerals in running text (一级公路, 三个一批, 百平方公里), for comparing with English digits. */
export function chineseNumeralsIn(text: string): number[] {
  const digits: Record<string, number> = { 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9, 十: 10, 百: 100, 千: 1000, 万: 10000 };
  return [...text].flatMap((ch) => (digits[ch] !== undefined ? [digits[ch]] : []));
}

export function sameNumber(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}

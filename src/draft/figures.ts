/**
 * The figures a Chinese clause states: each number in base units with its unit, qualifier and, for counts,
 * its measure word. "总投资591亿元" → 59100000000 CNY; "30余万吨" → 300000 t, over; "95%以上" → 95 %, at least.
 *
 * Input is normalised text (normalizeText: Simplified, no whitespace, NFKC), but full-width digits and signs
 * (１２３％) are read too: they are folded to ASCII in a shadow copy of the same length, so every `index` and
 * `text` still points into the caller's string.
 *
 * How a number is read
 *   - Arabic digits, with a decimal point and 1,883-style grouping, then an optional scale word:
 *     百 千 万 亿 万亿 and 千万/百万/千亿 (5千家 → 5000, 1.56万公里 → 15600). 余/多 may stand before or after the
 *     scale (30余万吨, 1万多人): the figure is then `over`.
 *   - Chinese numerals: 一二三四五六七八九十百千万亿两〇零, 点 for decimals (十二对 → 12, 两条 → 2,
 *     二十多个 → 20 over, 三十余万吨 → 300000 over). A run of bare digits reads digit by digit only when it has
 *     〇/零 (二〇二二); 三四个 ("three or four") and 十四五 (a plan's name) are not numbers.
 *   - Fractions N分之M → unit `fraction`, value M/N (三分之一 → 1/3); 百分之N → N %; 千分之N → N/1000.
 *   - 半小时 → 30 min (hours have no unit of their own and are written in minutes).
 *
 * What makes a number a figure: a unit right after it. A number with no unit (108国道, “8+6”, the “2” of a
 * layout, 1—9月) is not a figure. The units, base unit first:
 *   元 → CNY; 公里/千米 → km; 公里/小时 and 时速N公里 → km/h; 公里/百平方公里 → km/100km2; 平方公里 → km2;
 *   % and 百分之N → %; (个)百分点 → pp; 吨 → t; 吨/日 or 每天/日处理…N吨 → t/day; 吨/年 or 年产/年综合利用/每年…N吨 → t/year;
 *   平方米 → m2 (m2/year likewise); 亩 → mu; 公顷 → ha; 秒(钟) → s; 分钟 → min; (个)小时 → min ×60;
 *   天, (个)工作日, N日内 → day; 年 as a duration → year; 人次 → person-times; 人/名 → people;
 *   台/年 or 年产N台 → units/year; 倍 → times; measure words → count, noun.zh = the measure word:
 *   个 项 家 条 座 所 列 对 批 套 处 户 张 辆 位 次 类 件 只 头 株 栋 间 台 架 艘 篇 部 种 支 场, and 大/大类
 *   (10大重点区域, 3大类规划) and 车道 (双向6车道). After Arabic digits a bare 县/市/区 counts too, with a
 *   parenthesis that follows it (12县(市、区) → noun 县(市、区)). N个月 has no unit: not a figure.
 *
 * What is never a figure
 *   - calendar years: a 4-digit integer from 1000 to 2999, or 二〇二二-style digits, before 年; 年底/年初/年度/
 *     年级/年代/年份; dates N月, N日 (unless N日内), 2022-11-06, 2022.11.06, 11/06, times 18:15:06;
 *   - ordinals and denominators: after 第 (第三家, 第一条) or 每 (每万人);
 *   - identifiers: digits touching a Latin letter (G5, PM2.5, 5G, 4A级, Z2路; but 342km is read) or a +
 *     (“2+5+N”, “8+6”); bare numbers (108国道, 912路); levels (千亿级, 10万吨级); place names with numerals
 *     (五台, 七台河, 三台, 五家渠, 万柏林); 零/〇 starting a word (零部件);
 *   - everything inside a book title 《…》; and Chinese-numeral figures inside a quoted slogan or name: “…”
 *     「…」 『…』 "…" holding no , 。 ! ? ; : and at most 30 characters (“三个一批”, “六个一”,
 *     “一年见效、三年成形、五年成势、十年成城”). Quoted speech (with punctuation) is read as running text, and
 *     Arabic figures count even in a slogan (“15分钟交通圈” → 15 min);
 *   - a lone 一 before a measure word or a person (一个元器件, 一批企业, 一台运输带) is an article, not a count;
 *     一 before a measure unit is a figure (不到一秒钟 → 1 s, up to; 一年多 → 1 year, over).
 *   - Chinese numerals before 市 (两市, 三市) are references, not counts.
 *
 * Qualifiers (as the fact base uses them):
 *   over      余, 多 (30余万吨, 100多公里, 一年多), 超过, 超, 突破, 逾
 *   at-least  以上, 不低于, 不少于, 至少, 最少
 *   about     约, 约为, 大约, 左右, 近, 将近, 接近 — but 近N年/近N天 is "the last N years/days": no qualifier
 *   up-to     以内, 之内, 以下, 最多, 不超过, N年内/N天内; also 不到, 不足 ("less than", the closest of the four)
 *   高于/低于 (高于全省68.3个百分点) compare with something else: the figure itself is exact.
 *
 * Ranges: "3—5年", "3-5年", "3至5个", "10%—20%" give two figures, the low end `at-least` and the high end
 * `up-to`, both with the whole range as `text`. The low end takes the high end's unit and, when it has none
 * of its own and is the smaller number, its scale (3—5万元 → 30000 and 50000 CNY).
 *
 * Against the hand-made fact base (data/facts), three stored values are deliberately not matched: 5 and 3
 * from 实施“5+3”重点产业链(群)工程 and 2 from “2”是省级重点打造的… — scheme labels in quotation marks with no
 * unit. quotedNumbers still holds them, so `check` accepts those quotes.
 *
 * Pure functions, no I/O.
 */
import type { Qualifier, Unit } from '../data/quantities.js';

export interface Figure {
  /** In base units of `unit`: 591亿元 → 59100000000, 1.56万公里 → 15600, 30余万吨 → 300000. */
  value: number;
  unit: Unit;
  /** For unit 'count' only: zh = the measure word as written; en = '' (a person writes it). */
  noun?: { zh: string; en: string };
  qualifier?: Qualifier;
  /** The exact substring of the input that states the figure, qualifier words included. */
  text: string;
  /** Offset of `text` in the input. */
  index: number;
}

// ── Characters ──────────────────────────────────────────────────────────────────────────────────────────

const CN_DIGIT: Readonly<Record<string, number>> = {
  〇: 0, 零: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9,
};
const CN_UNIT: Readonly<Record<string, number>> = { 十: 10, 百: 100, 千: 1000 };
const CN_BIG: Readonly<Record<string, number>> = { 万: 1e4, 亿: 1e8 };

const has = (table: Readonly<Record<string, number>>, c: string | undefined): c is string =>
  c !== undefined && Object.hasOwn(table, c);
const isCnDigit = (c: string | undefined): boolean => has(CN_DIGIT, c);
const isCnNumeral = (c: string | undefined): boolean => isCnDigit(c) || has(CN_UNIT, c) || has(CN_BIG, c);
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isLatin = (c: string | undefined): boolean => c !== undefined && /[A-Za-z]/.test(c);

/** Strips floating-point noise: 1.56 × 1e4 gives 15600, not 15600.000000000002. */
function clean(n: number): number {
  return Number(n.toPrecision(12));
}

/** Full-width ASCII (１２３％，．) folded to ASCII, one UTF-16 unit for one, so offsets stay put. */
function fold(text: string): string {
  return text.replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
}

/**
 * A Chinese numeral's value: 十二 → 12, 二十 → 20, 一百零五 → 105, 三亿五千万 → 350000000, 二〇二二 → 2022,
 * 二十五点五 → 25.5. Undefined for what is not one number: 十四五 (a plan), 三四 (three or four).
 */
export function parseChineseNumeral(text: string): number | undefined {
  const parts = text.split('点');
  if (parts.length > 2) return undefined;
  const [whole = '', frac] = parts;
  const n = chineseInteger(whole);
  if (n === undefined || frac === undefined) return n;
  const digits = [...frac];
  if (!digits.length || !digits.every(isCnDigit)) return undefined;
  return Number(`${n}.${digits.map((c) => CN_DIGIT[c]).join('')}`);
}

function chineseInteger(text: string): number | undefined {
  const chars = [...text];
  if (!chars.length) return undefined;
  if (chars.every(isCnDigit)) {
    if (chars.length === 1) return CN_DIGIT[chars[0]!];
    // 二〇二二 is read digit by digit; 三四 ("three or four") is not one number.
    if (!chars.some((c) => c === '〇' || c === '零') || chars.includes('两')) return undefined;
    return Number(chars.map((c) => CN_DIGIT[c]).join(''));
  }
  let total = 0;
  let section = 0;
  let digit: number | undefined;
  for (const c of chars) {
    if (isCnDigit(c)) {
      const d = CN_DIGIT[c]!;
      if (d === 0) { digit = undefined; continue; } // 一百零五: 零 only holds a place
      if (digit !== undefined) return undefined; // 十四五: two digits with no unit between
      digit = d;
    } else if (has(CN_UNIT, c)) {
      section += (digit ?? 1) * CN_UNIT[c]!;
      digit = undefined;
    } else if (has(CN_BIG, c)) {
      section += digit ?? 0;
      digit = undefined;
      if (section === 0 && total === 0) section = 1;
      if (c === '亿') total = (total + section) * 1e8;
      else total += section * 1e4;
      section = 0;
    } else {
      return undefined;
    }
  }
  return total + section + (digit ?? 0);
}

// ── Context: quotation marks, titles, clauses ───────────────────────────────────────────────────────────

interface Context {
  s: string;
  /** Inside a quoted slogan or name: “…” 「…」 『…』 "…" holding no , 。 ! ? ; : (speech quoted in full has them). */
  quoted: boolean[];
  /** Inside a book title 《…》 〈…〉. */
  titled: boolean[];
}

const OPENERS: Readonly<Record<string, string>> = { '“': '”', '「': '」', '『': '』', '《': '》', '〈': '〉' };

function contextOf(s: string): Context {
  const quoted: boolean[] = new Array<boolean>(s.length).fill(false);
  const titled: boolean[] = new Array<boolean>(s.length).fill(false);
  const open: { at: number; close: string }[] = [];
  const mark = (from: number, to: number, title: boolean): void => {
    const inner = s.slice(from + 1, to);
    if (!title && (/[,。!?;:]/.test(inner) || inner.length > 30)) return;
    for (let k = from + 1; k < to; k++) (title ? titled : quoted)[k] = true;
  };
  for (let k = 0; k < s.length; k++) {
    const c = s[k]!;
    const top = open[open.length - 1];
    if (c === '"') {
      if (top?.close === '"') { open.pop(); mark(top.at, k, false); } else open.push({ at: k, close: '"' });
      continue;
    }
    const close = OPENERS[c];
    if (close) { open.push({ at: k, close }); continue; }
    // A closing mark ends the latest span it closes; one that closes nothing (damaged text) is ignored.
    const n = open.map((o) => o.close).lastIndexOf(c);
    if (n >= 0) {
      const o = open[n]!;
      open.length = n;
      mark(o.at, k, c === '》' || c === '〉');
    }
  }
  // Quotation marks left open (damaged text): a slogan only if what follows up to the clause's end is short.
  for (const o of open) if (o.close !== '》' && o.close !== '〉') {
    const m = /[,。!?;:]/.exec(s.slice(o.at + 1));
    mark(o.at, m ? o.at + 1 + m.index : s.length, false);
  }
  return { s, quoted, titled };
}

/** Where the clause holding position i starts: after the last , ; 。 ! ? : before it (not 、, which lists). */
function clauseStart(s: string, i: number): number {
  for (let k = i - 1; k >= 0; k--) if (/[,;。!?:]/.test(s[k]!)) return k + 1;
  return 0;
}

// ── Numbers ─────────────────────────────────────────────────────────────────────────────────────────────

interface NumberToken {
  value: number;
  start: number;
  end: number;
  chinese: boolean;
}

const ARABIC = /(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.\d+)?/y;

function arabicAt(s: string, i: number): NumberToken | undefined {
  ARABIC.lastIndex = i;
  const m = ARABIC.exec(s);
  if (!m) return undefined;
  return { value: Number(m[0].replace(/,/g, '')), start: i, end: i + m[0].length, chinese: false };
}

/**
 * A Chinese numeral starts with a digit or 十. 百/千/万 start one only as 百余, 千多, 万余 or after a qualifier
 * (逾百家, 近千名): elsewhere they are words (千古, 百姓, 万柏林) or levels (千亿级).
 */
function chineseRunAt(s: string, i: number): { text: string; end: number } | undefined {
  const c = s[i];
  if (c === undefined) return undefined;
  if (c === '百' || c === '千' || c === '万') {
    if (s[i + 1] === '余' || s[i + 1] === '多') return { text: c, end: i + 1 };
    if (!'逾超过近约破'.includes(s[i - 1] ?? '-')) return undefined;
  } else if ((!isCnDigit(c) && c !== '十') || c === '零' || c === '〇') {
    // 零/〇 never start a number in running text (零售, 零部件).
    return undefined;
  }
  let j = i + 1;
  while (j < s.length && (isCnNumeral(s[j]) || (s[j] === '点' && isCnDigit(s[j + 1])))) j++;
  return { text: s.slice(i, j), end: j };
}

function chineseAt(s: string, i: number): NumberToken | { rejectedEnd: number } | undefined {
  const run = chineseRunAt(s, i);
  if (!run) return undefined;
  const value = parseChineseNumeral(run.text);
  if (value === undefined) return { rejectedEnd: run.end };
  return { value, start: i, end: run.end, chinese: true };
}

// ── Scale words and 余/多 ──────────────────────────────────────────────────────────────────────────────

const SCALES: readonly [string, number][] = [
  ['万亿', 1e12], ['千亿', 1e11], ['百亿', 1e10], ['千万', 1e7], ['百万', 1e6], ['亿', 1e8], ['万', 1e4], ['千', 1e3], ['百', 1e2],
];

function scaleAt(s: string, i: number): { factor: number; end: number } | undefined {
  if (s.startsWith('千米', i) || s.startsWith('百分', i) || s.startsWith('百平方', i)) return undefined;
  for (const [w, f] of SCALES) if (s.startsWith(w, i)) return { factor: f, end: i + w.length };
  return undefined;
}

// ── Units ───────────────────────────────────────────────────────────────────────────────────────────────

interface UnitMatch {
  /** Undefined: the number is not a figure (a date, a calendar year, N个月…). */
  unit?: Unit;
  noun?: string;
  factor: number;
  end: number;
}

interface UnitEntry {
  w: string;
  unit?: Unit;
  /** For count: the noun is the word itself. */
  count?: boolean;
  factor?: number;
  arabicOnly?: boolean;
  /** A word after it that makes it something else: 位于, 大于, 人民, 处理. */
  notBefore?: RegExp;
}

const MEASURE_WORDS = '个项家条座所列对批套处户张辆位次类件只头株栋间台架艘篇部种支场';

/** Words a measure word starts: 位于, 处理, 对接; 3个多月 is a duration in months (no unit). */
const NOT_MEASURE: Readonly<Record<string, RegExp>> = {
  个: /^(?:多|余)/,
  位: /^于/,
  处: /^(?:理|置|于)/,
  对: /^(?:接|外|于|标|口)/,
  间: /^(?:隔)/,
  场: /^(?:所|景)/,
};

const UNIT_ENTRIES: UnitEntry[] = ([
  { w: '个百分点', unit: 'pp' },
  { w: '百分点', unit: 'pp' },
  { w: '公里/百平方公里', unit: 'km/100km2' },
  { w: '公里/小时', unit: 'km/h' },
  { w: '千米/小时', unit: 'km/h' },
  { w: '公里每小时', unit: 'km/h' },
  { w: 'km/h', unit: 'km/h' },
  { w: '平方公里', unit: 'km2' },
  { w: '平方千米', unit: 'km2' },
  { w: 'km²', unit: 'km2' },
  { w: '公里', unit: 'km' },
  { w: '千米', unit: 'km' },
  { w: 'km', unit: 'km' },
  { w: '平方米/年', unit: 'm2/year' },
  { w: '平方米', unit: 'm2' },
  { w: 'm²', unit: 'm2' },
  { w: '吨/年', unit: 't/year' },
  { w: '吨/日', unit: 't/day' },
  { w: '吨/天', unit: 't/day' },
  { w: '吨', unit: 't' },
  { w: '亩', unit: 'mu' },
  { w: '公顷', unit: 'ha' },
  { w: '秒钟', unit: 's' },
  { w: '秒', unit: 's' },
  { w: '分钟', unit: 'min' },
  { w: '个小时', unit: 'min', factor: 60 },
  { w: '小时', unit: 'min', factor: 60 },
  { w: '个工作日', unit: 'day' },
  { w: '工作日', unit: 'day' },
  { w: '天', unit: 'day' },
  { w: '日以内', unit: 'day' }, // N日 alone is a date; N日内 a duration (the 内 is read as up-to below)
  { w: '日内', unit: 'day' },
  { w: '个月' }, // a duration in months: no unit, so no figure
  { w: '年', unit: 'year', notBefore: /^(?:底|初|末|度|级|代|份|行动|规划)/ },
  { w: '人次', unit: 'person-times' },
  { w: '人', unit: 'people', notBefore: /^民/ },
  { w: '名', unit: 'people', notBefore: /^(?:单|称|义|录|额)/ },
  { w: '台/年', unit: 'units/year' },
  { w: '元', unit: 'CNY' },
  { w: '%', unit: '%' },
  { w: '倍', unit: 'times' },
  { w: '大类', unit: 'count', count: true },
  { w: '大', unit: 'count', count: true, notBefore: /^(?:于|幅|量|力|规模|型|大)/ },
  { w: '车道', unit: 'count', count: true },
  ...[...MEASURE_WORDS].map((w): UnitEntry => ({ w, unit: 'count', count: true, notBefore: NOT_MEASURE[w] })),
  { w: '县区', unit: 'count', count: true, arabicOnly: true },
  { w: '县市', unit: 'count', count: true, arabicOnly: true },
  { w: '县', unit: 'count', count: true, arabicOnly: true },
  { w: '市', unit: 'count', count: true, arabicOnly: true, notBefore: /^(?:场|民|值|级|政|区)/ },
  { w: '区', unit: 'count', count: true, arabicOnly: true, notBefore: /^(?:域|间|县)/ },
] satisfies UnitEntry[]).sort((a, b) => b.w.length - a.w.length);

function unitAt(s: string, i: number, chinese: boolean): UnitMatch | undefined {
  for (const e of UNIT_ENTRIES) {
    if (!s.startsWith(e.w, i)) continue;
    if (e.arabicOnly && chinese) continue;
    const end = i + e.w.length;
    if (e.notBefore?.test(s.slice(end, end + 4))) continue;
    if (!e.unit) return { factor: 1, end };
    let noun = e.count ? e.w : undefined;
    let stop = end;
    // 12县(市、区): the parenthesis belongs to the noun.
    if (e.arabicOnly && s[end] === '(') {
      const close = s.indexOf(')', end);
      if (close > end && close - end <= 8 && /^[县市区旗、]+$/.test(s.slice(end + 1, close))) {
        noun = s.slice(i, close + 1);
        stop = close + 1;
      }
    }
    return { unit: e.unit, ...(noun ? { noun } : {}), factor: e.factor ?? 1, end: stop };
  }
  return undefined;
}

// ── Qualifiers ──────────────────────────────────────────────────────────────────────────────────────────

const PREFIXES: readonly [string, Qualifier][] = ([
  ['不超过', 'up-to'], ['不低于', 'at-least'], ['不少于', 'at-least'], ['不到', 'up-to'], ['不足', 'up-to'],
  ['最多', 'up-to'], ['至少', 'at-least'], ['最少', 'at-least'],
  ['超过', 'over'], ['突破', 'over'], ['逾', 'over'], ['超', 'over'],
  ['大约', 'about'], ['约为', 'about'], ['将近', 'about'], ['接近', 'about'], ['约', 'about'], ['近', 'about'],
] as [string, Qualifier][]).sort((a, b) => b[0].length - a[0].length);

const SUFFIXES: readonly [string, Qualifier][] = [
  ['以上', 'at-least'], ['以内', 'up-to'], ['之内', 'up-to'], ['以下', 'up-to'], ['左右', 'about'],
];

const DURATIONS: ReadonlySet<Unit> = new Set<Unit>(['year', 'day', 'min', 's']);

// ── One figure ──────────────────────────────────────────────────────────────────────────────────────────

interface Candidate {
  /** Text start, qualifier words and an adjacent 时速/每天/年产 included. */
  start: number;
  numStart: number;
  /** After the number and its scale (and 余/多). */
  numEnd: number;
  /** Text end. */
  end: number;
  /** Where scanning goes on. */
  next: number;
  raw: number;
  scale: number;
  value: number;
  chinese: boolean;
  unit?: Unit;
  noun?: string;
  qualifier?: Qualifier;
  /** 'bare': a number without a unit (it may still open a range); 'not': never a figure. */
  status: 'figure' | 'bare' | 'not';
}

const NAMES = ['五台', '七台河', '三台', '五家渠', '万柏林', '二广', '三门峡', '六盘水', '十堰'];
const PER_YEAR = /(?:每年|全年|(?<![\d〇零一二两三四五六七八九十百千今明去当前后近上下同本该青少老成周元新跨逐历])年(?:产|综合|处理|加工|利用|可|均|供|吞吐|消纳|发电|生产|减少|节约|回收|运输|转运|销售|排放|新增))/g;
const PER_DAY = /(?:每天|每日|(?<![\d〇零一二两三四五六七八九十月今明昨前后当本次])日(?:产|处理|均|供|转运|吞吐|运输|加工|消纳|排放))/g;

function lastMatch(re: RegExp, text: string): { index: number; end: number } | undefined {
  let last: { index: number; end: number } | undefined;
  for (const m of text.matchAll(re)) last = { index: m.index, end: m.index + m[0].length };
  return last;
}

/** Characters before 约/近/超 that make them part of another word. */
const NOT_QUALIFIER: Readonly<Record<string, string>> = {
  约: '签节集制预特公合履违条邀相缔简誓规婉隐',
  近: '附最邻就远贴亲接将',
  超: '赶高',
};

/** The qualifier word right before position i, if any. */
function prefixBefore(s: string, i: number): { q: Qualifier; w: string } | undefined {
  for (const [w, q] of PREFIXES) {
    if (i < w.length || s.slice(i - w.length, i) !== w) continue;
    // 签约97个项目, 节约, 附近3公里, 赶超: the word ends another word.
    const before = s[i - w.length - 1];
    if (before !== undefined && NOT_QUALIFIER[w]?.includes(before)) return undefined;
    return { q, w };
  }
  return undefined;
}


/** The number token at i (fractions and 半 included), or where to skip to when there is none to read. */
function candidateAt(ctx: Context, i: number): Candidate | undefined {
  const { s } = ctx;
  const c = s[i]!;
  const prev = s[i - 1];

  // ── fractions and 百分之N ──
  const frac = fractionAt(s, i);
  if (frac) {
    const cand = finish(ctx, {
      start: i, numStart: i, numEnd: frac.end, end: frac.end, next: frac.end, raw: frac.value, scale: 1,
      value: frac.value, chinese: frac.chinese, unit: frac.unit, status: 'figure',
    });
    return cand;
  }

  // ── Arabic digits ──
  if (isDigit(c)) {
    const tok = arabicAt(s, i)!;
    let end = tok.end;
    const after = s[end];
    const not = (to: number): Candidate => ({
      start: i, numStart: i, numEnd: to, end: to, next: to, raw: tok.value, scale: 1, value: tok.value, chinese: false, status: 'not',
    });
    // Times, dates and ids written with : . / (18:15:06, 2022.11.06, 11/06) or letters (G5, PM2.5, 4A级, 5G).
    if ((after === ':' || after === '/' || after === '.') && isDigit(s[end + 1])) {
      while (end < s.length && (isDigit(s[end]) || /[:./]/.test(s[end]!))) end++;
      return not(end);
    }
    if (prev !== undefined && (isLatin(prev) || /[:./+]/.test(prev) || prev === '□')) return not(end);
    if (prev === '第' || prev === '每') return not(end);
    if (after === '+') return not(end);
    if (isLatin(after) && !s.startsWith('km', end)) return not(end);
    return readTail(ctx, { value: tok.value, start: i, end, chinese: false });
  }

  // ── 半小时, 半天, 半年 (not 上半年/下半年, not 一个半小时) ──
  if (c === '半') {
    if (prev === '上' || prev === '下' || prev === '多' || prev === '大' || prev === '个' || isCnNumeral(prev)) return undefined;
    if (!/^半(?:个小时|小时|天|年)/.test(s.slice(i, i + 4))) return undefined;
    return readTail(ctx, { value: 0.5, start: i, end: i + 1, chinese: true });
  }

  // ── Chinese numerals ──
  for (const name of NAMES) {
    if (s.startsWith(name, i)) {
      return { start: i, numStart: i, numEnd: i + name.length, end: i + name.length, next: i + name.length, raw: 0, scale: 1, value: 0, chinese: true, status: 'not' };
    }
  }
  const tok = chineseAt(s, i);
  if (!tok) return undefined;
  if ('rejectedEnd' in tok) {
    return { start: i, numStart: i, numEnd: tok.rejectedEnd, end: tok.rejectedEnd, next: tok.rejectedEnd, raw: 0, scale: 1, value: 0, chinese: true, status: 'not' };
  }
  if (prev === '第' || prev === '每' || prev === '初' || prev === '周' || prev === '期') {
    return { start: i, numStart: i, numEnd: tok.end, end: tok.end, next: tok.end, raw: tok.value, scale: 1, value: tok.value, chinese: true, status: 'not' };
  }
  return readTail(ctx, tok);
}

/** 三分之一 → 1/3 fraction; 百分之二十 → 20 %; 千分之五 → 0.005 fraction; 3分之1 likewise. */
function fractionAt(s: string, i: number): { value: number; unit: Unit; end: number; chinese: boolean } | undefined {
  let denominator: number | undefined;
  let pos: number;
  let chinese = true;
  const special = ({ 百: 100, 千: 1000, 万: 10000 } as Record<string, number>)[s[i] ?? ''];
  if (special !== undefined && s.startsWith('分之', i + 1)) {
    denominator = special;
    pos = i + 3;
  } else {
    const d = isDigit(s[i]) ? arabicAt(s, i) : undefined;
    const run = d ? undefined : chineseRunAt(s, i);
    const end = d?.end ?? run?.end;
    if (end === undefined || !s.startsWith('分之', end)) return undefined;
    denominator = d ? d.value : parseChineseNumeral(run!.text);
    chinese = !d;
    pos = end + 2;
  }
  if (!denominator) return undefined;
  let numerator: number | undefined;
  let end = pos;
  if (isDigit(s[pos])) {
    const n = arabicAt(s, pos)!;
    numerator = n.value;
    end = n.end;
    chinese = false;
  } else {
    const run = chineseRunAt(s, pos);
    if (run) { numerator = parseChineseNumeral(run.text); end = run.end; }
  }
  if (numerator === undefined) return undefined;
  if (denominator === 100) return { value: numerator, unit: '%', end, chinese };
  return { value: numerator / denominator, unit: 'fraction', end, chinese };
}

/** After the number: 余/多, the scale, the unit, a qualifier after it; then the checks. */
function readTail(ctx: Context, tok: NumberToken): Candidate {
  const { s } = ctx;
  let pos = tok.end;
  let over = false;
  let scale = 1;
  if ((s[pos] === '余' || s[pos] === '多') && (scaleAt(s, pos + 1) || unitAt(s, pos + 1, tok.chinese))) { over = true; pos++; }
  const sc = scaleAt(s, pos);
  if (sc) { scale = sc.factor; pos = sc.end; }
  if (!over && (s[pos] === '余' || s[pos] === '多') && unitAt(s, pos + 1, tok.chinese)) { over = true; pos++; }
  const numEnd = pos;
  const value = clean(tok.value * scale);
  const base: Candidate = {
    start: tok.start, numStart: tok.start, numEnd, end: numEnd, next: numEnd, raw: tok.value, scale, value,
    chinese: tok.chinese, status: 'bare', ...(over ? { qualifier: 'over' as Qualifier } : {}),
  };
  const u = unitAt(s, pos, tok.chinese);
  if (!u) return base;
  if (!u.unit) return { ...base, end: u.end, next: u.end, status: 'not' };
  // 年: a duration, never a calendar year (2022年, 二〇二二年).
  if (u.unit === 'year' && scale === 1 && Number.isInteger(tok.value)) {
    const digits = s.slice(tok.start, tok.end);
    if ((!tok.chinese && /^\d{4}$/.test(digits) && tok.value >= 1000 && tok.value < 3000) || (tok.chinese && /[〇零]/.test(digits) && !/[十百千]/.test(digits))) {
      return { ...base, end: u.end, next: u.end, status: 'not' };
    }
  }
  // N级 after the unit: a level (10万吨级码头), not an amount.
  if (s[u.end] === '级') return { ...base, end: u.end + 1, next: u.end + 1, status: 'not' };
  return finish(ctx, { ...base, unit: u.unit, ...(u.noun ? { noun: u.noun } : {}), value: clean(value * u.factor), end: u.end, next: u.end, status: 'figure' });
}

/** Qualifier words, 时速/每天/年产 markers, and what stops a number from being a figure. */
function finish(ctx: Context, c: Candidate): Candidate {
  const { s } = ctx;
  let { start, end, qualifier, unit } = c;
  if (!unit) return c;

  // Qualifier after the unit.
  let suffix: Qualifier | undefined;
  for (const [w, q] of SUFFIXES) if (s.startsWith(w, end)) { suffix = q; end += w.length; break; }
  if (!suffix && DURATIONS.has(unit)) {
    if (s[end] === '多' || s[end] === '余') { suffix = 'over'; end++; }
    else if (s[end] === '内') { suffix = 'up-to'; end++; }
  }
  if (!suffix && s.slice(c.numEnd, end).endsWith('内')) suffix = 'up-to'; // N日内, N日以内

  // Qualifier before the number.
  const pre = prefixBefore(s, c.numStart);
  let prefix: Qualifier | undefined;
  if (pre) {
    // 近两年 / 近3天: "the last two years", not "nearly".
    const lastN = pre.w === '近' && (unit === 'year' || unit === 'day');
    if (!lastN) { prefix = pre.q; start = c.numStart - pre.w.length; }
  }
  qualifier = prefix ?? qualifier ?? suffix;

  // Units that a marker before the number changes: 时速 → km/h; 年产/每年 → per year; 每天/日处理 → per day.
  const head = s.slice(0, start);
  if (unit === 'km') {
    const m = /时速(?:达到?|为|约为?|是|高达|最高|可达)?$/.exec(head);
    if (m) { unit = 'km/h'; if (m[0] === '时速') start -= 2; }
  }
  if (unit === 't' || unit === 'm2' || (unit === 'count' && c.noun === '台')) {
    const from = clauseStart(s, start);
    const clause = s.slice(from, start);
    const year = lastMatch(PER_YEAR, clause);
    const day = unit === 't' ? lastMatch(PER_DAY, clause) : undefined;
    const marker = day && (!year || day.index > year.index) ? { ...day, per: 'day' as const } : year ? { ...year, per: 'year' as const } : undefined;
    if (marker) {
      unit = unit === 't' ? (marker.per === 'day' ? 't/day' : 't/year') : unit === 'm2' ? 'm2/year' : 'units/year';
      if (marker.end === clause.length) start = from + marker.index;
    }
  }
  const noun = unit === 'count' ? c.noun : undefined;

  let status: Candidate['status'] = 'figure';
  if (ctx.titled[c.numStart]) status = 'not';
  // Chinese numerals in quotation marks name slogans and policies (“三个一批”).
  if (c.chinese && ctx.quoted[c.numStart]) status = 'not';
  // A lone 一 before a measure word or a person is an article: 一个元器件, 一批企业.
  if (c.chinese && s[c.numStart] === '一' && c.numEnd === c.numStart + 1 && (unit === 'count' || unit === 'people' || unit === 'person-times' || unit === 'units/year')) status = 'not';

  const out: Candidate = { ...c, start, end, next: end, unit, status };
  delete out.noun;
  delete out.qualifier;
  if (noun) out.noun = noun;
  if (qualifier) out.qualifier = qualifier;
  return out;
}

// ── Ranges ──────────────────────────────────────────────────────────────────────────────────────────────

const RANGE = /^(?:-|—|–|~|～|至|到)/;

function toFigure(s: string, c: Candidate, start = c.start, end = c.end): Figure {
  return {
    value: c.value,
    unit: c.unit!,
    ...(c.noun ? { noun: { zh: c.noun, en: '' } } : {}),
    ...(c.qualifier ? { qualifier: c.qualifier } : {}),
    text: s.slice(start, end),
    index: start,
  };
}

/**
 * Every figure a clause states, in order. The input is normalised text (Simplified Chinese, no whitespace,
 * NFKC); full-width digits and ％ are read too.
 */
export function figuresIn(clause: string): Figure[] {
  const s = fold(clause);
  const ctx = contextOf(s);
  const out: Figure[] = [];
  let i = 0;
  while (i < s.length) {
    const a = candidateAt(ctx, i);
    if (!a) { i++; continue; }
    // A range: 3—5年, 3至5个, 10%—20%. The low end ends at its number when it has no unit of its own.
    const aEnd = a.status === 'figure' ? a.end : a.numEnd;
    const sep = a.status === 'not' ? null : RANGE.exec(s.slice(aEnd, aEnd + 1));
    if (sep) {
      const b = candidateAt(ctx, aEnd + sep[0].length);
      if (b && b.chinese === a.chinese) {
        if (b.status === 'figure' && (a.status === 'bare' || a.unit === b.unit)) {
          let value = a.value;
          if (a.status === 'bare') {
            if (a.scale === 1 && b.scale > 1 && a.raw <= b.raw) value = clean(a.raw * b.scale);
            if (b.unit === 'min' && /小时/.test(s.slice(b.numEnd, b.end))) value = clean(value * 60);
          }
          const low: Candidate = { ...a, value, unit: b.unit!, qualifier: 'at-least', status: 'figure' };
          if (b.noun) low.noun = b.noun;
          const high: Candidate = { ...b, qualifier: 'up-to' };
          const start = Math.min(a.start, b.start);
          out.push(toFigure(clause, low, start, b.end), toFigure(clause, high, start, b.end));
          i = b.next;
          continue;
        }
        // The high end is a date or a calendar year (1—9月, 2021—2025年): so is the low end.
        if (b.status !== 'figure' && a.status === 'bare') { i = Math.max(b.next, aEnd + 1); continue; }
      }
    }
    if (a.status === 'figure') out.push(toFigure(clause, a));
    i = Math.max(a.next, i + 1);
  }
  return out;
}

// ── Every number, for checking ──────────────────────────────────────────────────────────────────────────

/**
 * Every number a text states in any written form, for checking that a stored value is written in its quote:
 * Arabic digits raw and scaled (591亿 → 591 and 59100000000; 30余万 → 30 and 300000), Chinese numerals
 * (两 → 2, 十二 → 12, 三十万 → 300000), fractions as figuresIn stores them (三分之一 → 1/3, 百分之二十 → 20),
 * and every figure's value. A superset of what figuresIn returns as values; no date or id is left out.
 */
export function quotedNumbers(text: string): number[] {
  const s = fold(text);
  const out: number[] = [];
  const seen = new Set<number>();
  const add = (n: number | undefined): void => {
    if (n === undefined || !Number.isFinite(n) || seen.has(n)) return;
    seen.add(n);
    out.push(n);
  };
  const scaled = (value: number, end: number): void => {
    let pos = end;
    if (s[pos] === '余' || s[pos] === '多') pos++;
    const sc = scaleAt(s, pos);
    if (sc) add(clean(value * sc.factor));
  };
  for (let i = 0; i < s.length;) {
    const frac = fractionAt(s, i);
    if (frac) add(frac.value);
    if (isDigit(s[i])) {
      const tok = arabicAt(s, i)!;
      add(tok.value);
      scaled(tok.value, tok.end);
      // 1,883 is also the two numbers 1 and 883 when the comma was a list's.
      if (s.slice(i, tok.end).includes(',')) for (const part of s.slice(i, tok.end).split(/[,.]/)) add(Number(part));
      i = tok.end;
      continue;
    }
    const c = s[i]!;
    if (c === '半') add(0.5);
    if (isCnNumeral(c)) {
      let j = i;
      while (j < s.length && (isCnNumeral(s[j]) || (s[j] === '点' && isCnDigit(s[j + 1])))) j++;
      const run = s.slice(i, j);
      // 万 in 30余万 or 5万 is the scale of the number before it, read with that number.
      if (has(CN_BIG, c) || has(CN_UNIT, c)) {
        const before = s[i - 1];
        if (isDigit(before) || before === '余' || before === '多') { i = j; continue; }
      }
      const whole = parseChineseNumeral(run);
      if (whole !== undefined) {
        add(whole);
        scaled(whole, j);
      } else {
        for (const ch of run) add(CN_DIGIT[ch] ?? CN_UNIT[ch] ?? CN_BIG[ch]);
      }
      i = j;
      continue;
    }
    i++;
  }
  for (const f of figuresIn(text)) add(f.value);
  return out;
}

/**
 * What a drafted fact is, guessed from its clause: its kind, its dates (resolved against the source's
 * publication date), its zone and theme, and a short Chinese title. Every guess is a proposal a person
 * confirms; where a guess rests on nothing in the text, it says so in `notes`.
 */
import type { ThemeSpec, ZoneSpec } from '../data/schema.js';
import type { Clause } from './clauses.js';
import { parseChineseNumeral } from './figures.js';

export type Kind = 'metric' | 'target' | 'milestone' | 'initiative';

export interface Dating {
  kind: Kind;
  as_of?: string;
  date?: string;
  period?: { from: string; to: string };
  target_year?: number;
  /** Said when a date is assumed rather than read. */
  notes: string[];
}

const pad = (n: number) => String(n).padStart(2, '0');
/** A month or day as written: 9 or 九, 12 or 十二. */
const num = (s: string) => (/^\d+$/.test(s) ? Number(s) : (parseChineseNumeral(s) ?? NaN));
/** A month, 1 to 12, as digits or a numeral; not the last digit of a larger number ("13月" is no month). */
const MONTH = '(?<!\\d)(1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])';

/**
 * The year a clause speaks of: written (2023年), relative (今年, 去年, 明年), or the publication's. A year
 * it compares with (比去年同期, 较上年, 与2022年相比, 同比) is a baseline, not the figure's.
 */
function yearOf(clause: string, published: number): { year: number; read: boolean } {
  const text = clause.replace(/[比较与](?:上年|去年|20\d\d年)(?:同期)?/g, '');
  const written = /(20\d\d)年(?!以来|以前)/.exec(text);
  if (written) return { year: Number(written[1]), read: true };
  if (/去年|上年/.test(text)) return { year: published - 1, read: true };
  if (/明年/.test(text)) return { year: published + 1, read: true };
  if (/今年|本年|年内/.test(text)) return { year: published, read: true };
  return { year: published, read: false };
}

/** Words that make a figure a plan: anywhere before it in the sentence (strong), or before it in its clause. */
const TARGET_STRONG = /到(20\d\d)年|力争|目标/;
const TARGET_WEAK = /预计|计划|规划|将(要|会)?(达到|建成|实现|形成|完成|交付|开工|投用|新增|建设)|届时|远期/;
const DONE = /截至|截止|累计|已经|已[^经]|完成了|实现了/;
const EVENT = /开工|建成|通车|揭牌|投产|开通|首发|竣工|签约|设立|启动|投运|投用|运营|挂牌|开业|交付|落地|成立|召开|印发|出台|发布|贯通/;
const MEASURED = /达到|共计|累计|完成|实现|共有|共|运送|运行/;
const QUARTERS: Record<string, [number, number]> = { 上半年: [1, 6], 下半年: [7, 12], 前三季度: [1, 9], 一季度: [1, 3], 第一季度: [1, 3], 二季度: [4, 6], 三季度: [7, 9], 四季度: [10, 12] };
const SPAN = new RegExp(`(?:(20\\d\\d)年)?${MONTH}月?[—\\-－~至到](?:(20\\d\\d)年)?${MONTH}月`);
const DAY = new RegExp(`(?:(20\\d\\d)年)?${MONTH}月(\\d{1,2})日`);
const MONTH_AT = new RegExp(`(?:(20\\d\\d)年)?${MONTH}月(底|末|份|中旬|上旬|下旬)?`);
const UP_TO = new RegExp(`(?:截至|截止|到)(?:(20\\d\\d)年|(今年|去年|上年))?${MONTH}月`);
const SINCE = new RegExp(`${MONTH}月(?:\\d{1,2}日)?[^,，]*以来`);

/**
 * The kind and the dates of a clause from a source published on `published` (YYYY-MM or YYYY-MM-DD):
 * 到2025年/力争 → target with target_year; 1—9月/上半年 → metric with a period; 截至…底 → metric as_of;
 * 开工/建成/通车/揭牌 on a day → milestone. A month later than the publication, with no year written,
 * is last year's (a March article's "10月" is last October); a forecast (预计明年5月) is a target, and so
 * is a figure for a year after the publication.
 */
export function dateClause(clause: Clause, published: string, opening?: OpeningPeriod): Dating {
  const [py, pm] = published.split('-').map(Number) as [number, number];
  // Titles in 《》 (《中长期铁路网规划》) say nothing about the figure.
  const strip = (t: string) => t.replace(/《[^》]*》/g, (m) => '□'.repeat(m.length));
  const here = strip(clause.text);
  const before = strip(clause.before);
  const notes: string[] = [];
  const own = yearOf(here, py);
  const around = yearOf(before + here, py);
  const y = own.read ? own.year : around.year;
  const yearRead = own.read || around.read;
  const notLater = (yy: number, mm: number) => (!yearRead && (yy > py || (yy === py && mm > pm)) ? yy - 1 : yy);
  const firstFigure = clause.figures[0]?.index ?? here.length;

  const weak = TARGET_WEAK.exec(here);
  const future = own.read && own.year > py && !/以来|截至/.test(here);
  if (!DONE.test(here) && (TARGET_STRONG.test(before + here) || (weak && weak.index <= firstFigure) || future)) {
    // The year the plan is for: 到2025年, in the clause or before it; a year after 较/比 is a baseline.
    const ty = /到(20\d\d)年/.exec(here) ?? /到(20\d\d)年/.exec(before) ?? /(?<![较比与])(20\d\d)年/.exec(here);
    const when = ty ? Number(ty[1]) : y;
    if (!ty && !yearRead) notes.push(`target year assumed to be ${when}: the clause names none`);
    return { kind: 'target', target_year: when, notes };
  }

  const period = (from: number, to: number, fy?: string, ty?: string): Dating => {
    const toYear = ty ? Number(ty) : fy ? Number(fy) : notLater(y, to);
    const fromYear = fy ? Number(fy) : from > to ? toYear - 1 : toYear;
    return { kind: 'metric', as_of: `${toYear}-${pad(to)}`, period: { from: `${fromYear}-${pad(from)}`, to: `${toYear}-${pad(to)}` }, notes };
  };
  const span = SPAN.exec(here) ?? SPAN.exec(before);
  if (span) return period(num(span[2]!), num(span[4]!), span[1], span[3]);
  const quarter = Object.keys(QUARTERS).find((q) => (before + here).includes(q));
  if (quarter) return period(...QUARTERS[quarter]!);
  const upTo = UP_TO.exec(here);
  if (upTo) {
    const to = num(upTo[3]!);
    const relative = upTo[2] ? String(upTo[2] === '今年' ? py : py - 1) : undefined;
    const since = SINCE.exec(here) ?? SINCE.exec(before);
    if (since && num(since[1]!) <= to) return period(num(since[1]!), to, upTo[1] ?? relative);
    const yy = upTo[1] ? Number(upTo[1]) : relative ? Number(relative) : notLater(y, to);
    return { kind: 'metric', as_of: `${yy}-${pad(to)}`, notes };
  }

  const day = DAY.exec(here);
  const month = MONTH_AT.exec(here);
  const at = (m: RegExpExecArray, withDay: boolean) => {
    const mm = num(m[2]!);
    const yy = m[1] ? Number(m[1]) : notLater(y, mm);
    return withDay ? `${yy}-${pad(mm)}-${pad(Number(m[3]))}` : `${yy}-${pad(mm)}`;
  };
  if (EVENT.test(here) && !MEASURED.test(here) && (day || month)) return { kind: 'milestone', date: day ? at(day, true) : at(month!, false), notes };
  if (day) return { kind: 'metric', as_of: at(day, true), notes };
  if (month) return { kind: 'metric', as_of: at(month, false), notes };
  // A day or month stated earlier in the sentence dates the clause too.
  const dayBefore = DAY.exec(before);
  const monthBefore = MONTH_AT.exec(before);
  if (dayBefore || monthBefore) return { kind: 'metric', as_of: dayBefore ? at(dayBefore, true) : at(monthBefore!, false), notes };
  if (/年底|年末|全年/.test(before + here) && yearRead) return { kind: 'metric', as_of: `${y}-12`, notes };
  if (yearRead && y < py) return { kind: 'metric', as_of: `${y}-12`, notes: [`dated to the end of ${y}: the clause gives the year only`] };
  // A figure the text gives no date, in an article that opens with the period it reports on (今年前三季度…):
  // that period, unless the figure is a running total (累计, 截至, 已…).
  if (opening && !yearRead && !DONE.test(before + here)) {
    notes.push(`period taken from the article's opening "${opening.phrase}": the clause gives no date of its own`);
    return period(opening.from, opening.to, opening.year === undefined ? undefined : String(opening.year));
  }
  notes.push(`as_of assumed to be the publication month ${published.slice(0, 7)}: the clause gives no date`);
  return { kind: 'metric', as_of: published.slice(0, 7), notes };
}

/** The period an article says it reports on, in its opening: 今年前三季度, 2023年上半年, 1—9月. */
export interface OpeningPeriod {
  from: number;
  to: number;
  /** Written (2023年) or relative (今年, 去年); else the period's latest year not after the publication. */
  year?: number;
  phrase: string;
}

/** The period named in the first three sentences of a source's text, if one is. */
export function openingPeriod(text: string, published: string): OpeningPeriod | undefined {
  const py = Number(published.slice(0, 4));
  const opening = (text.match(/[^。！？]+[。！？]?/g) ?? []).slice(0, 3).join('');
  /** The year written just before a period (2023年, 今年, 去年), and its text. */
  const yearBefore = (at: number): { year?: number; text: string } => {
    const m = /(?:(20\d\d)年|(今年|本年)|(去年|上年))$/.exec(opening.slice(Math.max(0, at - 5), at));
    if (!m) return { text: '' };
    return { year: m[1] ? Number(m[1]) : m[2] ? py : py - 1, text: m[0] };
  };
  const found = (from: number, to: number, at: number, phrase: string): OpeningPeriod => {
    const { year, text: said } = yearBefore(at);
    return { from, to, ...(year === undefined ? {} : { year }), phrase: said + phrase };
  };
  const span = SPAN.exec(opening);
  if (span) {
    const written = span[3] ?? span[1];
    // 2023年1—9月: the year is the span's own; 今年1—9月: the one before it.
    return written ? { from: num(span[2]!), to: num(span[4]!), year: Number(written), phrase: span[0] } : found(num(span[2]!), num(span[4]!), span.index, span[0]);
  }
  // The longest first: 第一季度 before 一季度, 前三季度 before 三季度.
  for (const [q, [from, to]] of Object.entries(QUARTERS).sort(([a], [b]) => b.length - a.length)) {
    const at = opening.indexOf(q);
    if (at >= 0) return found(from, to, at, q);
  }
  return undefined;
}

/** How often a text names any of the words. */
function hits(text: string, words: string[]): number {
  return words.reduce((n, w) => n + (w ? text.split(w).length - 1 : 0), 0);
}

/** The zone among the source's zones whose names and keywords the clause (then its sentence) names most. */
export function guessZone(clause: Clause, zones: ZoneSpec[]): ZoneSpec | undefined {
  if (zones.length <= 1) return zones[0];
  const words = (z: ZoneSpec) => [z.name.zh, z.short.zh, ...(z.keywords ?? [])];
  for (const text of [clause.text, clause.sentence]) {
    const ranked = zones.map((z) => ({ z, n: hits(text, words(z)) })).sort((a, b) => b.n - a.n);
    if (ranked[0]!.n > 0 && ranked[0]!.n > (ranked[1]?.n ?? 0)) return ranked[0]!.z;
  }
  return undefined;
}

/** The theme whose keywords (themes.yaml) the clause, then its sentence, names most; undefined on a tie at 0. */
export function guessTheme(clause: Clause, themes: ThemeSpec[]): ThemeSpec | undefined {
  for (const text of [clause.text, clause.sentence]) {
    const ranked = themes.map((t) => ({ t, n: hits(text, [t.name.zh, ...(t.keywords ?? [])]) })).sort((a, b) => b.n - a.n);
    if (ranked[0]!.n > 0 && ranked[0]!.n > (ranked[1]?.n ?? 0)) return ranked[0]!.t;
  }
  return undefined;
}

/** Leading time phrases and connectives that are not part of what is measured. */
const LEAD = /^(截至|截止|到|至|自|从|今年|去年|明年|目前|当前|近年来|同时|此外|其中|另外|全年|累计|共|已|并|且|还|和|与|及|在|对|将|要|力争|预计|计划)/;

/**
 * A short Chinese title from the clause: the words before its first figure, without time phrases and
 * connectives, cut at 24 characters; the clause's start when nothing stands before the figure.
 */
export function titleOf(clause: Clause): string {
  const first = clause.figures[0];
  let head = clause.text.slice(0, first?.index ?? clause.text.length);
  head = head.split(/[，,：:]/).filter(Boolean).pop() ?? head;
  head = head
    .replace(/(20\d\d|\d{1,2})年|(\d{1,2}|[一二三四五六七八九十]+)[—\-－~至到]?(\d{1,2})?月(底|末|份)?|\d{1,2}日|上半年|下半年|前三季度|[一二三四]季度/g, '')
    .replace(/[“”"‘’「」《》（）()]/g, '');
  for (let i = 0; i < 4; i++) head = head.replace(LEAD, '');
  head = head.replace(/(达到|达|为|是|共计|合计|累计|完成|实现|超过|突破|增加|新增|共|有|约|近|逾|总|的)+$/u, '');
  // Nothing before the figure (年产200万台的计算机整机产能): what follows it names the quantity.
  if (head.length < 2 && first) head = (clause.text.slice(first.index + first.text.length).split(/[，,。；;]/)[0] ?? '').replace(/^的/, '');
  if (head.length < 2) head = clause.text.replace(/[，,。；;]/g, ' ').trim();
  return head.length > 24 ? head.slice(0, 24) : head;
}

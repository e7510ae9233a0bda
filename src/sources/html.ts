/**
 * What a new document says about itself: title, date of publication, publisher.
 *
 * A saved web page (isHtml) is read from its meta tags, <title>, <time datetime> and JSON-LD first; any
 * text, page or plain, from a date line near the top of its visible text ("2022-11-06 18:15:06 來源:山西日報",
 * "发布时间：2023-03-05", "2023年3月5日") and, for the publisher, a closing "（文章来源：…）".
 * Everything returned is Simplified (the same OpenCC conversion as normalize.ts), pinyin removed.
 */
import * as OpenCC from 'opencc-js';
import { stripMarkup } from '../data/normalize.js';
import { STEERING } from '../errors.js';

export interface PageMeta {
  title?: string;
  /** YYYY-MM-DD, or YYYY-MM when only the month is given */
  date?: string;
  publisher?: string;
}

const toSimplified = OpenCC.Converter({ from: 'hk', to: 'cn' });

// ── Is it a web page? ─────────────────────────────────────────────────────────────────────────────

/**
 * A saved web page, not a text with some tags in it (like data/sources/003, whose paragraphs are <p>…</p>):
 * it starts with <!DOCTYPE html> or <html>, or it has two of the elements only a whole page has
 * (<html>, <head>, <body>, <meta>, <title>).
 */
export function isHtml(text: string): boolean {
  const start = text.replace(/^\uFEFF/, '').replace(/^(\s|<\?xml[^>]*>|<!--[\s\S]*?-->)*/, '');
  if (/^<!doctype\s+html/i.test(start) || /^<html[\s>]/i.test(start)) return true;
  const kinds = [/<html[\s>]/i, /<head[\s>]/i, /<body[\s>]/i, /<meta\s/i, /<title[\s>]/i].filter((re) => re.test(text));
  return kinds.length >= 2;
}

// ── The page's own description ────────────────────────────────────────────────────────────────────

/** Every <meta> as name (or property, itemprop, http-equiv), lower-cased → content; the first of a name wins. */
function metaTags(html: string): Map<string, string> {
  const metas = new Map<string, string>();
  for (const m of html.matchAll(/<meta\s([^>]*)>/gi)) {
    const attrs = attributes(m[1]!);
    const name = (attrs.get('name') ?? attrs.get('property') ?? attrs.get('itemprop') ?? attrs.get('http-equiv'))?.toLowerCase();
    const content = attrs.get('content');
    if (name && content !== undefined && !metas.has(name)) metas.set(name, decodeText(content));
  }
  return metas;
}

function attributes(s: string): Map<string, string> {
  const attrs = new Map<string, string>();
  for (const m of s.matchAll(/([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/g)) {
    attrs.set(m[1]!.toLowerCase(), m[2] ?? m[3] ?? m[4] ?? '');
  }
  return attrs;
}

/** Entities decoded, tags dropped, white space collapsed. */
function decodeText(s: string): string {
  // Control characters (an escape sequence in a <title>) are no part of a title.
  return stripMarkup(s).replace(new RegExp(STEERING.source, 'gu'), ' ').replace(/\s+/gu, ' ').trim();
}

const DATE_METAS = [
  'article:published_time',
  'publishdate',
  'pubdate',
  'publish_date',
  'og:release_date',
  'dc.date',
  'dc.date.issued',
  'dcterms.issued',
  'datepublished',
  'date',
];

// ── Lines of visible text ─────────────────────────────────────────────────────────────────────────

/** Pinyin after a character, also where "(" was damaged into "?": 動(dòng) → 動, 日?qǐng) → 日? (a lost character). */
const PINYIN_AFTER = /(\p{Script=Han}|\?)([(?])([a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹ][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹ]*)\)/gu;

function removePinyin(s: string): string {
  // a damaged "(" means a character was lost before it: keep the "?" as its mark
  return s.replace(PINYIN_AFTER, (_, before: string, open: string) => (open === '?' ? `${before}?` : before)).replace(/\?{2,}/g, '?');
}

/** The visible text as lines: block elements end lines, markup and pinyin removed, each line trimmed. */
function visibleLines(text: string): string[] {
  const broken = text
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<(script|style|head)(?=[\s>])[^>]*>[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<(br|\/?(p|div|h[1-6]|li|tr|table|section|article|header|footer|title|ul|ol|dd|dt|blockquote))(?=[\s/>])[^>]*>/gi, '\n');
  return stripMarkup(broken)
    .split(/\r?\n|\r/)
    .map((line) => removePinyin(line).replace(/^[\s\u3000\u00a0]+|[\s\u3000\u00a0]+$/gu, ''));
}

/** YAML front matter (a Jekyll post, like data/sources/003): its lines and the text after it. */
function frontMatter(text: string): { fields: Map<string, string>; rest: string } {
  const m = /^\uFEFF?---\r?\n([\s\S]*?)\r?\n---\r?\n/.exec(text);
  const fields = new Map<string, string>();
  if (!m) return { fields, rest: text };
  for (const line of m[1]!.split(/\r?\n/)) {
    const f = /^([\w-]+):\s*(.*?)\s*$/.exec(line);
    if (f) fields.set(f[1]!.toLowerCase(), f[2]!.replace(/^(["'])(.*)\1$/, '$2'));
  }
  return { fields, rest: text.slice(m[0].length) };
}

// ── Dates ─────────────────────────────────────────────────────────────────────────────────────────

function validDate(y: number, m: number, d?: number): string | undefined {
  if (y < 1900 || y > 2099 || m < 1 || m > 12) return undefined;
  const ym = `${y}-${String(m).padStart(2, '0')}`;
  if (d === undefined) return ym;
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return undefined;
  return `${ym}-${String(d).padStart(2, '0')}`;
}

/** A day: 2023-03-05, 2023/3/5, 2023.03.05, 2023年3月5日 (also mixed); not inside a longer number. */
const DAY = /(?<!\d)(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})(?!\d)(?:\s*日)?/;
/** A month: 2023年3月 (not followed by a day). */
const MONTH_ZH = /(?<!\d)(\d{4})\s*年\s*(\d{1,2})\s*月(?!\s*\d)/;
/** A month written with figures only, 2023-03: taken only where a label or a meta tag says it is the date. */
const MONTH_ISO = /(?<!\d)(\d{4})[-/.](\d{1,2})(?![-/.\d])/;

/** The date a meta tag, <time datetime> or a labelled field holds: ISO forms, Chinese forms, 20230305. */
function parseDate(s: string): string | undefined {
  const t = s.normalize('NFKC');
  const day = DAY.exec(t);
  if (day) return validDate(+day[1]!, +day[2]!, +day[3]!);
  const compact = /^\s*(\d{4})(\d{2})(\d{2})(?:\d{4,6})?\s*$/.exec(t);
  if (compact) return validDate(+compact[1]!, +compact[2]!, +compact[3]!);
  const month = MONTH_ZH.exec(t) ?? MONTH_ISO.exec(t);
  if (month) return validDate(+month[1]!, +month[2]!);
  return undefined;
}

const DATE_LABEL = /(?:(?:发布|發布|发表|發表|发稿|發稿|更新|出版|刊发|刊發|上传|上傳)?(?:时间|時間|日期)|date|published|posted)\s*[:：]?\s*$/i;
const DATE_LABEL_ANYWHERE = /(?:发布|發布|发表|發表|发稿|發稿|更新|出版|刊发|刊發)(?:时间|時間|日期)|日期\s*[:：]/;
/**
 * Punctuation that ends or splits a sentence: a line with it after its date is body text, not a date line.
 * (Checked after NFKC, so ？ is ?, which is left out: damaged texts use it for a lost character.)
 */
const SENTENCE = /[，。；！,;!]/;
/** What may follow the date that opens a date line: its end, a space, a bracket or colon, a weekday, a source. */
const OPENS_FOLLOWER = /^(?:$|\s|[)\]】:|｜]|星期|周|来源|來源|稿源)/;

/**
 * The date of a date line: a line whose date is labelled (发布时间：…), opens the line with nothing
 * sentence-like after it (2022-11-06 18:15:06 來源:…), or closes a short line (本报记者 张三 2023年3月5日).
 */
function dateOfLine(line: string): string | undefined {
  const t = line.normalize('NFKC');
  for (const re of [DAY, MONTH_ZH, MONTH_ISO]) {
    const m = re.exec(t);
    if (!m) continue;
    const before = t.slice(0, m.index);
    const after = t.slice(m.index + m[0].length);
    const labelled = DATE_LABEL.test(before) && t.length <= 120;
    const opens = /^[\s[(【]*$/.test(before) && OPENS_FOLLOWER.test(after) && !SENTENCE.test(after) && t.length <= 120;
    const closes = /^[\s\d:)\]】]*$/.test(after) && !SENTENCE.test(before) && t.length <= 40;
    if (re === MONTH_ISO && !labelled) continue;
    if (!(labelled || opens || closes)) continue;
    const day = re === DAY ? validDate(+m[1]!, +m[2]!, +m[3]!) : validDate(+m[1]!, +m[2]!);
    if (day) return day;
  }
  return undefined;
}

// ── Publisher ─────────────────────────────────────────────────────────────────────────────────────

const SOURCE_LABEL = /(?:文章|稿件|新闻)?(?:来源|來源|稿源|出处|出處)\s*[:：]\s*/;
/** Words that follow a source name on the same line, when no space separates them. */
const AFTER_SOURCE = /(作者|编辑|編輯|责任编辑|責任編輯|记者|記者|浏览|瀏覽|点击|點擊|阅读|閱讀|字号|字號|时间|時間|发布|發布).*$/;

/** What a 来源 field says when it names nobody: this paper, this site, original, the internet. */
const NOT_A_PUBLISHER = /^(本报|本報|本站|本网|本網|原创|原創|网络|網絡|互联网|互聯網|未知|综合|綜合)$/;

/** The name after 来源：, cut at a space, a bar, a bracket or the next field; Simplified. Undefined when a character of it was lost. */
function sourceOfLine(line: string): string | undefined {
  const m = SOURCE_LABEL.exec(line);
  if (!m) return undefined;
  const raw = line.slice(m.index + m[0].length).split(/[\s|｜,，;；【】[\]()（）<>]/u)[0] ?? '';
  const name = raw.replace(AFTER_SOURCE, '').trim();
  if (!name || name.length > 30 || /[?\uFFFD]/.test(name) || NOT_A_PUBLISHER.test(name)) return undefined;
  return toSimplified(name);
}

/** A site's name, as it ends a <title>: "… - 山西日报", "…_新华网", "…|中国发展网". */
const SITE_NAME = /(网|網|报|報|新闻|新聞|日报|日報|晚报|晚報|时报|時報|在线|在線|频道|頻道|门户|門戶|政府|电视台|電視台|客户端|客戶端|官网|官網|网站|網站|\.(com|cn|net|org|gov)(\.cn)?|news|daily|times|online)$/i;
const CHANNEL = /(频道|頻道|栏目|欄目|专题|專題|首页|首頁)$/;

/** "标题 - 山西日报" → title 标题, site 山西日报; suffixes are peeled only while they read as site names. */
function splitTitle(full: string): { title: string; site?: string } {
  let title = full.trim();
  const peeled: string[] = [];
  for (;;) {
    const m = /^(.*\S)\s*(?:[_|｜]|\s[-–—]\s|-)\s*([^_|｜]+?)\s*$/u.exec(title);
    if (!m || m[2]!.length > 20 || !SITE_NAME.test(m[2]!)) break;
    peeled.push(m[2]!);
    title = m[1]!;
  }
  const site = peeled.find((p) => !CHANNEL.test(p));
  return site ? { title, site } : { title };
}

// ── Putting it together ───────────────────────────────────────────────────────────────────────────

/** How far down a text its date line may be: the first 30 lines, and the first 1,500 characters. */
const TOP_LINES = 30;
const TOP_CHARS = 1500;

/** Title, date and publisher of a saved web page or a plain text, as far as it tells them. */
export function pageMeta(text: string): PageMeta {
  const html = isHtml(text);
  const meta: PageMeta = {};
  let titleSite: string | undefined;
  const metas = html ? metaTags(text) : new Map<string, string>();
  const { fields, rest } = html ? { fields: new Map<string, string>(), rest: text } : frontMatter(text);

  // Title
  const pageTitle = metas.get('og:title') || (html ? decodeText(/<title[^>]*>([\s\S]*?)<\/title>/i.exec(text)?.[1] ?? '') : '') || fields.get('title');
  const lines = visibleLines(rest);
  if (pageTitle) {
    const { title, site } = splitTitle(removePinyin(pageTitle));
    if (title) meta.title = toSimplified(title);
    titleSite = site;
  } else if (!html) {
    const first = lines.find((l) => l !== '');
    if (first && [...first].length <= 60 && !/。/.test(first) && !dateOfLine(first) && !/[?\uFFFD]/.test(first)) meta.title = toSimplified(first);
  }

  // The top of the visible text: on a page, from its headline on (a site's header may show today's date)
  let from = 0;
  if (html && meta.title) {
    const key = meta.title.replace(/\s/g, '').slice(0, 12);
    const at = lines.findIndex((l) => toSimplified(l.replace(/\s/g, '')).startsWith(key));
    if (at >= 0) from = at;
  }
  const top: string[] = [];
  let chars = 0;
  for (const line of lines.slice(from)) {
    if (line === '') continue;
    if (top.length >= TOP_LINES || chars >= TOP_CHARS) break;
    top.push(line.slice(0, TOP_CHARS - chars));
    chars += line.length;
  }

  // Date
  let date: string | undefined;
  for (const name of DATE_METAS) {
    const v = metas.get(name);
    if (v && (date = parseDate(v))) break;
  }
  if (!date && html) {
    const times = [...text.matchAll(/<time\b([^>]*)>/gi)].map((m) => attributes(m[1]!));
    const time = times.find((a) => a.has('pubdate') || a.get('itemprop')?.toLowerCase() === 'datepublished') ?? times[0];
    const datetime = time?.get('datetime');
    if (datetime) date = parseDate(datetime);
  }
  if (!date && html) {
    const ld = /"datePublished"\s*:\s*"([^"]+)"/.exec(text);
    if (ld) date = parseDate(ld[1]!);
  }
  const fmDate = fields.get('date');
  if (!date && fmDate) date = parseDate(fmDate);
  // the first date line that says what it is (发布时间：…, or one naming the source), else the first one
  const dateLines = top.filter((l) => dateOfLine(l) !== undefined);
  const dateLine = dateLines.find((l) => SOURCE_LABEL.test(l) || DATE_LABEL_ANYWHERE.test(l)) ?? dateLines[0];
  if (!date && dateLine) date = dateOfLine(dateLine);
  if (date) meta.date = date;

  // Publisher: the source a date line names (a reprint's original), a closing "（文章来源：…）", the page's own
  // source or site name, the site a <title> ends with, and last the author meta.
  const closing = lines.filter((l) => l !== '').slice(-6).reverse().find((l) => l.length <= 40 && /^[（(]?(?:文章|稿件|新闻)?(?:来源|來源)/.test(l));
  const publisher =
    (dateLine && sourceOfLine(dateLine)) ||
    top.filter((l) => l.length <= 60).map(sourceOfLine).find((p) => p) ||
    (closing && sourceOfLine(closing)) ||
    metas.get('source') ||
    metas.get('contentsource') ||
    metas.get('og:site_name') ||
    titleSite ||
    metas.get('author');
  if (publisher) meta.publisher = toSimplified(publisher.trim());
  return meta;
}

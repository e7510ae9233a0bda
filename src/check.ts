/**
 * `briefing check`: proves the fact base against its sources.
 *   1. every quote is in its source (after normalisation: markup, pinyin, Traditional, widths, spaces);
 *   2. every value's number is written in its quote (591亿元 ↔ 59100000000 CNY);
 *   3. zh/en parity: no Han characters in English; numbers in the English summary agree with the Chinese and the values;
 *   4. conflicts: a quote that another source of the zone states differently is an error unless the fact records
 *      `conflict: { with, resolution }`; resolved conflicts are printed as notes;
 *   5. an editor's rules (data/editorial.ts): nouns, plurals, measure words, quotes, the glossary, charts, key figures;
 *   6. coverage (optional): per source, sentences holding a number that back no fact.
 */
import type { Problem } from './errors.js';
import { placeOf, type Fact, type FactBase, type Sheet } from './data/load.js';
import { normalizeText as normalizeUncached, quoteSpans } from './data/normalize.js';
import { chineseNumeralsIn, numbersIn, sameNumber } from './data/quantities.js';
import { quotedNumbers } from './draft/figures.js';
import { dice } from './draft/match.js';
import type { DraftSheet } from './data/drafts.js';
import { editorialProblems } from './data/editorial.js';

export interface CheckReport {
  errors: Problem[];
  notes: string[];
  factCount: number;
  coverage: SourceCoverage[];
}

export interface SourceCoverage {
  doc: string;
  file: string;
  sentences: number;
  covered: number;
  uncovered: string[];
}

const HAN = /\p{Script=Han}/u;

/**
 * Each quote is folded once per check, though the checks and the coverage all compare it
 * (Traditional→Simplified is the costly step). Cleared at every check, so a long-lived preview keeps none.
 */
const folded = new Map<string, string>();
function normalizeText(text: string): string {
  let out = folded.get(text);
  if (out === undefined) {
    out = normalizeUncached(text);
    folded.set(text, out);
  }
  return out;
}

export function checkFactBase(base: FactBase): CheckReport {
  const errors: Problem[] = [];
  const notes: (() => string)[] = [];
  folded.clear();
  const normalized = new Map<string, string>();
  for (const [id, s] of base.sources) normalized.set(id, normalizeText(s.text));

  for (const sheet of base.sheets) {
    sheet.facts.forEach((fact, i) => {
      const at = (...rest: PropertyKey[]) => ['facts', i, ...rest];
      const report = (path: PropertyKey[], message: string, hint: string) => errors.push(sheet.yaml.problem(path, message, hint));
      const quote = normalizeText(fact.source.quote);
      const refs = [{ ref: fact.source, at: at('source') }, ...(fact.also ?? []).map((ref, j) => ({ ref, at: at('also', j) }))];
      for (const { ref, at: where } of refs) proveQuote(fact, ref, normalized, report, where, at());
      checkParity(fact, i, report);
      checkConflicts(base, normalized, sheet, fact, i, quote, report, notes);
    });
  }

  checkRepeats(base, errors);
  errors.push(...editorialProblems(base, { terms: base.glossary, yaml: base.glossaryYaml }));

  // Notes and coverage are worked out when read: a build reads neither (a note's place in its file
  // costs a parse for positions).
  let covered: SourceCoverage[] | undefined;
  return {
    errors,
    factCount: base.sheets.reduce((n, s) => n + s.facts.length, 0),
    get notes() {
      return notes.map((note) => note());
    },
    get coverage() {
      return (covered ??= coverage(base, normalized));
    },
  };
}

/**
 * The quote test and the number test, for a fact of a sheet or a draft: the quote is in its source
 * (after normalisation), and every value's number is written in it in some form.
 */
function proveQuote(fact: { id: string; values: { value: number; unit: string }[] }, ref: { doc: string; quote: string }, normalized: Map<string, string>, report: Report, where: PropertyKey[], factAt: PropertyKey[]): void {
  const doc = normalized.get(ref.doc) ?? '';
  const q = normalizeText(ref.quote);
  if (!doc.includes(q)) {
    report([...where, 'quote'], `quote of "${fact.id}" is not in ${ref.doc}${nearMiss(q, doc)}`, 'copy the passage from the source text; only markup, pinyin, Traditional characters and spaces may differ');
    return;
  }
  const quoted = quotedNumbers(q);
  fact.values.forEach((v, j) => {
    if (!quoted.some((n) => sameNumber(n, v.value))) {
      report([...factAt, 'values', j, 'value'], `value ${v.value} ${v.unit} of "${fact.id}" is not written in its quote from ${ref.doc}`, 'store the number from the quote in base units (591亿元 → 59100000000)');
    }
  });
}

/**
 * Drafts are proved like facts (quote and numbers), so a person reviews only figures that are really in
 * their source; their missing English is work to do, not an error.
 */
export function checkDrafts(base: FactBase, drafts: DraftSheet[]): Problem[] {
  const errors: Problem[] = [];
  const normalized = new Map<string, string>();
  for (const [id, s] of base.sources) normalized.set(id, normalizeText(s.text));
  const zones = new Set(base.zones.map((z) => z.id));
  const themes = new Set(base.themes.map((t) => t.id));
  const known = new Set(base.sheets.flatMap((s) => s.facts.map((f) => f.id)));
  for (const sheet of drafts) {
    const report: Report = (path, message, hint) => errors.push(sheet.yaml.problem(path, message, hint));
    if (!base.sources.has(sheet.source)) report(['source'], `drafts for unknown source "${sheet.source}"`, 'use an id from data/sources.yaml, or remove this file');
    for (const f of sheet.facts) {
      const at = ['facts', f.index];
      if (!base.sources.has(f.source.doc)) report([...at, 'source', 'doc'], `unknown source "${f.source.doc}"`, 'use an id from data/sources.yaml');
      else proveQuote(f, f.source, normalized, report, [...at, 'source'], at);
      if (!zones.has(f.zone)) report([...at, 'zone'], `unknown zone "${f.zone}"`, `use one of: ${[...zones].join(', ')}`);
      if (!themes.has(f.theme)) report([...at, 'theme'], `unknown theme "${f.theme}"`, `use one of: ${[...themes].join(', ')}`);
      if (f.review?.fact && !known.has(f.review.fact)) report([...at, 'review', 'fact'], `review names unknown fact "${f.review.fact}"`, 'use the id of a fact in data/facts/, or remove review.fact');
      if (known.has(f.id)) report([...at, 'id'], `draft id "${f.id}" is already a fact's id`, 'rename the draft before accepting it');
    }
  }
  return errors;
}

/** How alike two titles are (0..1), after normalisation. */
const similarity = (a: string, b: string) => dice(normalizeText(a), normalizeText(b));

/** Two facts name the same indicator when their titles are this similar. */
const SAME_TITLE = 0.5;

/** A figure as a key: value, unit and (for counts) the noun. */
const figureKey = (v: { value: number; unit: string; noun?: { zh: string } }) => `${v.unit}|${Number(v.value.toPrecision(12))}|${v.noun?.zh ?? ''}`;

/**
 * The base guards itself: a figure stated by two facts of a zone for the same indicator would be printed
 * twice. The second source belongs in `also` on one of them, or the two are observations of a `series`.
 */
function checkRepeats(base: FactBase, errors: Problem[]): void {
  const seen = new Map<string, { fact: Fact; sheet: Sheet; i: number }[]>();
  for (const sheet of base.sheets) {
    sheet.facts.forEach((fact, i) => {
      for (const v of fact.values) {
        const key = `${fact.zone}|${figureKey(v)}`;
        const before = seen.get(key) ?? [];
        const twin = before.find(({ fact: o }) => o.id !== fact.id && !(o.series && o.series === fact.series) && similarity(o.title.zh, fact.title.zh) >= SAME_TITLE);
        if (twin && !errors.some((e) => e.message.includes(`"${fact.id}" states`))) {
          const cited = new Set([twin.fact.source.doc, ...(twin.fact.also ?? []).map((a) => a.doc)]);
          const how = cited.has(fact.source.doc)
            ? `keep one of the two facts (they cite the same source)`
            : `add { doc: ${fact.source.doc}, quote } to "also" of "${twin.fact.id}" and remove this fact, or give both facts the same series id if they are observations at different times`;
          errors.push(sheet.yaml.problem(['facts', i, 'values'], `"${fact.id}" states ${v.value} ${v.unit}, as "${twin.fact.id}" (${twin.sheet.file}:${placeOf(twin.fact).line}) already does for the same indicator`, how));
        }
        seen.set(key, [...before, { fact, sheet, i }]);
      }
    });
  }
}

/** Says how much of the quote's start was found, to point at the first differing character. */
function nearMiss(quote: string, doc: string): string {
  let n = quote.length - 1;
  while (n >= 4 && !doc.includes(quote.slice(0, n))) n--;
  return n >= 4 ? `; it matches up to "${quote.slice(0, n)}" and differs at "${quote.slice(n, n + 6)}"` : '';
}

type Report = (path: PropertyKey[], message: string, hint: string) => void;

function checkParity(fact: Fact, i: number, report: Report): void {
  const texts: [PropertyKey[], { zh: string; en: string } | undefined][] = [
    [['title'], fact.title],
    [['summary'], fact.summary],
    [['conflict', 'resolution'], fact.conflict?.resolution],
    ...(fact.items ?? []).map((t, j): [PropertyKey[], { zh: string; en: string }] => [['items', j], t]),
    ...fact.values.flatMap((v, j): [PropertyKey[], { zh: string; en: string } | undefined][] => [
      [['values', j, 'label'], v.label],
      [['values', j, 'noun'], v.noun],
    ]),
  ];
  for (const [path, t] of texts) {
    if (t && HAN.test(t.en)) report(['facts', i, ...path, 'en'], `English text of "${fact.id}" contains Chinese characters`, 'translate or transliterate them');
  }
  // Every number the English summary states must be stated by the Chinese summary or be a value.
  const zh = [...numbersIn(fact.summary.zh), ...chineseNumeralsIn(fact.summary.zh), ...fact.values.map((v) => v.value), ...dateNumbers(fact)];
  for (const n of numbersIn(fact.summary.en)) {
    if (!zh.some((m) => sameNumber(m, n)) && !isCalendarNumber(n, fact.summary.en)) {
      report(['facts', i, 'summary', 'en'], `English summary of "${fact.id}" states ${n}, which the Chinese summary and the values do not`, 'make both languages state the same figures');
      break;
    }
  }
}

function dateNumbers(fact: Fact): number[] {
  const dates = [fact.as_of, fact.date, fact.period?.from, fact.period?.to].filter((d): d is string => !!d);
  const out = dates.flatMap((d) => d.split('-').map(Number));
  if (fact.target_year) out.push(fact.target_year);
  if (fact.baseline) out.push(fact.baseline.year);
  return out;
}

/** Days of a month and years next to an English month name are dates, not figures. */
function isCalendarNumber(n: number, text: string): boolean {
  if (Number.isInteger(n) && n >= 1900 && n <= 2100) return true;
  return Number.isInteger(n) && n >= 1 && n <= 31 && new RegExp(`(\\b${n} (January|February|March|April|May|June|July|August|September|October|November|December)|(January|February|March|April|May|June|July|August|September|October|November|December) ${n}\\b)`).test(text);
}

function checkConflicts(base: FactBase, normalized: Map<string, string>, sheet: Sheet, fact: Fact, i: number, quote: string, report: Report, notes: (() => string)[]): void {
  const declared = fact.conflict;
  if (declared) {
    const other = normalized.get(declared.with.doc) ?? '';
    if (!other.includes(normalizeText(declared.with.quote))) {
      report(['facts', i, 'conflict', 'with', 'quote'], `conflicting quote of "${fact.id}" is not in ${declared.with.doc}`, 'copy the other reading from its source text');
    }
    const resolution = declared.resolution;
    if (resolution) {
      notes.push(() => `${sheet.file}:${placeOf(fact).line}:${placeOf(fact).col}: conflict resolved for "${fact.id}": ${fact.source.doc} "${fact.source.quote}" adopted over ${declared.with.doc} "${declared.with.quote}": ${resolution.en}`);
    } else {
      report(['facts', i, 'conflict'], `unresolved conflict for "${fact.id}" between ${fact.source.doc} and ${declared.with.doc}`, 'add resolution: { zh, en } saying which reading is adopted and why');
    }
  }
  // Look for the same passage, stated differently, in the zone's other sources.
  for (const [doc, text] of normalized) {
    if (doc === fact.source.doc || doc === declared?.with.doc || fact.also?.some((a) => a.doc === doc)) continue;
    if (!base.sources.get(doc)?.zones.includes(fact.zone) || text.includes(quote)) continue;
    const passage = divergentPassage(withContext(quote, normalized.get(fact.source.doc) ?? ''), text);
    if (passage) {
      report(['facts', i, 'source', 'quote'], `${doc} states this differently: "${passage}"`, 'record conflict: { with: { doc, quote }, resolution: { zh, en } } on the fact');
    }
  }
}

/** The quote with a few characters of its own source on each side, so that only the same statement aligns. */
function withContext(quote: string, doc: string, chars = 10): string {
  const at = doc.indexOf(quote);
  return at < 0 ? quote : doc.slice(Math.max(0, at - chars), at + quote.length + chars);
}

/**
 * Finds a passage of `text` aligned with `quote` that states a different figure or a different word
 * (a substitution, not an inserted or dropped word). Returns it, or undefined when none is close.
 */
export function divergentPassage(quote: string, text: string): string | undefined {
  const L = quote.length;
  if (L < 8) return undefined;
  const starts = new Set<number>();
  for (let k = 0; k + 6 <= L; k += 3) {
    const gram = quote.slice(k, k + 6);
    for (let p = text.indexOf(gram); p >= 0; p = text.indexOf(gram, p + 1)) starts.add(Math.max(0, p - k));
  }
  const budget = Math.max(2, Math.floor(L * 0.15));
  for (const start of starts) {
    const window = text.slice(Math.max(0, start - budget), start + L + budget);
    if (window.includes(quote)) continue; // the same statement: nothing to align
    const m = align(quote, window);
    if (m.distance === 0 || m.distance > budget) continue;
    const passage = window.slice(m.from, m.to);
    const a = numbersIn(quote).sort((x, y) => x - y);
    const b = numbersIn(passage).sort((x, y) => x - y);
    const numbersDiffer = a.length !== b.length || a.some((n, j) => !sameNumber(n, b[j]!));
    if (numbersDiffer || m.substitutions >= 2) return passage;
  }
  return undefined;
}

/** Semi-global edit alignment of `q` inside `t`: free start and end in t. Counts substitutions. */
function align(q: string, t: string): { distance: number; substitutions: number; from: number; to: number } {
  const n = q.length;
  const m = t.length;
  const w = m + 1;
  // cost[i][j], row by row in one typed array: the check aligns thousands of quotes.
  const cost = new Int32Array((n + 1) * w);
  for (let i = 1; i <= n; i++) {
    cost[i * w] = i;
    for (let j = 1; j <= m; j++) {
      const sub = cost[(i - 1) * w + j - 1]! + (q[i - 1] === t[j - 1] ? 0 : 1);
      cost[i * w + j] = Math.min(sub, cost[(i - 1) * w + j]! + 1, cost[i * w + j - 1]! + 1);
    }
  }
  let end = 0;
  for (let j = 1; j <= m; j++) if (cost[n * w + j]! < cost[n * w + end]!) end = j;
  let i = n;
  let j = end;
  let substitutions = 0;
  while (i > 0 && j > 0) {
    const c = cost[i * w + j]!;
    if (c === cost[(i - 1) * w + j - 1]! + (q[i - 1] === t[j - 1] ? 0 : 1)) {
      if (q[i - 1] !== t[j - 1]) substitutions++;
      i--;
      j--;
    } else if (c === cost[(i - 1) * w + j]! + 1) i--;
    else j--;
  }
  return { distance: cost[n * w + end]!, substitutions, from: j, to: end };
}

/** Sentences (split at 。！？；) holding a figure other than a date, and whether a quote covers them. */
function coverage(base: FactBase, normalized: Map<string, string>): SourceCoverage[] {
  const quotes = base.sheets.flatMap((s) => s.facts.flatMap((f) => [f.source, ...(f.also ?? []), ...(f.conflict ? [f.conflict.with] : [])]));
  return [...base.sources.values()].map((source) => {
    const text = normalized.get(source.id) ?? '';
    const spans = quotes
      .filter((q) => q.doc === source.id)
      .flatMap((q) => quoteSpans(text, normalizeText(q.quote)));
    const sentences: { from: number; to: number; text: string }[] = [];
    let from = 0;
    for (const m of text.matchAll(/[。！？；!?;]/g)) {
      sentences.push({ from, to: m.index + 1, text: text.slice(from, m.index + 1) });
      from = m.index + 1;
    }
    if (from < text.length) sentences.push({ from, to: text.length, text: text.slice(from) });
    const withFigures = sentences.filter((s) => holdsFigure(s.text));
    const uncovered = withFigures.filter((s) => !spans.some(([a, b]) => a < s.to && b > s.from)).map((s) => s.text);
    return { doc: source.id, file: source.file, sentences: withFigures.length, covered: withFigures.length - uncovered.length, uncovered };
  });
}

function holdsFigure(sentence: string): boolean {
  const stripped = sentence
    .replace(/https?:\S*|\/\/\S*|infoCode=\w+/g, '')
    .replace(/\d{4}-\d{2}-\d{2}(\d{2}:\d{2}:\d{2}(\+\d{4})?)?/g, '')
    .replace(/\d{4}年/g, '')
    .replace(/\d{1,2}月(\d{1,2}日)?/g, '')
    .replace(/\d{1,2}日/g, '');
  return /\d/.test(stripped);
}

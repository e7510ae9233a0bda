import type { Fact } from '../data/load.js';
import { formatDate, formatPeriod, formatQuantity, type Lang, type Text } from '../data/quantities.js';
import { LABELS, PHRASES } from './labels.js';
import { monthsBetween } from './edition.js';
import { CITE_CLOSE, CITE_OPEN, type Lead } from '../data/leads.js';
import type { BriefingModel } from './select.js';
import { DEFAULT_STALE_AFTER_MONTHS } from '../config.js';

/** A text in the languages being printed; a missing language is simply not printed. */
export type Bi = Partial<Text>;

/** Where a figure comes from: its source's number on the sources page, then the sources that repeat it. */
export type Refs = number[];

export interface FactView {
  id: string;
  refs: Refs;
  title: Bi;
  summary: Bi;
  values: Bi[];
  when: Bi;
  items: Bi[];
  /** A target whose year has passed by this edition: said so, and what the sources show since. */
  deadline?: Bi;
  /** A conflict between sources, resolved: both readings and the reason, printed beside the fact. */
  conflict?: Bi;
  /** The series' observation before this one: "Earlier figure: 1,883 … (as of Sep 2022) [2]". */
  previous?: Bi;
  /** In "What's new", a revised figure: "1,883 … → 2,105 … [2] → [3]". */
  revised?: Bi;
}

export interface ChartView {
  id: string;
  /** bar: one bar per fact, in `unit`; timeline: the milestones in date order. */
  type: 'bar' | 'timeline';
  title: Bi;
  rows: { factId: string; label: Bi; value: number; formatted: Bi; refs: Refs }[];
  alt: Bi;
  /** The sources the chart's figures rest on. */
  refs: Refs;
}

/** A lead in one language: Markdown with each cited figure's place marked (see render/lead.ts). */
export interface LeadText {
  markdown: string;
  figures: { text: string; refs: Refs }[];
}

export interface SectionView {
  id: string;
  heading: Bi;
  facts: FactView[];
}

export interface BriefingView {
  langs: Lang[];
  /** The document's language: zh-CN unless only English is printed. */
  lang: string;
  zone: Bi;
  theme: Bi;
  accent: string;
  edition: Bi;
  generated: Bi;
  /** The date of the newest figure the briefing holds, and, when it is older than the staleness limit, a plain notice. */
  dataAge?: { newest: Bi; notice?: Bi };
  lead?: Partial<Record<Lang, LeadText>>;
  title: string;
  keyFigures: { value: Bi; title: Bi; when: Bi; refs: Refs }[];
  charts: ChartView[];
  sections: SectionView[];
  sources: SourceView[];
  whatsNew: { heading: Bi; note?: Bi; facts: FactView[] };
  /** The sections in print order, for the table of contents. */
  toc: { id: string; heading: Bi }[];
  empty: boolean;
  labels: Record<keyof typeof LABELS, Bi>;
}

/** A source on the sources page, with every passage the briefing quotes from it and how each is used. */
export interface SourceView {
  ref: number;
  title: Bi;
  publisher: Bi;
  published: Bi;
  quality?: Bi;
  quotes: { title: Bi; quote: string; use?: Bi }[];
}

function pick(text: Text, langs: Lang[]): Bi {
  const out: Bi = {};
  for (const l of langs) out[l] = text[l];
  return out;
}

function each(langs: Lang[], make: (lang: Lang) => string): Bi {
  return pick({ zh: make('zh'), en: make('en') }, langs);
}

/** When a figure was true, stated, or is due, in each language. */
function whenOf(f: Fact, lang: Lang): string {
  if (f.kind === 'target' && f.target_year) return PHRASES.target(f.target_year, f.baseline?.year, lang);
  if (f.period) return formatPeriod(f.period.from, f.period.to, lang);
  const d = f.date ?? f.as_of;
  if (!d) return '';
  return f.kind === 'milestone' ? formatDate(d, lang) : PHRASES.asOf(formatDate(d, lang), lang);
}

export interface FormatOptions {
  langs: Lang[];
  generatedAt: Date;
  /** The IANA time zone editions follow; the cover's time is printed in it. */
  timeZone?: string;
  staleAfterMonths?: number;
}

/** The time a briefing was made, in the editions' time zone: "2026年12月1日 21:56（北京时间）" / "1 Dec 2026, 21:56 Beijing time". */
function stampOf(at: Date, timeZone: string, lang: Lang): string {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at).map((p) => [p.type, p.value]));
  const date = formatDate(`${parts.year}-${parts.month}-${parts.day}`, lang);
  return PHRASES.stamp(date, `${parts.hour}:${parts.minute}`, timeZone, lang);
}

/**
 * What every section's formatting shares: the languages, and where each fact's figures come from (its
 * sources' numbers on the sources page).
 */
class Formatter {
  readonly #refs: Map<string, number>;
  constructor(readonly model: BriefingModel, readonly langs: Lang[]) {
    this.#refs = new Map(model.sources.map((s, i) => [s.id, i + 1]));
  }
  /** A bilingual text in the printed languages. */
  p = (t: Text): Bi => pick(t, this.langs);
  /** A text made per printed language. */
  each = (make: (lang: Lang) => string): Bi => each(this.langs, make);
  /** A source's number on the sources page. */
  refOf = (doc: string): number => this.#refs.get(doc) ?? 0;
  /** The fact's own source and the sources that state the same figure, in the order of the sources page. */
  refsOf = (f: Fact): Refs => [...new Set([f.source.doc, ...(f.also ?? []).map((a) => a.doc)].map(this.refOf))].sort((a, b) => a - b);

  fact = (f: Fact): FactView => ({
    id: f.id,
    refs: this.refsOf(f),
    title: this.p(f.title),
    summary: this.p(f.summary),
    values: f.values.map((v) => this.each((l) => (v.label ? `${v.label[l]}${PHRASES.colon[l]}` : '') + formatQuantity(v, l))),
    when: this.each((l) => whenOf(f, l)),
    items: (f.items ?? []).map(this.p),
    ...(f.kind === 'target' && f.target_year !== undefined && f.target_year < Number(this.model.edition.slice(0, 4))
      ? { deadline: this.each((l) => PHRASES.pastDeadline(f.target_year!, l)) }
      : {}),
    ...(f.conflict?.resolution
      ? { conflict: this.each((l) => PHRASES.conflict(this.refOf(f.source.doc), f.source.quote, this.refOf(f.conflict!.with.doc), f.conflict!.with.quote, f.conflict!.resolution![l], l)) }
      : {}),
    ...this.previous(f),
  });

  /** The earlier observation of a series, printed beside the newest so no two values stand unexplained. */
  previous(f: Fact): Pick<FactView, 'previous' | 'revised'> {
    const prev = this.model.previous.get(f.id);
    if (!prev?.values[0] || !f.values[0]) return {};
    const old = (l: Lang) => formatQuantity(prev.values[0]!, l);
    return {
      previous: this.each((l) => `${LABELS.earlier[l]}${PHRASES.colon[l]}${old(l)}${PHRASES.aside(whenOf(prev, l), l)} [${this.refOf(prev.source.doc)}]`),
      revised: this.each((l) => `${old(l)} → ${formatQuantity(f.values[0]!, l)} [${this.refOf(prev.source.doc)}] → [${this.refOf(f.source.doc)}]`),
    };
  }

  chart(id: string, type: ChartView['type'], title: Text, facts: Fact[], rows: ChartView['rows']): ChartView {
    const kind = type === 'bar' ? LABELS.chartAlt : LABELS.timelineAlt;
    return {
      id,
      type,
      title: this.p(title),
      rows,
      alt: this.each((l) => `${kind[l]}${PHRASES.colon[l]}${title[l]}${PHRASES.stop[l]}${rows.map((r) => `${r.label[l]} ${r.formatted[l]}`).join(PHRASES.semicolon[l])}`),
      refs: [...new Set(facts.flatMap(this.refsOf))].sort((a, b) => a - b),
    };
  }
}

/** The key figures: the analyst's choice (key: true, proved a measured or planned quantity by check), never filled up with others; at most eight. */
function keyFiguresOf(fmt: Formatter): BriefingView['keyFigures'] {
  return fmt.model.facts
    .filter((f) => f.key && f.values.length > 0)
    .slice(0, 8)
    .map((f) => ({ value: fmt.each((l) => formatQuantity(f.values[0]!, l)), title: fmt.p(f.title), when: fmt.each((l) => whenOf(f, l)), refs: fmt.refsOf(f) }));
}

/** The declared charts, a trend chart per series with two or more observations, and a timeline of two or more milestones. */
function chartsOf(fmt: Formatter, milestones: Fact[]): ChartView[] {
  const { model } = fmt;
  const charts = model.charts.map(({ spec, facts }) =>
    fmt.chart(spec.id, 'bar', spec.title, facts, facts.map((f) => {
      const v = f.values.find((x) => x.unit === spec.unit)!;
      return { factId: f.id, label: fmt.p(f.title), value: v.value, formatted: fmt.each((l) => formatQuantity(v, l)), refs: fmt.refsOf(f) };
    })),
  );
  for (const s of model.series) {
    const latest = s.facts[s.facts.length - 1]!;
    const unit = latest.values[0]?.unit;
    const points = s.facts.filter((f) => f.values[0] && f.values[0].unit === unit);
    if (points.length < 2) continue;
    charts.push(fmt.chart(`series-${s.id}`, 'bar', { zh: `${latest.title.zh}（${LABELS.overTime.zh}）`, en: `${latest.title.en} ${LABELS.overTime.en}` }, points, points.map((f) => ({
      factId: f.id, label: fmt.each((l) => whenOf(f, l)), value: f.values[0]!.value, formatted: fmt.each((l) => formatQuantity(f.values[0]!, l)), refs: fmt.refsOf(f),
    }))));
  }
  // Two or more dated events make a timeline, drawn for every briefing without being declared.
  if (milestones.length >= 2) {
    charts.push(fmt.chart('milestone-timeline', 'timeline', LABELS.timeline, milestones, milestones.map((f, i) => ({
      factId: f.id, label: fmt.p(f.title), value: i, formatted: fmt.each((l) => formatDate(f.date!, l)), refs: fmt.refsOf(f),
    }))));
  }
  return charts;
}

/** The facts by kind, in print order: targets, progress, milestones (by date), initiatives. */
function sectionsOf(fmt: Formatter, milestones: Fact[]): SectionView[] {
  const byKind = (kind: Fact['kind']) => fmt.model.facts.filter((f) => f.kind === kind);
  return [
    { id: 'targets', heading: fmt.p(LABELS.targets), facts: byKind('target').map(fmt.fact) },
    { id: 'progress', heading: fmt.p(LABELS.progress), facts: byKind('metric').map(fmt.fact) },
    { id: 'milestones', heading: fmt.p(LABELS.milestones), facts: milestones.map(fmt.fact) },
    { id: 'initiatives', heading: fmt.p(LABELS.initiatives), facts: byKind('initiative').map(fmt.fact) },
  ].filter((s) => s.facts.length > 0);
}

/**
 * Every passage the briefing rests on, under its source: the facts' own quotes, the sources that repeat a
 * figure, and the reading a resolved conflict did not adopt.
 */
function sourcesOf(fmt: Formatter): SourceView[] {
  const { model } = fmt;
  const shown = [...new Set([...model.facts, ...model.previous.values(), ...model.cited.values()])];
  return model.sources.map((s) => ({
    ref: fmt.refOf(s.id),
    title: fmt.p(s.title),
    publisher: fmt.p(s.publisher),
    published: fmt.each((l) => formatDate(s.published, l)),
    ...(s.quality ? { quality: fmt.p(s.quality) } : {}),
    quotes: shown.flatMap((f) => [
      ...(f.source.doc === s.id ? [{ title: fmt.p(f.title), quote: f.source.quote }] : []),
      ...(f.also ?? []).filter((a) => a.doc === s.id).map((a) => ({ title: fmt.p(f.title), quote: a.quote, use: fmt.p(LABELS.alsoStated) })),
      ...(f.conflict?.with.doc === s.id ? [{ title: fmt.p(f.title), quote: f.conflict.with.quote, use: fmt.p(LABELS.notAdopted) }] : []),
    ]),
  }));
}

/** What is new since last month's edition, or that this is the first. */
function whatsNewOf(fmt: Formatter): BriefingView['whatsNew'] {
  const { since, facts } = fmt.model.whatsNew;
  return {
    heading: fmt.each((l) => (since ? PHRASES.whatsNewSince(formatDate(since, l), l) : LABELS.whatsNew[l])),
    ...(since === null ? { note: fmt.p(LABELS.firstEdition) } : facts.length === 0 ? { note: fmt.p(LABELS.nothingNew) } : {}),
    facts: since === null ? [] : facts.map(fmt.fact),
  };
}

/** The age of the data: the newest date any printed figure was true, and a plain word when it is old. */
function dataAgeOf(fmt: Formatter, staleAfter: number): BriefingView['dataAge'] {
  const { model } = fmt;
  const newest = model.facts.filter((f) => f.kind !== 'target').map(observedMonth).sort().pop();
  if (!newest) return undefined;
  const age = monthsBetween(newest, model.edition);
  return { newest: fmt.each((l) => formatDate(newest, l)), ...(age > staleAfter ? { notice: fmt.each((l) => PHRASES.noNewerData(formatDate(newest, l), age, l)) } : {}) };
}

/**
 * Turns a briefing model into everything the template prints, already formatted for the chosen
 * languages, one part of the page at a time: cover (with the age of the data and the lead), what's new,
 * key figures, charts, the sections of facts, the sources, the contents.
 */
export function formatBriefing(model: BriefingModel, opts: FormatOptions): BriefingView {
  const { langs } = opts;
  const fmt = new Formatter(model, langs);
  const milestones = model.facts.filter((f) => f.kind === 'milestone').sort((a, b) => (a.date ?? '').localeCompare(b.date ?? ''));
  const dataAge = dataAgeOf(fmt, opts.staleAfterMonths ?? DEFAULT_STALE_AFTER_MONTHS);
  const whatsNew = whatsNewOf(fmt);
  const keyFigures = keyFiguresOf(fmt);
  const charts = chartsOf(fmt, milestones);
  const sections = sectionsOf(fmt, milestones);
  const toc = model.facts.length
    ? [
        { id: 'whats-new', heading: whatsNew.heading },
        ...(keyFigures.length ? [{ id: 'key-figures', heading: fmt.p(LABELS.keyFigures) }] : []),
        ...(charts.length ? [{ id: 'charts', heading: fmt.p(LABELS.charts) }] : []),
        ...sections.map((s) => ({ id: s.id, heading: s.heading })),
        { id: 'sources', heading: fmt.p(LABELS.sources) },
      ]
    : [];
  const name = langs.includes('zh') ? 'zh' : 'en';
  return {
    langs,
    lang: langs.includes('zh') ? 'zh-CN' : 'en',
    zone: fmt.p(model.zone.name),
    theme: fmt.p(model.theme.name),
    accent: model.theme.accent,
    edition: fmt.each((l) => formatDate(model.edition, l)),
    generated: fmt.each((l) => stampOf(opts.generatedAt, opts.timeZone ?? 'Asia/Shanghai', l)),
    ...(dataAge ? { dataAge } : {}),
    ...(model.lead ? { lead: leadView(model.lead, model.cited, langs, fmt.refsOf) } : {}),
    title: `${model.zone.name[name]} · ${model.theme.name[name]} · ${model.edition}`,
    keyFigures,
    charts,
    sections,
    sources: sourcesOf(fmt),
    whatsNew,
    toc,
    empty: model.facts.length === 0,
    labels: Object.fromEntries(Object.entries(LABELS).map(([k, v]) => [k, fmt.p(v)])) as BriefingView['labels'],
  };
}

/** The month a fact's figure was true (a period's end, an as-of date, an event's day). */
const observedMonth = (f: Fact): string => (f.period?.to ?? f.as_of ?? f.date ?? '').slice(0, 7);

/** A lead's Markdown with each citation replaced by a numbered mark, and the figures the marks stand for. */
function leadView(lead: Lead, cited: Map<string, Fact>, langs: Lang[], refsOf: (f: Fact) => Refs): Partial<Record<Lang, LeadText>> {
  const out: Partial<Record<Lang, LeadText>> = {};
  for (const lang of langs) {
    const figures: LeadText['figures'] = [];
    const markdown = lead.text[lang].replace(/\{\{\s*([a-z0-9-]+)\s*(?::\s*(\d+)\s*)?\}\}/g, (_, id: string, n?: string) => {
      const f = cited.get(id);
      const v = f?.values[n ? Number(n) - 1 : 0];
      // check() has proved every citation; a fact missing here is a program error, told plainly.
      if (!f || !v) throw new Error(`${lead.file}: the lead cites "${id}", which this edition does not hold`);
      figures.push({ text: formatQuantity(v, lang), refs: refsOf(f) });
      return `${CITE_OPEN}${figures.length - 1}${CITE_CLOSE}`;
    });
    out[lang] = { markdown, figures };
  }
  return out;
}

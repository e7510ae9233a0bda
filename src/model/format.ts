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

/** Turns a briefing model into everything the template prints, already formatted for the chosen languages. */
export function formatBriefing(model: BriefingModel, opts: FormatOptions): BriefingView {
  const { langs } = opts;
  const staleAfter = opts.staleAfterMonths ?? DEFAULT_STALE_AFTER_MONTHS;
  const p = (t: Text) => pick(t, langs);
  const sourceRefs = new Map(model.sources.map((s, i) => [s.id, i + 1]));
  const refOf = (doc: string) => sourceRefs.get(doc) ?? 0;
  /** The fact's own source and the sources that state the same figure, in the order of the sources page. */
  const refsOf = (f: Fact): Refs => [...new Set([f.source.doc, ...(f.also ?? []).map((a) => a.doc)].map(refOf))].sort((a, b) => a - b);
  const editionYear = Number(model.edition.slice(0, 4));

  const factView = (f: Fact): FactView => ({
    id: f.id,
    refs: refsOf(f),
    title: p(f.title),
    summary: p(f.summary),
    values: f.values.map((v) => each(langs, (l) => (v.label ? `${v.label[l]}${PHRASES.colon[l]}` : '') + formatQuantity(v, l))),
    when: each(langs, (l) => whenOf(f, l)),
    items: (f.items ?? []).map(p),
    ...(f.kind === 'target' && f.target_year !== undefined && f.target_year < editionYear
      ? { deadline: each(langs, (l) => PHRASES.pastDeadline(f.target_year!, l)) }
      : {}),
    ...(f.conflict?.resolution
      ? { conflict: each(langs, (l) => PHRASES.conflict(refOf(f.source.doc), f.source.quote, refOf(f.conflict!.with.doc), f.conflict!.with.quote, f.conflict!.resolution![l], l)) }
      : {}),
    ...previousOf(f),
  });
  /** The earlier observation of a series, printed beside the newest so no two values stand unexplained. */
  const previousOf = (f: Fact): Pick<FactView, 'previous' | 'revised'> => {
    const prev = model.previous.get(f.id);
    if (!prev?.values[0] || !f.values[0]) return {};
    const old = (l: Lang) => formatQuantity(prev.values[0]!, l);
    return {
      previous: each(langs, (l) => `${LABELS.earlier[l]}${PHRASES.colon[l]}${old(l)}${PHRASES.aside(whenOf(prev, l), l)} [${refOf(prev.source.doc)}]`),
      revised: each(langs, (l) => `${old(l)} → ${formatQuantity(f.values[0]!, l)} [${refOf(prev.source.doc)}] → [${refOf(f.source.doc)}]`),
    };
  };

  // The key figures are the analyst's choice (key: true, proved a measured or planned quantity by check),
  // never filled up with others; at most eight.
  const keyFacts = model.facts.filter((f) => f.key && f.values.length > 0).slice(0, 8);
  const keyFigures = keyFacts.map((f) => ({
    value: each(langs, (l) => formatQuantity(f.values[0]!, l)),
    title: p(f.title),
    when: each(langs, (l) => whenOf(f, l)),
    refs: refsOf(f),
  }));

  const chartView = (id: string, type: ChartView['type'], title: Text, facts: Fact[], rows: ChartView['rows']): ChartView => {
    const kind = type === 'bar' ? LABELS.chartAlt : LABELS.timelineAlt;
    return {
      id,
      type,
      title: p(title),
      rows,
      alt: each(langs, (l) => `${kind[l]}${PHRASES.colon[l]}${title[l]}${PHRASES.stop[l]}${rows.map((r) => `${r.label[l]} ${r.formatted[l]}`).join(PHRASES.semicolon[l])}`),
      refs: [...new Set(facts.flatMap(refsOf))].sort((a, b) => a - b),
    };
  };
  const charts: ChartView[] = model.charts.map(({ spec, facts }) =>
    chartView(spec.id, 'bar', spec.title, facts, facts.map((f) => {
      const v = f.values.find((x) => x.unit === spec.unit)!;
      return { factId: f.id, label: p(f.title), value: v.value, formatted: each(langs, (l) => formatQuantity(v, l)), refs: refsOf(f) };
    })),
  );

  // A series with two or more observations: a small chart of its figures over time, oldest first.
  for (const s of model.series) {
    const latest = s.facts[s.facts.length - 1]!;
    const unit = latest.values[0]?.unit;
    const points = s.facts.filter((f) => f.values[0] && f.values[0].unit === unit);
    if (points.length < 2) continue;
    charts.push(chartView(`series-${s.id}`, 'bar', { zh: `${latest.title.zh}（${LABELS.overTime.zh}）`, en: `${latest.title.en} ${LABELS.overTime.en}` }, points, points.map((f) => ({
      factId: f.id, label: each(langs, (l) => whenOf(f, l)), value: f.values[0]!.value, formatted: each(langs, (l) => formatQuantity(f.values[0]!, l)), refs: refsOf(f),
    }))));
  }

  const byKind = (kind: Fact['kind']) => model.facts.filter((f) => f.kind === kind);
  const milestones = byKind('milestone').sort((a, b) => (a.date ?? '').localeCompare(b.date ?? ''));
  // Two or more dated events make a timeline, drawn for every briefing without being declared.
  if (milestones.length >= 2) {
    charts.push(chartView('milestone-timeline', 'timeline', LABELS.timeline, milestones, milestones.map((f, i) => ({
      factId: f.id, label: p(f.title), value: i, formatted: each(langs, (l) => formatDate(f.date!, l)), refs: refsOf(f),
    }))));
  }
  const sections: SectionView[] = [
    { id: 'targets', heading: p(LABELS.targets), facts: byKind('target').map(factView) },
    { id: 'progress', heading: p(LABELS.progress), facts: byKind('metric').map(factView) },
    { id: 'milestones', heading: p(LABELS.milestones), facts: milestones.map(factView) },
    { id: 'initiatives', heading: p(LABELS.initiatives), facts: byKind('initiative').map(factView) },
  ].filter((s) => s.facts.length > 0);

  // Every passage the briefing rests on, under its source: the facts' own quotes, the sources that repeat
  // a figure, and the reading a resolved conflict did not adopt.
  const shown = [...new Set([...model.facts, ...model.previous.values(), ...model.cited.values()])];
  const sources: SourceView[] = model.sources.map((s) => ({
    ref: refOf(s.id),
    title: p(s.title),
    publisher: p(s.publisher),
    published: each(langs, (l) => formatDate(s.published, l)),
    ...(s.quality ? { quality: p(s.quality) } : {}),
    quotes: shown.flatMap((f) => [
      ...(f.source.doc === s.id ? [{ title: p(f.title), quote: f.source.quote }] : []),
      ...(f.also ?? []).filter((a) => a.doc === s.id).map((a) => ({ title: p(f.title), quote: a.quote, use: p(LABELS.alsoStated) })),
      ...(f.conflict?.with.doc === s.id ? [{ title: p(f.title), quote: f.conflict.with.quote, use: p(LABELS.notAdopted) }] : []),
    ]),
  }));

  const { since } = model.whatsNew;
  const whatsNew = {
    heading: each(langs, (l) => (since ? PHRASES.whatsNewSince(formatDate(since, l), l) : LABELS.whatsNew[l])),
    ...(since === null ? { note: p(LABELS.firstEdition) } : model.whatsNew.facts.length === 0 ? { note: p(LABELS.nothingNew) } : {}),
    facts: since === null ? [] : model.whatsNew.facts.map(factView),
  };
  const toc = model.facts.length
    ? [
        { id: 'whats-new', heading: whatsNew.heading },
        ...(keyFigures.length ? [{ id: 'key-figures', heading: p(LABELS.keyFigures) }] : []),
        ...(charts.length ? [{ id: 'charts', heading: p(LABELS.charts) }] : []),
        ...sections.map((s) => ({ id: s.id, heading: s.heading })),
        { id: 'sources', heading: p(LABELS.sources) },
      ]
    : [];

  // The age of the data: the newest date any printed figure was true, and a plain word when it is old.
  const newest = model.facts.filter((f) => f.kind !== 'target').map(observedMonth).sort().pop();
  const dataAge = newest
    ? {
        newest: each(langs, (l) => formatDate(newest, l)),
        ...(monthsBetween(newest, model.edition) > staleAfter ? { notice: each(langs, (l) => PHRASES.noNewerData(formatDate(newest, l), monthsBetween(newest, model.edition), l)) } : {}),
      }
    : undefined;

  const labels = Object.fromEntries(Object.entries(LABELS).map(([k, v]) => [k, p(v)])) as BriefingView['labels'];
  const title = langs.includes('zh')
    ? `${model.zone.name.zh} · ${model.theme.name.zh} · ${model.edition}`
    : `${model.zone.name.en} · ${model.theme.name.en} · ${model.edition}`;
  return {
    langs,
    lang: langs.includes('zh') ? 'zh-CN' : 'en',
    zone: p(model.zone.name),
    theme: p(model.theme.name),
    accent: model.theme.accent,
    edition: each(langs, (l) => formatDate(model.edition, l)),
    generated: each(langs, (l) => stampOf(opts.generatedAt, opts.timeZone ?? 'Asia/Shanghai', l)),
    ...(dataAge ? { dataAge } : {}),
    ...(model.lead ? { lead: leadView(model.lead, model.cited, langs, refsOf) } : {}),
    title,
    keyFigures,
    charts,
    sections,
    sources,
    whatsNew,
    toc,
    empty: model.facts.length === 0,
    labels,
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

import type { Fact } from '../data/load.js';
import { formatDate, formatPeriod, formatQuantity, type Lang, type Text } from '../data/quantities.js';
import { LABELS } from './labels.js';
import type { BriefingModel } from './select.js';

/** A text in the languages being printed; a missing language is simply not printed. */
export type Bi = Partial<Text>;

export interface FactView {
  id: string;
  ref: number;
  title: Bi;
  summary: Bi;
  values: Bi[];
  when: Bi;
  items: Bi[];
  /** Set when the figure is older than the staleness limit at this edition. */
  stale?: Bi;
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
  rows: { factId: string; label: Bi; value: number; formatted: Bi; ref: number }[];
  alt: Bi;
  source: Bi;
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
  title: string;
  keyFigures: { value: Bi; title: Bi; when: Bi; ref: number }[];
  charts: ChartView[];
  sections: SectionView[];
  sources: { ref: number; id: string; title: Bi; publisher: Bi; published: string; quality?: Bi; quotes: { ref: number; title: Bi; quote: string }[] }[];
  /** The sources the cover lists: all of them up to COVER_SOURCES, else the newest, with a line for the rest. */
  coverSources: BriefingView['sources'];
  coverMore?: Bi;
  whatsNew: { heading: Bi; note?: Bi; facts: FactView[] };
  /** The sections in print order, for the table of contents. */
  toc: { id: string; heading: Bi }[];
  empty: boolean;
  labels: Record<keyof typeof LABELS, Bi>;
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
  if (f.kind === 'target' && f.target_year) {
    const base = f.baseline ? (lang === 'zh' ? `（基准${f.baseline.year}年）` : ` (baseline ${f.baseline.year})`) : '';
    return lang === 'zh' ? `目标${f.target_year}年${base}` : `Target for ${f.target_year}${base}`;
  }
  if (f.period) return formatPeriod(f.period.from, f.period.to, lang);
  const d = f.date ?? f.as_of;
  if (!d) return '';
  if (f.kind === 'milestone') return formatDate(d, lang);
  // Chinese runs the words together (截至2022年9月); English spaces them (as of Sep 2022).
  return `${LABELS.asOf[lang]}${lang === 'zh' ? '' : ' '}${formatDate(d, lang)}`;
}

export interface FormatOptions {
  langs: Lang[];
  generatedAt: Date;
  staleAfterMonths?: number;
}

/** Sources a cover has room for; a briefing resting on more lists the newest and says how many more. */
const COVER_SOURCES = 4;

function coverList(sources: BriefingView['sources'], specs: { published: string }[], langs: Lang[]): Pick<BriefingView, 'coverSources' | 'coverMore'> {
  if (sources.length <= COVER_SOURCES) return { coverSources: sources };
  const newest = sources
    .map((s, i) => ({ s, published: specs[i]!.published }))
    .sort((a, b) => b.published.localeCompare(a.published))
    .slice(0, COVER_SOURCES - 1)
    .map((x) => x.s)
    .sort((a, b) => a.ref - b.ref);
  const more = sources.length - newest.length;
  return { coverSources: newest, coverMore: each(langs, (l) => (l === 'zh' ? `另有${more}篇资料，见“${LABELS.sources.zh}”` : `and ${more} more, listed under “${LABELS.sources.en}”`)) };
}

/** Turns a briefing model into everything the template prints, already formatted for the chosen languages. */
export function formatBriefing(model: BriefingModel, opts: FormatOptions): BriefingView {
  const { langs } = opts;
  const p = (t: Text) => pick(t, langs);
  const sourceRefs = new Map(model.sources.map((s, i) => [s.id, i + 1]));
  const refOf = (f: Fact) => sourceRefs.get(f.source.doc) ?? 0;

  const factView = (f: Fact): FactView => ({
    id: f.id,
    ref: refOf(f),
    title: p(f.title),
    summary: p(f.summary),
    values: f.values.map((v) => each(langs, (l) => (v.label ? `${v.label[l]}${l === 'zh' ? '：' : ': '}` : '') + formatQuantity(v, l))),
    when: each(langs, (l) => whenOf(f, l)),
    items: (f.items ?? []).map(p),
    ...(model.stale.has(f.id)
      ? { stale: each(langs, (l) => (l === 'zh' ? `${LABELS.stale.zh}：截至本期已逾${opts.staleAfterMonths ?? 12}个月` : `${LABELS.stale.en}: more than ${opts.staleAfterMonths ?? 12} months old at this edition`)) }
      : {}),
    ...previousOf(f),
  });
  /** The earlier observation of a series, printed beside the newest so no two values stand unexplained. */
  const previousOf = (f: Fact): Pick<FactView, 'previous' | 'revised'> => {
    const prev = model.previous.get(f.id);
    if (!prev?.values[0] || !f.values[0]) return {};
    const old = (l: Lang) => formatQuantity(prev.values[0]!, l);
    return {
      previous: each(langs, (l) => `${LABELS.earlier[l]}${l === 'zh' ? '：' : ': '}${old(l)}${l === 'zh' ? `（${whenOf(prev, l)}）` : ` (${whenOf(prev, l)})`} [${refOf(prev)}]`),
      revised: each(langs, (l) => `${old(l)} → ${formatQuantity(f.values[0]!, l)} [${refOf(prev)}] → [${refOf(f)}]`),
    };
  };

  const withValues = model.facts.filter((f) => f.values.length > 0);
  const keyed = withValues.filter((f) => f.key);
  const keyFacts = [...keyed, ...withValues.filter((f) => !f.key)].slice(0, Math.max(4, Math.min(8, keyed.length)));
  const keyFigures = keyFacts.map((f) => ({
    value: each(langs, (l) => formatQuantity(f.values[0]!, l)),
    title: p(f.title),
    when: each(langs, (l) => whenOf(f, l)),
    ref: refOf(f),
  }));

  const chartView = (id: string, type: ChartView['type'], title: Text, facts: Fact[], rows: ChartView['rows']): ChartView => {
    const docs = [...new Set(facts.map((f) => f.source.doc))];
    const kind = type === 'bar' ? LABELS.chartAlt : LABELS.timelineAlt;
    return {
      id,
      type,
      title: p(title),
      rows,
      alt: each(langs, (l) => `${kind[l]}${l === 'zh' ? '：' : ': '}${title[l]}${l === 'zh' ? '。' : '. '}${rows.map((r) => `${r.label[l]} ${r.formatted[l]}`).join(l === 'zh' ? '；' : '; ')}`),
      source: each(langs, (l) => `${LABELS.source[l]}${l === 'zh' ? '：' : ': '}${docs.map((d) => `[${sourceRefs.get(d)}] ${d}`).join(', ')}`),
    };
  };
  const charts: ChartView[] = model.charts.map(({ spec, facts }) =>
    chartView(spec.id, 'bar', spec.title, facts, facts.map((f) => {
      const v = f.values.find((x) => x.unit === spec.unit)!;
      return { factId: f.id, label: p(f.title), value: v.value, formatted: each(langs, (l) => formatQuantity(v, l)), ref: refOf(f) };
    })),
  );

  // A series with two or more observations: a small chart of its figures over time, oldest first.
  for (const s of model.series) {
    const latest = s.facts[s.facts.length - 1]!;
    const unit = latest.values[0]?.unit;
    const points = s.facts.filter((f) => f.values[0] && f.values[0].unit === unit);
    if (points.length < 2) continue;
    charts.push(chartView(`series-${s.id}`, 'bar', { zh: `${latest.title.zh}（${LABELS.overTime.zh}）`, en: `${latest.title.en} ${LABELS.overTime.en}` }, points, points.map((f) => ({
      factId: f.id, label: each(langs, (l) => whenOf(f, l)), value: f.values[0]!.value, formatted: each(langs, (l) => formatQuantity(f.values[0]!, l)), ref: refOf(f),
    }))));
  }

  const byKind = (kind: Fact['kind']) => model.facts.filter((f) => f.kind === kind);
  const milestones = byKind('milestone').sort((a, b) => (a.date ?? '').localeCompare(b.date ?? ''));
  // Two or more dated events make a timeline, drawn for every briefing without being declared.
  if (milestones.length >= 2) {
    charts.push(chartView('milestone-timeline', 'timeline', LABELS.timeline, milestones, milestones.map((f, i) => ({
      factId: f.id, label: p(f.title), value: i, formatted: each(langs, (l) => formatDate(f.date!, l)), ref: refOf(f),
    }))));
  }
  const sections: SectionView[] = [
    { id: 'targets', heading: p(LABELS.targets), facts: byKind('target').map(factView) },
    { id: 'progress', heading: p(LABELS.progress), facts: byKind('metric').map(factView) },
    { id: 'milestones', heading: p(LABELS.milestones), facts: milestones.map(factView) },
    { id: 'initiatives', heading: p(LABELS.initiatives), facts: byKind('initiative').map(factView) },
  ].filter((s) => s.facts.length > 0);

  const sources = model.sources.map((s) => ({
    ref: sourceRefs.get(s.id)!,
    title: p(s.title),
    publisher: p(s.publisher),
    id: s.id,
    published: `${s.id} · ${langs.map((l) => formatDate(s.published, l)).join(' / ')}`,
    ...(s.quality ? { quality: p(s.quality) } : {}),
    quotes: model.facts.filter((f) => f.source.doc === s.id).map((f) => ({ ref: sourceRefs.get(s.id)!, title: p(f.title), quote: f.source.quote })),
  }));

  const { since } = model.whatsNew;
  const whatsNew = {
    heading: each(langs, (l) => (since ? (l === 'zh' ? `${LABELS.whatsNew.zh}（自${formatDate(since, l)}）` : `${LABELS.whatsNew.en} since ${formatDate(since, l)}`) : LABELS.whatsNew[l])),
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
  const labels = Object.fromEntries(Object.entries(LABELS).map(([k, v]) => [k, p(v)])) as BriefingView['labels'];
  const stamp = opts.generatedAt.toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
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
    generated: each(langs, () => stamp),
    title,
    keyFigures,
    charts,
    sections,
    sources,
    ...coverList(sources, model.sources, langs),
    whatsNew,
    toc,
    empty: model.facts.length === 0,
    labels,
  };
}

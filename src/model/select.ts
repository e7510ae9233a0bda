import { observedAt, type Fact, type FactBase, type Source } from '../data/load.js';
import type { ChartSpec, ThemeSpec, ZoneSpec } from '../data/schema.js';
import { knownBy, monthsBetween, previousMonth } from './edition.js';
import { leadFor, type Lead } from '../data/leads.js';
import { DEFAULT_STALE_AFTER_MONTHS } from '../config.js';

/** What one briefing is about, before any language is chosen. */
export interface BriefingModel {
  zone: ZoneSpec;
  theme: ThemeSpec;
  edition: string;
  facts: Fact[];
  charts: { spec: ChartSpec; facts: Fact[] }[];
  sources: Source[];
  /** Facts added since the previous edition, or `since: null` when this is the first edition with data. */
  whatsNew: { since: string | null; facts: Fact[] };
  /** Measured figures older than the staleness limit at this edition. */
  stale: Set<string>;
  /** For a fact that is the newest observation of its series: the observation before it, known by this edition. */
  previous: Map<string, Fact>;
  /** Series with two or more observations known by this edition, oldest first: each gets a trend chart. */
  series: { id: string; facts: Fact[] }[];
  /** The analyst's lead for this edition, if one applies, and the facts it cites (of this zone, known by now). */
  lead?: Lead;
  cited: Map<string, Fact>;
}

export interface SelectOptions {
  /** A measured figure older than this many months at the edition's date is stale. */
  staleAfterMonths: number;
}

/** The facts of a sheet known by the end of the edition's month. */
function knownFacts(base: FactBase, facts: Fact[], edition: string): Fact[] {
  return facts.filter((f) => {
    const source = base.sources.get(f.source.doc);
    const own = f.date ?? f.as_of;
    return !!source && knownBy(source.published, edition) && (!own || knownBy(own, edition));
  });
}

/**
 * The facts to print: every fact outside a series, and of each series its newest observation (by the
 * date the figure was true; the later source on a tie). Series with two or more observations are listed.
 */
function bySeries(facts: Fact[]): { shown: Fact[]; series: { id: string; facts: Fact[] }[]; newest: Map<string, Fact> } {
  const groups = new Map<string, Fact[]>();
  for (const f of facts) if (f.series) groups.set(f.series, [...(groups.get(f.series) ?? []), f]);
  const newest = new Map<string, Fact>();
  const series: { id: string; facts: Fact[] }[] = [];
  for (const [id, group] of groups) {
    const sorted = [...group].sort((a, b) => observedAt(a).localeCompare(observedAt(b)));
    newest.set(id, sorted[sorted.length - 1]!);
    if (sorted.length >= 2) series.push({ id, facts: sorted });
  }
  return { shown: facts.filter((f) => !f.series || newest.get(f.series) === f), series, newest };
}

/** A metric whose figure dates from more than `limit` months before the edition. */
export function isStale(f: Fact, edition: string, limit: number): boolean {
  const when = f.period?.to ?? f.as_of;
  return f.kind === 'metric' && !!when && monthsBetween(when, edition) > limit;
}

/**
 * The facts of a zone and theme known by the end of the edition's month: the source was published
 * by then, and the figure's own date is not later.
 */
export function selectBriefing(base: FactBase, zone: ZoneSpec, theme: ThemeSpec, edition: string, opts: SelectOptions = { staleAfterMonths: DEFAULT_STALE_AFTER_MONTHS }): BriefingModel {
  const sheet = base.sheets.find((s) => s.zone === zone.id && s.theme === theme.id);
  const known = knownFacts(base, sheet?.facts ?? [], edition);
  // One figure per indicator: of a series, only the newest observation known by now is printed as a fact.
  const { shown: facts, series, newest } = bySeries(known);
  const previous = new Map<string, Fact>();
  for (const s of series) previous.set(s.facts[s.facts.length - 1]!.id, s.facts[s.facts.length - 2]!);
  // Editions are monthly: the previous one is last month's, if it had any data.
  const before = knownFacts(base, sheet?.facts ?? [], previousMonth(edition));
  const seen = new Set(before.map((f) => f.id));
  const whatsNew = { since: before.length ? previousMonth(edition) : null, facts: facts.filter((f) => !seen.has(f.id)) };
  const stale = new Set(facts.filter((f) => isStale(f, edition, opts.staleAfterMonths)).map((f) => f.id));
  const byId = new Map(known.map((f) => [f.id, f]));
  // A chart naming an older observation draws the newest one of its series.
  const charts = (sheet?.charts ?? [])
    .map((spec) => ({ spec, facts: [...new Set(spec.facts.map((id) => byId.get(id)).filter((f): f is Fact => !!f).map((f) => (f.series ? newest.get(f.series)! : f)))] }))
    .filter((c) => c.facts.length > 0);
  const lead = leadFor(base.leads, zone.id, theme.id, edition);
  const cited = new Map<string, Fact>();
  if (lead) {
    const zoneFacts = new Map(base.sheets.filter((s) => s.zone === zone.id).flatMap((s) => knownFacts(base, s.facts, edition)).map((f) => [f.id, f]));
    for (const c of lead.cites) {
      const f = zoneFacts.get(c.fact);
      if (f) cited.set(f.id, f);
    }
  }
  // Every source a printed figure rests on: its own, those that repeat it, and the reading a conflict overruled.
  const used = new Set([...facts, ...previous.values(), ...cited.values()].flatMap((f) => [f.source.doc, ...(f.also ?? []).map((a) => a.doc), ...(f.conflict ? [f.conflict.with.doc] : [])]));
  const sources = [...base.sources.values()].filter((s) => used.has(s.id));
  return { zone, theme, edition, facts, charts, sources, whatsNew, stale, previous, series, ...(lead ? { lead } : {}), cited };
}

/**
 * Editions the data supports: the months in which new facts become known (a source is published or a
 * figure's own date arrives), each with the facts it adds per zone and theme.
 */
export function supportedEditions(base: FactBase): { edition: string; sources: Source[]; adds: { zone: string; theme: string; count: number }[] }[] {
  const months = new Map<string, { zone: string; theme: string }[]>();
  for (const sheet of base.sheets) {
    for (const f of sheet.facts) {
      const published = base.sources.get(f.source.doc)?.published ?? '';
      const own = f.date ?? f.as_of ?? '';
      const month = (own > published ? own : published).slice(0, 7);
      months.set(month, [...(months.get(month) ?? []), { zone: sheet.zone, theme: sheet.theme }]);
    }
  }
  return [...months.keys()].sort().map((edition) => {
    const counts = new Map<string, number>();
    for (const { zone, theme } of months.get(edition)!) counts.set(`${zone}\u0000${theme}`, (counts.get(`${zone}\u0000${theme}`) ?? 0) + 1);
    return {
      edition,
      sources: [...base.sources.values()].filter((s) => s.published.slice(0, 7) === edition),
      adds: [...counts.entries()].map(([k, count]) => {
        const [zone, theme] = k.split('\u0000') as [string, string];
        return { zone, theme, count };
      }),
    };
  });
}

import type { Fact, FactBase, Source } from '../data/load.js';
import type { ChartSpec, ThemeSpec, ZoneSpec } from '../data/schema.js';
import { knownBy, monthsBetween, previousMonth } from './edition.js';

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

/** A metric whose figure dates from more than `limit` months before the edition. */
export function isStale(f: Fact, edition: string, limit: number): boolean {
  const when = f.period?.to ?? f.as_of;
  return f.kind === 'metric' && !!when && monthsBetween(when, edition) > limit;
}

/**
 * The facts of a zone and theme known by the end of the edition's month: the source was published
 * by then, and the figure's own date is not later.
 */
export function selectBriefing(base: FactBase, zone: ZoneSpec, theme: ThemeSpec, edition: string, opts: SelectOptions = { staleAfterMonths: 12 }): BriefingModel {
  const sheet = base.sheets.find((s) => s.zone === zone.id && s.theme === theme.id);
  const facts = knownFacts(base, sheet?.facts ?? [], edition);
  // Editions are monthly: the previous one is last month's, if it had any data.
  const previous = knownFacts(base, sheet?.facts ?? [], previousMonth(edition));
  const before = new Set(previous.map((f) => f.id));
  const whatsNew = { since: previous.length ? previousMonth(edition) : null, facts: facts.filter((f) => !before.has(f.id)) };
  const stale = new Set(facts.filter((f) => isStale(f, edition, opts.staleAfterMonths)).map((f) => f.id));
  const byId = new Map(facts.map((f) => [f.id, f]));
  const charts = (sheet?.charts ?? [])
    .map((spec) => ({ spec, facts: spec.facts.map((id) => byId.get(id)).filter((f): f is Fact => !!f) }))
    .filter((c) => c.facts.length > 0);
  const used = new Set(facts.map((f) => f.source.doc));
  const sources = [...base.sources.values()].filter((s) => used.has(s.id));
  return { zone, theme, edition, facts, charts, sources, whatsNew, stale };
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

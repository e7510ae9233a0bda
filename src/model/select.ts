import type { Fact, FactBase, Source } from '../data/load.js';
import type { ChartSpec, ThemeSpec, ZoneSpec } from '../data/schema.js';
import { knownBy } from './edition.js';

/** What one briefing is about, before any language is chosen. */
export interface BriefingModel {
  zone: ZoneSpec;
  theme: ThemeSpec;
  edition: string;
  facts: Fact[];
  charts: { spec: ChartSpec; facts: Fact[] }[];
  sources: Source[];
}

/**
 * The facts of a zone and theme known by the end of the edition's month: the source was published
 * by then, and the figure's own date is not later.
 */
export function selectBriefing(base: FactBase, zone: ZoneSpec, theme: ThemeSpec, edition: string): BriefingModel {
  const sheet = base.sheets.find((s) => s.zone === zone.id && s.theme === theme.id);
  const facts = (sheet?.facts ?? []).filter((f) => {
    const source = base.sources.get(f.source.doc);
    const own = f.date ?? f.as_of;
    return !!source && knownBy(source.published, edition) && (!own || knownBy(own, edition));
  });
  const byId = new Map(facts.map((f) => [f.id, f]));
  const charts = (sheet?.charts ?? [])
    .map((spec) => ({ spec, facts: spec.facts.map((id) => byId.get(id)).filter((f): f is Fact => !!f) }))
    .filter((c) => c.facts.length > 0);
  const used = new Set(facts.map((f) => f.source.doc));
  const sources = [...base.sources.values()].filter((s) => used.has(s.id));
  return { zone, theme, edition, facts, charts, sources };
}

/** Editions the data supports: the months in which a source of the zone was published. */
export function supportedEditions(base: FactBase): { edition: string; sources: Source[] }[] {
  const months = new Map<string, Source[]>();
  for (const s of base.sources.values()) {
    const m = s.published.slice(0, 7);
    months.set(m, [...(months.get(m) ?? []), s]);
  }
  return [...months.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([edition, sources]) => ({ edition, sources }));
}

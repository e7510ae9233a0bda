/**
 * What a source adds: every figure of its text, marked as used by a fact of the base, drafted (in
 * data/drafts/, waiting for review) or not used. The preview shows it as a page per source.
 */
import { placeOf, type FactBase } from '../data/load.js';
import type { DraftSheet } from '../data/drafts.js';
import { normalizeText, quoteSpans } from '../data/normalize.js';
import { sameNumber } from '../data/quantities.js';
import { clausesOf } from './clauses.js';

export interface FigureMark {
  from: number;
  to: number;
  status: 'used' | 'drafted' | 'unused';
  /** The fact that states it (used), with its zone and theme for a link. */
  fact?: { id: string; zone: string; theme: string; file: string; line: number };
  /** The drafted fact that holds it. */
  draft?: string;
}

export interface SourceUsage {
  /** The normalised text the marks point into. */
  text: string;
  marks: FigureMark[];
  counts: Record<FigureMark['status'], number>;
}

export function sourceUsage(base: FactBase, drafts: DraftSheet[], sourceId: string): SourceUsage | undefined {
  const source = base.sources.get(sourceId);
  if (!source) return undefined;
  const text = normalizeText(source.text);
  /** Every place a quote of this source stands in its text, with the values stated there. */
  const spans = (quote: string) => quoteSpans(text, normalizeText(quote));
  const facts = base.sheets.flatMap((s) => s.facts).flatMap((f) =>
    [f.source, ...(f.also ?? []), ...(f.conflict ? [f.conflict.with] : [])]
      .filter((r) => r.doc === sourceId)
      .flatMap((r) => spans(r.quote).map((span) => ({ f, span }))),
  );
  const drafted = drafts.flatMap((d) => d.facts).filter((f) => f.source.doc === sourceId).flatMap((f) => spans(f.source.quote).map((span) => ({ f, span })));
  const marks: FigureMark[] = [];
  let at = 0;
  for (const clause of clausesOf(source.text)) {
    const start = text.indexOf(clause.text, at);
    if (start < 0) continue;
    at = start;
    for (const fig of clause.figures) {
      const from = start + fig.index;
      const to = from + fig.text.length;
      const inside = ([a, b]: readonly [number, number]) => a <= from && to <= b;
      const fact = facts.find(({ f, span }) => inside(span) && f.values.some((v) => sameNumber(v.value, fig.value))) ?? facts.find(({ span }) => inside(span));
      const draft = drafted.find(({ f, span }) => inside(span) && f.values.some((v) => sameNumber(v.value, fig.value)));
      if (fact) marks.push({ from, to, status: 'used', fact: { id: fact.f.id, zone: fact.f.zone, theme: fact.f.theme, file: fact.f.file, line: placeOf(fact.f).line } });
      else if (draft) marks.push({ from, to, status: 'drafted', draft: draft.f.id });
      else marks.push({ from, to, status: 'unused' });
    }
  }
  const counts = { used: 0, drafted: 0, unused: 0 };
  for (const m of marks) counts[m.status]++;
  return { text, marks, counts };
}

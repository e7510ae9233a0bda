/**
 * `briefing draft` on the five seed sources, with the hand-made fact base as the answer key: the share
 * of the base's values the drafts contain exactly (value, unit, qualifier), and of kinds and dates
 * guessed right for the drafts that hold a fact's quote.
 */
import { describe, expect, it } from 'vitest';
import { loadFactBase, type Fact } from '../../src/data/load.js';
import { normalizeText } from '../../src/data/normalize.js';
import { sameNumber } from '../../src/data/quantities.js';
import { draftSource } from '../../src/draft/draft.js';
import type { DraftFactSpec } from '../../src/data/schema.js';

export interface Score {
  values: number;
  valuesFound: number;
  facts: number;
  kindsRight: number;
  datesRight: number;
  misses: string[];
  wrong: string[];
}

const dateOf = (f: { kind: string; as_of?: string | undefined; date?: string | undefined; target_year?: number | undefined; period?: { from: string; to: string } | undefined }) =>
  f.kind === 'target' ? String(f.target_year) : f.kind === 'milestone' ? f.date : f.period ? `${f.period.from}..${f.period.to}` : f.as_of;

export function scoreSeeds(dataDir = 'data'): Score {
  const base = loadFactBase(dataDir);
  const score: Score = { values: 0, valuesFound: 0, facts: 0, kindsRight: 0, datesRight: 0, misses: [], wrong: [] };
  for (const id of base.sources.keys()) {
    const drafts = draftSource(base, id).sheet.facts;
    const facts = base.sheets.flatMap((s) => s.facts).filter((f: Fact) => f.source.doc === id);
    for (const f of facts) {
      const q = normalizeText(f.source.quote);
      const holds = (d: DraftFactSpec) => { const dq = normalizeText(d.source.quote); return dq.includes(q) || q.includes(dq); };
      for (const v of f.values) {
        score.values++;
        const hit = drafts.some((d) => d.values.some((w) => w.unit === v.unit && sameNumber(w.value, v.value) && (w.qualifier ?? '') === (v.qualifier ?? '')));
        if (hit) score.valuesFound++;
        else score.misses.push(`${f.id}: ${v.value} ${v.unit} ${v.qualifier ?? ''}`);
      }
      const d = drafts.find((x) => holds(x) && (f.values.length === 0 || x.values.some((w) => f.values.some((v) => sameNumber(v.value, w.value)))));
      if (!d || f.kind === 'initiative') continue;
      score.facts++;
      if (d.kind === f.kind) score.kindsRight++;
      if (dateOf(d) === dateOf(f)) score.datesRight++;
      else score.wrong.push(`${f.id}: ${f.kind} ${dateOf(f)} drafted as ${d.kind} ${dateOf(d)} from "${d.source.quote.slice(0, 50)}"`);
    }
  }
  return score;
}

describe('draft on the seed sources', () => {
  it('contains at least 90% of the hand-made base\'s values exactly', () => {
    const s = scoreSeeds();
    const pct = (a: number, b: number) => `${((100 * a) / b).toFixed(1)}%`;
    console.log(`values ${s.valuesFound}/${s.values} (${pct(s.valuesFound, s.values)}); kinds ${s.kindsRight}/${s.facts} (${pct(s.kindsRight, s.facts)}); dates ${s.datesRight}/${s.facts} (${pct(s.datesRight, s.facts)})`);
    expect(s.valuesFound / s.values, s.misses.join('\n')).toBeGreaterThanOrEqual(0.9);
    if (process.env.SHOW_WRONG) console.log(s.wrong.join('\n'));
    expect(s.kindsRight / s.facts).toBeGreaterThanOrEqual(0.7);
    expect(s.datesRight / s.facts).toBeGreaterThanOrEqual(0.6);
  });
});

/**
 * Which drafted figures the fact base already holds. A figure is compared with every fact of its zone
 * that has a value in the same unit (and, for counts, the same measure word), by what the two texts say
 * right before the number: "正线全长342公里" and "雄忻高铁全长342公里" name the same indicator.
 *   - the same figure for the same indicator → known: the source is proposed as `also` for that fact;
 *   - another figure for the same indicator → update (another date: one series) or conflict (the same date), to decide.
 */
import type { Fact } from '../data/load.js';
import { observedAt } from '../data/load.js';
import { normalizeText } from '../data/normalize.js';
import { sameNumber } from '../data/quantities.js';
import { figuresOf } from './clauses.js';
import type { Figure } from './figures.js';

export interface Match {
  status: 'known' | 'update' | 'conflict';
  fact: Fact;
  /** The fact's value this figure was compared with. */
  value: number;
  score: number;
}

/** Two indicators are the same above this similarity of their lead-in words. */
export const SAME_INDICATOR = 0.45;
/** A different figure is taken for a revision of the same indicator only above these (lead-in, whole clause). */
const REVISION = 0.6;
const REVISION_CONTEXT = 0.3;

/** The words that name what a figure measures: up to 14 characters before it, within its segment, digits and time words out. */
export function leadIn(text: string, index: number): string {
  const before = text.slice(Math.max(0, index - 14), index);
  const segment = before.split(/[，,；;。：:、]/).pop() ?? before;
  return segment.replace(/\d+|[年月日]|今年|去年|截至|底|共|累计|达到|达|超过|约|近/g, '');
}

function bigrams(text: string): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i + 2 <= text.length; i++) out.add(text.slice(i, i + 2));
  return out;
}

/** Dice similarity of two short texts' bigrams (0..1); one shared character counts for very short texts. */
export function dice(a: string, b: string): number {
  if (!a || !b) return 0;
  const x = bigrams(a);
  const y = bigrams(b);
  if (!x.size || !y.size) return a === b ? 1 : 0;
  let shared = 0;
  for (const g of x) if (y.has(g)) shared++;
  return (2 * shared) / (x.size + y.size);
}

interface Indexed {
  fact: Fact;
  value: number;
  unit: string;
  noun: string;
  lead: string;
  title: string;
  /** The 30 characters of its source before the figure, numbers out: what the figure is about. */
  topic: string;
}

/** The base's figures of a zone, each with its lead-in words, for matching many drafted figures. */
export function indexFacts(facts: Fact[], sourceText: (doc: string) => string): Indexed[] {
  return facts.flatMap((fact) => {
    const quote = normalizeText(fact.source.quote);
    const doc = sourceText(fact.source.doc);
    const start = Math.max(0, doc.indexOf(quote));
    const found = figuresOf(quote);
    return fact.values.map((v) => {
      const at = found.find((f) => f.unit === v.unit && sameNumber(f.value, v.value));
      const topic = at ? topicOf(doc, start + at.index) : '';
      return { fact, value: v.value, unit: v.unit, noun: v.noun?.zh ?? '', lead: at ? leadIn(quote, at.index) : '', title: normalizeText(fact.title.zh), topic };
    });
  });
}

/** What a figure is about: the 30 characters before it, across commas, numbers out. */
export const topicOf = (text: string, index: number) => text.slice(Math.max(0, index - 30), index).replace(/[\d.%]+/g, '');

/** The best match of one drafted figure in the base, if any names the same indicator. */
export function matchFigure(figure: Figure, clause: { text: string; before: string }, observed: string, kind: string, index: Indexed[]): Match | undefined {
  const lead = leadIn(clause.text, figure.index);
  const topic = topicOf(clause.before + clause.text, clause.before.length + figure.index);
  let best: Match | undefined;
  for (const e of index) {
    if (e.unit !== figure.unit || (figure.unit === 'count' && e.noun !== (figure.noun?.zh ?? ''))) continue;
    const same = sameNumber(e.value, figure.value);
    const named = Math.max(dice(lead, e.lead), dice(lead, e.title) * 0.9, same && clause.text.includes(e.lead) && e.lead.length >= 3 ? 1 : 0);
    // The very same figure that is not a small round count (350 km/h, 591亿元) needs less of its wording to agree.
    const distinctive = same && !(Number.isInteger(figure.value) && figure.value <= 20);
    // …and when no other fact of the zone states it, the figure itself names the indicator.
    const only = distinctive && index.filter((o) => o.unit === e.unit && o.noun === e.noun && sameNumber(o.value, e.value)).length === 1;
    const score = only ? Math.max(named, SAME_INDICATOR) : distinctive ? Math.max(named, dice(topic, e.topic) + 0.2) : named;
    if (score < SAME_INDICATOR) continue;
    // Another figure is a revision only for the same kind of statement, named alike in more than its last words.
    if (!same && (e.fact.kind !== kind || score < REVISION || lead.length < 4 || dice(topic, e.topic) < REVISION_CONTEXT)) continue;
    // Another date makes another observation of the indicator (newer or older); the same date, a conflict.
    const status = same ? 'known' : observed !== observedAt(e.fact) ? 'update' : 'conflict';
    // A same figure beats a different one of equal score: a repeat is more likely than a revision.
    const rank = score + (same ? 0.2 : 0);
    if (!best || rank > best.score + (best.status === 'known' ? 0.2 : 0)) best = { status, fact: e.fact, value: e.value, score };
  }
  return best;
}

/**
 * A fact of the base that may state an earlier or later figure for the same indicator, where matchFigure
 * found none: the same unit (and measure word) and kind, named alike (as SAME_INDICATOR), but short of
 * what a revision needs to be proposed on its own. "太原至忻州间日均开行动车组列车18对" and "日常开行的动车组
 * 列车达到12对" name one service. Only said in the draft's note, for the reviewer to decide.
 */
export function possibleRevision(figure: Figure, clause: { text: string }, kind: string, index: Indexed[]): { fact: Fact; value: number } | undefined {
  const lead = leadIn(clause.text, figure.index);
  if (lead.length < 4) return undefined;
  let best: { fact: Fact; value: number; score: number } | undefined;
  for (const e of index) {
    if (e.unit !== figure.unit || (figure.unit === 'count' && e.noun !== (figure.noun?.zh ?? '')) || e.fact.kind !== kind || sameNumber(e.value, figure.value)) continue;
    const score = Math.max(dice(lead, e.lead), dice(lead, e.title) * 0.9);
    if (score >= SAME_INDICATOR && (!best || score > best.score)) best = { fact: e.fact, value: e.value, score };
  }
  return best && { fact: best.fact, value: best.value };
}

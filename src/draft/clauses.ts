/**
 * A source text cut into the clauses that hold figures, each a verbatim passage of the normalised text
 * (so it passes `check`'s quote test) with the sentence it stands in, for dates and context.
 *
 * A sentence ends at 。！？；. Inside it, a clause is a run of comma-separated segments ending with one
 * that states a figure: segments without a figure lead into the next clause (they usually name the
 * subject or the time), a segment that only continues the previous one (同比增长…, 其中…) joins it,
 * and what trails the last figure joins the last clause.
 */
import { normalizeText } from '../data/normalize.js';
import { figuresIn, type Figure } from './figures.js';

export interface Clause {
  /** The verbatim passage: a quote for the drafted fact. */
  text: string;
  /** The whole sentence it is part of. */
  sentence: string;
  /** The sentence's text before the clause: a time or subject stated earlier in it applies too. */
  before: string;
  figures: Figure[];
}

/** Dates, times, URLs and ids: blanked (same length) before figures are looked for, never values. */
const NOT_FIGURES = [
  /\d{4}-\d{1,2}-\d{1,2}(\d{1,2}:\d{2}(:\d{2})?)?/g,
  /\d{1,2}:\d{2}(:\d{2})?/g,
  /https?:[\x21-\x7e]*|www\.[\x21-\x7e]*/g,
  /infoCode=\w+/g,
  /[A-Za-z]+\d+(\.\d+)?[A-Za-z\d]*/g,
  /\d+[A-Za-z]+/g,
];

function maskNonFigures(text: string): string {
  let out = text;
  for (const re of NOT_FIGURES) out = out.replace(re, (m) => '□'.repeat(m.length));
  return out;
}

/** Figures of a passage, positions unchanged. */
export function figuresOf(text: string): Figure[] {
  return figuresIn(maskNonFigures(text)).map((f) => ({ ...f, text: text.slice(f.index, f.index + f.text.length) }));
}

/** A segment that continues the one before it rather than stating a new subject. */
const CONTINUES = /^(同比|[比较](?:上年|去年)|环比|增长|下降|增幅|降幅|占|其中|分别|均|约占|提高|增加|减少)/;

export function clausesOf(sourceText: string): Clause[] {
  const text = normalizeText(sourceText);
  const clauses: Clause[] = [];
  for (const m of text.matchAll(/[^。！？；!?;]+[。！？；!?;]?/g)) {
    const sentence = m[0];
    const segments = sentence.match(/[^，,：:]+[，,：:]?/g) ?? [];
    let pending = '';
    let before = '';
    const mine: { text: string; before: string }[] = [];
    for (const seg of segments) {
      const has = figuresOf(seg).length > 0;
      const last = mine[mine.length - 1];
      if (has && last && !pending && CONTINUES.test(seg)) {
        last.text += seg;
      } else if (has) {
        mine.push({ text: pending + seg, before: before.slice(0, before.length - pending.length) });
        pending = '';
      } else {
        pending += seg;
      }
      before += seg;
    }
    const last = mine[mine.length - 1];
    if (last && pending && pending.length <= 40) last.text += pending;
    for (const c of mine) {
      const quote = c.text.replace(/[，,：:。！？；!?;、]+$/u, '');
      const figures = figuresOf(quote);
      if (figures.length) clauses.push({ text: quote, sentence, before: c.before, figures });
    }
  }
  return clauses;
}

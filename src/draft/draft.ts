/**
 * `briefing draft <source-id>`: a candidate fact for every clause of a source that states a figure.
 *   1. clauses   the normalised text cut into clauses holding figures      (clauses.ts)
 *   2. figures   each figure in base units, unit, qualifier, noun            (figures.ts)
 *   3. guesses   kind and dates against the publication date; zone, theme, title (guess.ts)
 *   4. matches   figures the base already holds: known, update or conflict  (match.ts)
 * The result is a draft sheet in the fact-sheet format, English left empty for a person to write.
 */
import { observedAt, placeOf, type FactBase, type Source } from '../data/load.js';
import { normalizeText } from '../data/normalize.js';
import type { DraftFactSpec, DraftSheetSpec } from '../data/schema.js';
import { stringify } from 'yaml';
import { usageError } from '../errors.js';
import { clausesOf } from './clauses.js';
import { dateClause, guessTheme, guessZone, openingPeriod, titleOf } from './guess.js';
import { indexFacts, matchFigure, possibleRevision, type Match } from './match.js';

const stringifyYaml = (v: unknown) => stringify(v, { lineWidth: 0, flowCollectionPadding: true });

export interface DraftSummary {
  source: string;
  clauses: number;
  figures: number;
  /** Figures the base already holds (the source becomes an `also`). */
  known: number;
  /** Drafted facts a person has to review: new figures, updates, conflicts. */
  review: number;
  updates: number;
  conflicts: number;
}

/** The draft id of the n-th clause of a source: d005-07 for source 005_…, clause 7. */
export function draftId(sourceId: string, n: number): string {
  const stem = (/^(\d+)/.exec(sourceId)?.[1] ?? sourceId.toLowerCase().replace(/[^a-z0-9]+/g, '')).slice(0, 12);
  return `d${stem}-${String(n).padStart(2, '0')}`;
}

export function draftSource(base: FactBase, sourceId: string): { sheet: DraftSheetSpec; summary: DraftSummary } {
  const source = base.sources.get(sourceId);
  if (!source) throw usageError(`unknown source "${sourceId}"`, `use an id from data/sources.yaml: ${[...base.sources.keys()].slice(-5).join(', ')}`);
  const zones = base.zones.filter((z) => source.zones.includes(z.id));
  const facts = base.sheets.flatMap((s) => s.facts).filter((f) => f.source.doc !== sourceId);
  const texts = new Map<string, string>();
  const textOf = (doc: string) => texts.get(doc) ?? texts.set(doc, normalizeText(base.sources.get(doc)?.text ?? '')).get(doc)!;
  const index = new Map(zones.map((z) => [z.id, indexFacts(facts.filter((f) => f.zone === z.id), textOf)]));
  const summary: DraftSummary = { source: sourceId, clauses: 0, figures: 0, known: 0, review: 0, updates: 0, conflicts: 0 };
  const drafted: DraftFactSpec[] = [];

  const opening = openingPeriod(normalizeText(source.text), source.published);
  for (const clause of clausesOf(source.text)) {
    summary.clauses++;
    summary.figures += clause.figures.length;
    const dating = dateClause(clause, source.published, opening);
    const named = guessZone(clause, zones);
    const zone = named ?? zones[0]!;
    const notes = [...dating.notes];
    if (zones.length > 1 && !named) notes.push(`zone guessed as ${zone.id}: the clause names none of the source's zones`);
    const observed = observedAt(dating);
    const matches = clause.figures.map((f) => matchFigure(f, clause, observed, dating.kind, index.get(zone.id) ?? []));
    const known = matches.filter((m): m is Match => m?.status === 'known');
    summary.known += known.length;
    const allKnown = known.length === clause.figures.length && new Set(known.map((m) => m.fact.id)).size === 1;
    // A clause whose figures a fact already cites from this very source (as its source or an `also`) is
    // traced already: nothing to draft, nothing to accept.
    const cites = known[0] && [known[0].fact.source.doc, ...(known[0].fact.also ?? []).map((x) => x.doc)];
    if (allKnown && cites?.includes(sourceId)) continue;
    let revision = matches.find((m) => m && m.status !== 'known');
    // "由去年9月底的1883家增加到今年5月底的2105家": a known figure and another in the same unit is its revision.
    const twin = known[0] && clause.figures.findIndex((f, i) => !matches[i] && f.unit === clause.figures[matches.indexOf(known[0]!)]!.unit);
    if (!revision && known[0] && typeof twin === 'number' && twin >= 0) {
      revision = { status: 'update', fact: known[0].fact, value: known[0].value, score: known[0].score };
      notes.push(`${clause.figures[twin]!.text} revises ${known[0].value} of "${known[0].fact.id}" in the same clause: keep the new figure`);
    }
    let theme = guessTheme(clause, base.themes);
    const anyMatch = matches.find((m) => m);
    if (anyMatch) theme = base.themes.find((t) => t.id === anyMatch.fact.theme) ?? theme;
    if (!theme) {
      theme = base.themes[0]!;
      notes.push(`theme guessed as ${theme.id}: the clause names no theme keyword (themes.yaml)`);
    }
    for (const m of matches) {
      if (!m) continue;
      const where = `"${m.fact.id}" (${m.fact.file}:${placeOf(m.fact).line})`;
      if (m.status === 'known') notes.push(`${m.value} ${m.fact.values.find((v) => v.value === m.value)?.unit ?? ''} is already in ${where}`.replace(/ +/g, ' '));
      else if (m.status === 'update') notes.push(`${observed > observedAt(m.fact) ? 'a newer' : 'an earlier'} figure for ${where}, which states ${m.value} as of ${observedAt(m.fact)}`);
      else notes.push(`differs from ${where}, which states ${m.value} for the same or a later date: decide which reading holds`);
    }
    const status = allKnown ? 'known' : revision ? revision.status : 'new';
    if (status === 'new') {
      for (const [i, f] of clause.figures.entries()) {
        const maybe = matches[i] ? undefined : possibleRevision(f, clause, dating.kind, index.get(zone.id) ?? []);
        if (maybe) notes.push(`${f.text} may be another figure for "${maybe.fact.id}" (${maybe.fact.file}:${placeOf(maybe.fact).line}), which states ${maybe.value} as of ${observedAt(maybe.fact)}: if so, set review.status to update and review.fact to ${maybe.fact.id}`);
      }
    }
    // Known figures are counted above; everything else is for a person to review.
    if (status === 'update') summary.updates++;
    if (status === 'conflict') summary.conflicts++;
    if (status !== 'known') summary.review++;
    const { kind, notes: _dated, ...dates } = dating;
    const labels = clause.figures.map((f) => changeLabel(clause.text, f));
    drafted.push({
      id: draftId(sourceId, drafted.length + 1),
      zone: zone.id,
      theme: theme.id,
      kind,
      title: { zh: titleOf(clause), en: '' },
      summary: { zh: `${clause.text}。`, en: '' },
      values: clause.figures.map((f, i) => ({
        value: f.value,
        unit: f.unit,
        ...(labels[i] ? { label: { zh: labels[i], en: '' } } : {}),
        ...(f.noun ? { noun: { zh: f.noun.zh, en: '' } } : {}),
        ...(f.qualifier ? { qualifier: f.qualifier } : {}),
      })),
      ...dates,
      source: { doc: sourceId, quote: clause.text },
      review: {
        status,
        ...(status !== 'new' ? { fact: (allKnown ? known[0] : revision)!.fact.id } : {}),
        ...(notes.length ? { note: notes.join('; ') } : {}),
      },
    });
  }
  return { sheet: { source: sourceId, facts: drafted }, summary };
}


/**
 * The words that make a percentage a change rather than a level, as its label: "同比增长" in
 * "同比增长76.3%", "比去年同期增长" in "…42万人次,比去年同期增长35%". A reader sees them beside the figure.
 */
function changeLabel(text: string, figure: { index: number; unit: string }): string | undefined {
  if (figure.unit !== '%' && figure.unit !== 'pp') return undefined;
  return /(?:同比|环比|[比较](?:上年|去年)(?:同期)?)?(?:增长|下降|提高|降低|减少|增加)了?$/.exec(text.slice(0, figure.index))?.[0];
}

/** The draft sheet as YAML, with a header saying what to do with it. */
export function draftYaml(sheet: DraftSheetSpec, source: Source): string {
  const header = [
    `# Drafted by \`briefing draft ${source.id}\` from "${source.title.zh}" (${source.published}). Nothing here is printed.`,
    '# Review each fact: keep the figures worth a briefing (delete the others), confirm kind, dates, zone and theme,',
    '# give it a lasting kebab-case id, and write every `en` field. Then `briefing draft --accept <id...>` moves it into',
    '# data/facts/<zone>/<theme>.yaml. review.status says what accepting does:',
    '#   new       a new fact;',
    '#   known     the base already states this figure (review.fact): this source is recorded there as `also`;',
    '#   update    a newer figure for review.fact: both facts join one series, and the briefing shows old -> new;',
    '#   conflict  the base states another figure for the same date: decide, then set the status to new or update.',
  ];
  return `${header.join('\n')}\n${stringifyYaml(sheet)}`;
}

/**
 * An editor's rules: what `briefing check` holds every sheet to beyond its sources, so that a printed
 * briefing reads as an editor would have it. Each problem is one located error (file:line:col of the
 * field, what is wrong, how to fix it):
 *   - label-noun:   a value's noun does not repeat its label ("Platforms: 77 platforms");
 *   - plural:       an English noun follows the number ("1 World Heritage sites");
 *   - english-text: English holds no Chinese characters (chart titles; check.ts's parity covers the facts)
 *                   and no straight quotes (" '), only typographic ones (“ ” ‘ ’);
 *   - measure-word: a one-character Chinese noun is a measure word (10大重点区域 is no count of 大);
 *   - glossary:     one English name per Chinese name (data/glossary.yaml), and never a variant it avoids;
 *   - charts:       a chart's bars count one kind of thing, and never a part beside its whole (part_of);
 *   - key-figure:   a key-figure tile is a measured or planned quantity, not an event or a person's account.
 * Facts are looked up among the sheets given: a check of some sheets only (the preview's) sees their facts.
 */
import { quoted, type Problem } from '../errors.js';
import type { Fact, FactBase, Sheet } from './load.js';
import type { GlossaryTerm, TextField } from './schema.js';
import type { YamlFile } from './yaml.js';

/** The glossary a base is held to, with its file to place problems in the glossary itself. */
export interface Glossary {
  terms: GlossaryTerm[];
  yaml?: YamlFile | undefined;
}

/**
 * Chinese measure words (classifiers), and units counted like them: a one-character `noun.zh` must be
 * one of these, the word written between the number and the thing counted (682个项目, 1883家, 494列).
 */
export const MEASURE_WORDS: readonly string[] = [
  '个', '条', '项', '家', '处', '所', '户', '张', '对', '列', '类', '种', '座', '台', '套', '批', '名', '人', '位',
  '件', '次', '辆', '架', '艘', '间', '栋', '幢', '层', '只', '头', '匹', '株', '棵', '支', '片', '块', '根', '道',
  '级', '届', '期', '轮', '趟', '班', '部', '本', '册', '篇', '份', '款', '场', '组', '队', '口', '眼', '笔', '宗',
  '起', '例', '床', '元', '吨', '亩', '米', '度', '年', '月', '天', '日', '周', '倍',
];
const MEASURES = new Set(MEASURE_WORDS);

type Report = (yaml: YamlFile, at: PropertyKey[], message: string, hint: string) => void;

/** One bilingual text of a fact or chart: where it is, and what a message calls it. */
interface Text {
  at: PropertyKey[];
  name: string;
  text: TextField;
}

const HAN = /\p{Script=Han}/u;

/** Every problem the editor's rules find in the base's sheets and in its glossary. */
export function editorialProblems(base: FactBase, glossary: Glossary = { terms: base.glossary, yaml: base.glossaryYaml }): Problem[] {
  const problems: Problem[] = [];
  const report: Report = (yaml, at, message, hint) => problems.push(yaml.problem(at, message, hint));
  const facts = new Map(base.sheets.flatMap((s) => s.facts.map((f) => [f.id, f] as const)));
  const terms = glossaryTerms(glossary, report);
  for (const sheet of base.sheets) {
    sheet.facts.forEach((fact, i) => {
      const texts = factTexts(fact, i);
      fact.values.forEach((v, j) => {
        const at = ['facts', i, 'values', j];
        if (v.label && v.noun) labelNoun(sheet, fact, at, v.value, v.label, v.noun, report);
        if (v.noun) {
          plural(sheet, fact, at, v.value, v.noun.en, report);
          measureWord(sheet, fact, at, v.noun.zh, report);
        }
      });
      for (const t of texts) {
        straightQuotes(sheet, `${t.name} of "${fact.id}"`, t, report);
        useGlossary(sheet, `${t.name} of "${fact.id}"`, t, terms, report);
      }
      keyFigure(sheet, fact, i, report);
    });
    sheet.charts.forEach((chart, i) => {
      const title: Text = { at: ['charts', i, 'title'], name: 'title', text: chart.title };
      const what = `title of chart "${chart.id}"`;
      // The facts' English is told by check.ts's parity check; a chart's title is told here.
      if (HAN.test(chart.title.en)) report(sheet.yaml, [...title.at, 'en'], `English ${what} contains Chinese characters: ${quoted(chart.title.en)}`, 'translate or transliterate them');
      straightQuotes(sheet, what, title, report);
      useGlossary(sheet, what, title, terms, report);
      chartNouns(sheet, i, facts, report);
      nestedCounts(sheet, i, facts, report);
    });
  }
  return problems;
}

/** A fact's bilingual texts: title, summary, items, values' labels and nouns, conflict resolution. */
function factTexts(fact: Fact, i: number): Text[] {
  const at = (...rest: PropertyKey[]) => ['facts', i, ...rest];
  const texts: Text[] = [
    { at: at('title'), name: 'title', text: fact.title },
    { at: at('summary'), name: 'summary', text: fact.summary },
  ];
  (fact.items ?? []).forEach((t, j) => texts.push({ at: at('items', j), name: `item ${j + 1}`, text: t }));
  fact.values.forEach((v, j) => {
    if (v.label) texts.push({ at: at('values', j, 'label'), name: `label of value ${j + 1}`, text: v.label });
    if (v.noun) texts.push({ at: at('values', j, 'noun'), name: `noun of value ${j + 1}`, text: v.noun });
  });
  if (fact.conflict?.resolution) texts.push({ at: at('conflict', 'resolution'), name: 'conflict resolution', text: fact.conflict.resolution });
  return texts;
}

// ── label-noun ─────────────────────────────────────────────────────────────────────────────────────

/** Words that say nothing of what is counted. */
const STOP_WORDS = new Set(['a', 'an', 'and', 'as', 'at', 'by', 'for', 'from', 'in', 'into', 'its', 'of', 'on', 'or', 'per', 'than', 'the', 'their', 'to', 'with']);

/** An English word folded to its singular, simply: cities → city, buses → bus, sites → site; glass, status, basis stay. */
export function singular(word: string): string {
  if (/(ss|us|is)$/i.test(word) || word.length < 3) return word;
  if (/[^aeiou]ies$/i.test(word)) return `${word.slice(0, -3)}${word.endsWith('IES') ? 'Y' : 'y'}`;
  if (/(s|x|z|ch|sh)es$/i.test(word)) return word.slice(0, -2);
  if (/s$/i.test(word)) return word.slice(0, -1);
  return word;
}

const words = (text: string) => (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((w) => !STOP_WORDS.has(w)).map(singular);

/** A value prints as "label: number noun": the noun must not say again what the label says. */
function labelNoun(sheet: Sheet, fact: Fact, at: PropertyKey[], value: number, label: TextField, noun: TextField, report: Report): void {
  const labelWords = new Set(words(label.en));
  const repeated = (noun.en.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((w) => !STOP_WORDS.has(w) && labelWords.has(singular(w)));
  const hint = 'drop the label, or the repeated word from the label or the noun';
  if (repeated.length) {
    report(sheet.yaml, [...at, 'noun', 'en'], `the English noun of "${fact.id}" repeats its label: label ${quoted(label.en)}, noun ${quoted(noun.en)} (printed "${label.en}: ${value.toLocaleString('en')} ${noun.en}"; repeated: ${repeated.join(', ')})`, hint);
  }
  if (Array.from(noun.zh).length >= 2 && label.zh.includes(noun.zh)) {
    report(sheet.yaml, [...at, 'noun', 'zh'], `the Chinese noun of "${fact.id}" repeats its label: label ${quoted(label.zh)}, noun ${quoted(noun.zh)}`, hint);
  }
}

// ── plural ─────────────────────────────────────────────────────────────────────────────────────────

/**
 * The head of an English noun phrase: its last word, or the last before "of" (types of plans → types).
 * It looks plural when it ends in s but not in ss, us or is (glass, campus, basis).
 */
function pluralHead(noun: string): { at: number; word: string } | undefined {
  const phrase = noun.split(/\s+of\s+/i)[0]!;
  const head = /(\p{L}+)[^\p{L}]*$/u.exec(phrase);
  const word = head?.[1];
  if (!word || !/s$/i.test(word) || /(ss|us|is)$/i.test(word)) return undefined;
  return { at: head.index, word };
}

/** "1 World Heritage sites": a value of exactly 1 takes the singular. (Singular for many is not told: too many false alarms.) */
function plural(sheet: Sheet, fact: Fact, at: PropertyKey[], value: number, noun: string, report: Report): void {
  if (value !== 1) return;
  const head = pluralHead(noun);
  if (!head) return;
  const fixed = noun.slice(0, head.at) + singular(head.word) + noun.slice(head.at + head.word.length);
  report(sheet.yaml, [...at, 'noun', 'en'], `"${fact.id}" counts 1 but its English noun ${quoted(noun)} is plural (printed "1 ${noun}")`, `write the singular: noun.en ${quoted(fixed)}`);
}

// ── measure-word ───────────────────────────────────────────────────────────────────────────────────

/** A one-character Chinese noun is the measure word between the number and what it counts. */
function measureWord(sheet: Sheet, fact: Fact, at: PropertyKey[], zh: string, report: Report): void {
  if (Array.from(zh).length !== 1 || MEASURES.has(zh)) return;
  report(sheet.yaml, [...at, 'noun', 'zh'], `the Chinese noun of "${fact.id}" is ${quoted(zh)}, which is no measure word`, `write the measure word that counts them (个, 家, 项, 条, 处 …; "10大重点区域" is 10 个 key areas), or the thing counted in two or more characters`);
}

// ── english-text ───────────────────────────────────────────────────────────────────────────────────

/** Straight quotes in English: typographic ones are printed. */
function straightQuotes(sheet: Sheet, what: string, t: Text, report: Report): void {
  const double = t.text.en.includes('"');
  const single = t.text.en.includes("'");
  if (!double && !single) return;
  const which = [double ? 'double (")' : '', single ? "single (')" : ''].filter(Boolean).join(' and ');
  const how = [double ? '“ and ” around a quotation' : '', single ? '’ for an apostrophe (Xiong’an), ‘ and ’ around a quotation inside one' : ''].filter(Boolean).join('; ');
  report(sheet.yaml, [...t.at, 'en'], `English ${what} has straight ${which} quotes: ${quoted(t.text.en)}`, `use typographic quotes: ${how}`);
}

// ── glossary ───────────────────────────────────────────────────────────────────────────────────────

interface Term extends GlossaryTerm {
  /** The term's place in data/glossary.yaml, for messages (found when a message asks: positions cost a parse). */
  where: () => string;
  avoided: { text: string; pattern: RegExp }[];
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A phrase as a whole word or words, in any case. */
const phrase = (s: string) => new RegExp(`(?<![\\p{L}\\p{N}])${escape(s)}(?![\\p{L}\\p{N}])`, 'iu');

/** The glossary's terms, after its own rules: one entry per Chinese name; no name is what another entry avoids. */
function glossaryTerms(glossary: Glossary, report: Report): Term[] {
  const { yaml } = glossary;
  const where = (i: number) => {
    if (!yaml) return 'data/glossary.yaml';
    const { line } = yaml.locate(['terms', i]);
    return `${yaml.file}:${line}`;
  };
  const byZh = new Map<string, number>();
  glossary.terms.forEach((t, i) => {
    const first = byZh.get(t.zh);
    if (first !== undefined && yaml) report(yaml, ['terms', i, 'zh'], `${quoted(t.zh)} has a second entry in the glossary (the first is at ${where(first)})`, 'keep one English name per Chinese name: merge the two entries');
    if (first === undefined) byZh.set(t.zh, i);
    glossary.terms.forEach((o, k) => {
      const j = (o.avoid ?? []).findIndex((a) => a.toLowerCase() === t.en.toLowerCase());
      if (j >= 0 && yaml) report(yaml, ['terms', i, 'en'], `${quoted(t.en)}, the English of ${quoted(t.zh)}, is avoided by ${k === i ? 'its own entry' : `the entry for ${quoted(o.zh)} (${where(k)})`}`, 'a name is either used or avoided: remove it from avoid, or choose another English name');
    });
  });
  // A second entry for a Chinese name is told above; the sheets are held to the first.
  return glossary.terms.flatMap((t, i) => (byZh.get(t.zh) === i ? [{ ...t, where: () => where(i), avoided: (t.avoid ?? []).map((a) => ({ text: a, pattern: phrase(a) })) }] : []));
}

/** Where the Chinese names a term, the English names it as the glossary does, and never as it avoids. */
function useGlossary(sheet: Sheet, what: string, t: Text, terms: Term[], report: Report): void {
  const en = t.text.en.toLowerCase();
  for (const term of terms) {
    const avoided = term.avoided.find((a) => a.pattern.test(t.text.en));
    if (avoided) {
      report(sheet.yaml, [...t.at, 'en'], `English ${what} writes ${quoted(avoided.text)}, which the glossary avoids (${term.where()})`, `write ${quoted(term.en)}, the English of ${term.zh}`);
    } else if (t.text.zh.includes(term.zh) && !en.includes(term.en.toLowerCase())) {
      report(sheet.yaml, [...t.at, 'en'], `Chinese ${what} names ${term.zh}, but its English does not name it ${quoted(term.en)} (glossary, ${term.where()})`, `write ${quoted(term.en)} in the English: one English name per Chinese name, across all sheets`);
    }
  }
}

// ── charts ─────────────────────────────────────────────────────────────────────────────────────────

/** A chart's bars count one kind of thing: the values it draws have one English noun. */
function chartNouns(sheet: Sheet, i: number, facts: Map<string, Fact>, report: Report): void {
  const chart = sheet.charts[i]!;
  const nouns = new Map<string, string[]>();
  for (const id of chart.facts) {
    const f = facts.get(id);
    const v = f?.values.find((x) => x.unit === chart.unit);
    if (!v) continue; // an unknown fact, or no value in the chart's unit: told by the loader
    const noun = v.noun?.en.trim() ?? '';
    nouns.set(noun, [...(nouns.get(noun) ?? []), id]);
  }
  if (nouns.size < 2) return;
  const list = [...nouns].map(([noun, ids]) => `${noun ? quoted(noun) : 'no noun'} (${ids.map((id) => `"${id}"`).join(', ')})`).join(', ');
  report(sheet.yaml, ['charts', i], `chart "${chart.id}" counts different things in one scale: ${list}`, 'a chart\'s bars count one kind of thing: give its facts one English noun, or draw them in separate charts');
}

/** A part drawn beside its whole doubles what the whole counts. */
function nestedCounts(sheet: Sheet, i: number, facts: Map<string, Fact>, report: Report): void {
  const chart = sheet.charts[i]!;
  const drawn = new Set(chart.facts);
  chart.facts.forEach((id, j) => {
    const seen = new Set<string>([id]);
    for (let whole = facts.get(facts.get(id)?.part_of ?? ''); whole && !seen.has(whole.id); whole = facts.get(whole.part_of ?? '')) {
      seen.add(whole.id);
      if (drawn.has(whole.id)) {
        report(sheet.yaml, ['charts', i, 'facts', j], `chart "${chart.id}" draws nested counts side by side: "${id}" is part of "${whole.id}"`, 'draw the parts of one whole, or independent measures');
        return;
      }
    }
  });
}

// ── key-figure ─────────────────────────────────────────────────────────────────────────────────────

/**
 * A heuristic for one person's account in a Chinese summary: a resident, passenger or worker who says,
 * tells or states something, or a quotation in the first person. It will miss some and may catch a
 * rare sentence that is none; a fact it catches wrongly can say the same without the speaker.
 */
const ACCOUNT = /(家住|市民|居民|村民|游客|乘客|员工|职工|师傅|网友)[^。]{0,30}(说|表示|告诉)/;
const FIRST_PERSON_QUOTE = /[“「"『][^”」"』]*我[^”」"』]*[”」"』]/;

/** A key-figure tile shows a measured or planned quantity. */
function keyFigure(sheet: Sheet, fact: Fact, i: number, report: Report): void {
  if (!fact.key) return;
  const at = ['facts', i, 'key'];
  const hint = 'a key-figure tile shows a measured or planned quantity: remove key: true';
  const account = ACCOUNT.exec(fact.summary.zh) ?? FIRST_PERSON_QUOTE.exec(fact.summary.zh);
  if (fact.kind !== 'metric' && fact.kind !== 'target') report(sheet.yaml, at, `key figure "${fact.id}" is ${fact.kind === 'initiative' ? 'an' : 'a'} ${fact.kind}, not a metric or a target`, hint);
  else if (!fact.values.length) report(sheet.yaml, at, `key figure "${fact.id}" has no value`, `${hint}, or give it its value`);
  else if (account) report(sheet.yaml, at, `key figure "${fact.id}" reports one person's account: ${quoted(account[0])}`, hint);
}

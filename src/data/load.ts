import { lstatSync } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { BriefingError, STEERING, cap, quoted, type Problem } from '../errors.js';
import { checkLeadCitations, loadLeads, type CitableFact, type Lead } from './leads.js';
import { dataFolder, MAX_TEXT_BYTES, MAX_YAML_BYTES, namesIn, parseYaml, readDataText, type YamlFile } from './yaml.js';
import {
  glossarySchema, sheetSchema, sourcesSchema, themesSchema, zonesSchema,
  type ChartSpec, type FactSpec, type GlossaryTerm, type SourceSpec, type ThemeSpec, type ZoneSpec,
} from './schema.js';

export interface Source extends SourceSpec {
  /** Path of the text, as shown to the user. */
  file: string;
  text: string;
}

/** Where a fact is written, for messages. */
export interface Place {
  file: string;
  line: number;
  col: number;
}

/**
 * A fact's place is kept under this symbol: a copy of the fact (`{ ...fact }`, Object.assign) carries it
 * as it carries any own property, while JSON and Object.keys leave it out (a fact's fingerprint, its YAML).
 * Its line and column are found when first read (parsing for positions is slow, and only a message needs
 * them), once for the fact and all its copies.
 */
export const PLACE: unique symbol = Symbol('briefing.place');

export interface Fact extends FactSpec {
  zone: string;
  theme: string;
  /** The file the fact is written in, as shown to the user. */
  file: string;
  readonly [PLACE]: Place;
}

/** Where `fact`, or a copy of it, is written: its file, line and column. */
export const placeOf = (fact: Pick<Fact, typeof PLACE>): Place => fact[PLACE];

/** A place whose line and column are looked up on the first read of either. */
function lazyPlace(file: string, locate: () => { line: number; col: number }): Place {
  let at: { line: number; col: number } | undefined;
  const found = () => (at ??= locate());
  return {
    file,
    get line() {
      return found().line;
    },
    get col() {
      return found().col;
    },
  };
}

export interface Sheet {
  zone: string;
  theme: string;
  file: string;
  yaml: YamlFile;
  facts: Fact[];
  charts: ChartSpec[];
}

export interface FactBase {
  zones: ZoneSpec[];
  themes: ThemeSpec[];
  sources: Map<string, Source>;
  sheets: Sheet[];
  /** The analysts' leads, data/leads/<zone>/<theme>/<YYYY-MM>.md (leads.ts). */
  leads: Lead[];
  /** data/glossary.yaml's terms: one English name per Chinese name (none when the file is absent). */
  glossary: GlossaryTerm[];
  /** The glossary file, to place problems in it; absent with the file. */
  glossaryYaml?: YamlFile;
}

const display = (file: string) => path.relative(process.cwd(), file) || file;

/** The longest text of a title, name or label, and of any other text (a summary, a quote), in characters. */
export const MAX_SHORT_TEXT = 200;
export const MAX_LONG_TEXT = 2000;
/** Problems reported per file at most: a file with thousands of errors says so, and how many more. */
const MAX_PROBLEMS_PER_FILE = 50;

const at0 = (file: string, message: string, hint: string): Problem => ({ file, line: 0, col: 0, message, hint });

/** Texts longer than a title or a paragraph can be: refused at their place, before anything prints them. */
function overlong(yaml: YamlFile): Problem[] {
  const found: Problem[] = [];
  // One path, pushed and popped: most texts are short, and only a long one costs more than a comparison.
  const at: PropertyKey[] = [];
  const walk = (v: unknown): void => {
    if (found.length >= MAX_PROBLEMS_PER_FILE) return;
    if (typeof v === 'string') {
      if (v.length > MAX_SHORT_TEXT) tooLong(v, [...at]);
      const control = STEERING.exec(v);
      if (control) found.push(yaml.problem([...at], `${fieldName(yaml.data, [...at])} holds the control character U+${control[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`, 'delete it: a text holds letters, spaces and line breaks, nothing that steers a terminal or the direction of text'));
    } else if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        at.push(i);
        walk(v[i]);
        at.pop();
      }
    } else if (v && typeof v === 'object') {
      for (const k in v) {
        at.push(k);
        walk((v as Record<string, unknown>)[k]);
        at.pop();
      }
    }
  };
  const tooLong = (v: string, path: PropertyKey[]) => {
    const field = [...path].reverse().find((k): k is string => typeof k === 'string' && k !== 'zh' && k !== 'en') ?? '';
    const long = LONG_FIELDS.has(field);
    const max = long ? MAX_LONG_TEXT : MAX_SHORT_TEXT;
    const n = v.length > max ? Array.from(v).length : 0;
    if (n <= max) return;
    const what = long ? 'a text' : `${/^[aeiou]/.test(field) ? 'an' : 'a'} ${field || 'value'}`;
    found.push(yaml.problem(path, `${fieldName(yaml.data, path)} is ${n.toLocaleString('en')} characters long, more than the ${max} ${what} may have`, long ? 'shorten it: it is printed in a page of the briefing' : 'shorten it: it is printed as a heading or a label'));
  };
  walk(yaml.data);
  return found;
}

/** The fields whose texts may run to a paragraph; every other text is a title, name, label or id. */
const LONG_FIELDS = new Set(['summary', 'quote', 'resolution', 'quality', 'items', 'note', 'url', 'keywords']);

/**
 * Reads a YAML file and validates it against a schema; problems carry file:line:col. An `optional` file
 * that is absent is no problem (undefined is returned, as for a file with problems).
 */
export function loadYaml<T>(file: string, schema: z.ZodType<T>, problems: Problem[], opts: { optional?: boolean } = {}): { value: T; yaml: YamlFile } | undefined {
  const shown = display(file);
  const read = readDataText(file, MAX_YAML_BYTES);
  if ('missing' in read) {
    if (opts.optional) return undefined;
    problems.push(at0(shown, 'file is missing', 'create it; data/README.md describes its format'));
    return undefined;
  }
  if ('problem' in read) {
    problems.push(read.problem);
    return undefined;
  }
  const parsed = parseYaml(shown, read.text);
  problems.push(...parsed.problems);
  if (!parsed.yaml) return undefined;
  const yaml = parsed.yaml;
  const long = overlong(yaml);
  if (long.length) {
    problems.push(...long);
    return undefined;
  }
  const result = schema.safeParse(yaml.data);
  if (result.success) return { value: result.data, yaml };
  const issues = result.error.issues.flatMap((issue) => describeIssue(yaml, issue));
  problems.push(...issues.slice(0, MAX_PROBLEMS_PER_FILE));
  if (issues.length > MAX_PROBLEMS_PER_FILE) problems.push(at0(shown, `${issues.length - MAX_PROBLEMS_PER_FILE} more problems in this file`, 'fix those above first'));
  return undefined;
}

/** Turns one schema issue into user-facing lines at the exact YAML node. */
function describeIssue(yaml: YamlFile, issue: z.core.$ZodIssue): Problem[] {
  const at = issue.path as PropertyKey[];
  const name = fieldName(yaml.data, at);
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((k) =>
        yaml.problem([...at, k], `unknown key ${quoted(k)} in ${name}`, 'remove it or fix its spelling; data/README.md lists the keys', { key: true }),
      );
    case 'invalid_value':
      return [yaml.problem(at, `${name} is ${quoted(getIn(yaml.data, at))}, not one of the allowed values`, `use one of: ${issue.values.map(String).join(', ')}`)];
    case 'invalid_type': {
      const got = getIn(yaml.data, at);
      if (got === undefined) return [yaml.problem(at, `${name} is missing`, `add ${issue.expected === 'object' ? 'it' : `a ${issue.expected}`}`)];
      return [yaml.problem(at, `${name} should be ${issue.expected}, not ${quoted(got)}`, 'change its type')];
    }
    default:
      return [yaml.problem(at, `${name} ${issue.message}`, 'see data/README.md')];
  }
}

/** "facts.3.values.0.unit" → `fact "tx-rail" values.0.unit`, which a user can find. */
function fieldName(data: unknown, at: PropertyKey[]): string {
  if (!at.length) return 'the file';
  const [list, index, ...rest] = at;
  const id = typeof index === 'number' ? getIn(data, [list!, index, 'id']) : undefined;
  if (typeof id === 'string') {
    const kind = String(list).replace(/s$/, '');
    return rest.length ? `${kind} ${quoted(id)}: ${cap(rest.map(String).join('.'))}` : `${kind} ${quoted(id)}`;
  }
  return quoted(at.map(String).join('.'));
}

function getIn(data: unknown, at: PropertyKey[]): unknown {
  let v: unknown = data;
  for (const k of at) v = v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined;
  return v;
}

/**
 * Loads every data file and validates shape and references: zones, themes, sources, fact sheets.
 * Throws one BriefingError listing every problem found.
 */
export function loadFactBase(dataDir: string): FactBase {
  const problems: Problem[] = [];
  const zones = loadYaml(path.join(dataDir, 'zones.yaml'), zonesSchema, problems);
  const themes = loadYaml(path.join(dataDir, 'themes.yaml'), themesSchema, problems);
  const sourcesFile = loadYaml(path.join(dataDir, 'sources.yaml'), sourcesSchema, problems);
  // Optional: a base without a glossary holds its sheets to no terms.
  const glossary = loadYaml(path.join(dataDir, 'glossary.yaml'), glossarySchema, problems, { optional: true });
  if (!zones || !themes || !sourcesFile) throw new BriefingError(problems);

  const zoneIds = new Set(zones.value.zones.map((z) => z.id));
  const themeIds = new Set(themes.value.themes.map((t) => t.id));
  duplicates(zones.value.zones.map((z) => z.id), (i, id) => problems.push(zones.yaml.problem(['zones', i, 'id'], `zone id "${id}" is used twice`, 'give each zone its own id')));
  duplicates(themes.value.themes.map((t) => t.id), (i, id) => problems.push(themes.yaml.problem(['themes', i, 'id'], `theme id "${id}" is used twice`, 'give each theme its own id')));

  const sources = new Map<string, Source>();
  const sourcesDir = path.join(dataDir, 'sources');
  const sourcesFolder = dataFolder(sourcesDir);
  if (sourcesFolder.problem) problems.push(sourcesFolder.problem);
  sourcesFile.value.sources.forEach((s, i) => {
    const file = path.join(sourcesDir, `${s.id}.txt`);
    if (sources.has(s.id)) problems.push(sourcesFile.yaml.problem(['sources', i, 'id'], `source id "${s.id}" is used twice`, 'list each source once'));
    const read: ReturnType<typeof readDataText> = sourcesFolder.ok ? readDataText(file, MAX_TEXT_BYTES) : { missing: true };
    if ('missing' in read && !sourcesFolder.problem) problems.push(sourcesFile.yaml.problem(['sources', i, 'id'], `source text ${display(file)} is missing`, `copy the text to ${display(file)} or fix the id`));
    if ('problem' in read) problems.push(read.problem);
    s.zones.forEach((z, j) => {
      if (!zoneIds.has(z)) problems.push(sourcesFile.yaml.problem(['sources', i, 'zones', j], `unknown zone "${z}"`, `use one of: ${[...zoneIds].join(', ')}`));
    });
    sources.set(s.id, { ...s, file: display(file), text: 'text' in read ? read.text : '' });
  });
  // A text dropped into sources/ without an entry would be silently ignored: say so.
  for (const name of sourcesFolder.ok ? namesIn(sourcesDir) : []) {
    if (name.startsWith('.') || !name.endsWith('.txt') || sources.has(name.slice(0, -4))) continue;
    problems.push({ file: display(path.join(sourcesDir, name)), line: 0, col: 0, message: 'source text has no entry in data/sources.yaml', hint: `bring it in with \`briefing source add ${display(path.join(sourcesDir, name))} …\` (it files the text under a new id), or remove it` });
  }

  const sheets: Sheet[] = [];
  const factsDir = path.join(dataDir, 'facts');
  const factsFolder = dataFolder(factsDir);
  if (factsFolder.problem) problems.push(factsFolder.problem);
  // Zone folders: real folders only; a link is refused (it could lead anywhere), any other file is not a zone.
  const zoneDirs = (factsFolder.ok ? namesIn(factsDir) : []).filter((d) => {
    const st = lstatSync(path.join(factsDir, d));
    if (st.isSymbolicLink()) problems.push(dataFolder(path.join(factsDir, d)).problem!);
    return st.isDirectory();
  });
  for (const zone of zoneDirs) {
    if (!zoneIds.has(zone)) {
      problems.push({ file: display(path.join(factsDir, zone)), line: 0, col: 0, message: `folder for unknown zone ${quoted(zone)}`, hint: 'add the zone to data/zones.yaml or rename the folder' });
      continue;
    }
    for (const name of namesIn(path.join(factsDir, zone)).filter((f) => f.endsWith('.yaml'))) {
      const theme = name.replace(/\.yaml$/, '');
      const file = path.join(factsDir, zone, name);
      if (!themeIds.has(theme)) {
        problems.push({ file: display(file), line: 0, col: 0, message: `fact sheet for unknown theme ${quoted(theme)}`, hint: `name it after a theme in data/themes.yaml: ${[...themeIds].join(', ')}` });
        continue;
      }
      const loaded = loadYaml(file, sheetSchema, problems);
      if (!loaded) continue;
      // A fact's line and column are found when a message asks for them (parsing for positions is slow).
      const facts = loaded.value.facts.map((f, i): Fact => ({ ...f, zone, theme, file: loaded.yaml.file, [PLACE]: lazyPlace(loaded.yaml.file, () => loaded.yaml.locate(['facts', i])) }));
      sheets.push({ zone, theme, file: loaded.yaml.file, yaml: loaded.yaml, facts, charts: loaded.value.charts ?? [] });
    }
  }

  // References that span files: unique ids, source ids, kind-specific fields, chart facts.
  const seen = new Map<string, Fact>();
  for (const sheet of sheets) {
    const p = (at: PropertyKey[], message: string, hint: string) => problems.push(sheet.yaml.problem(at, message, hint));
    sheet.facts.forEach((f, i) => {
      const other = seen.get(f.id);
      if (other) p(['facts', i, 'id'], `fact id "${f.id}" is also used at ${other.file}:${placeOf(other).line}`, 'ids are unique across all sheets; rename one');
      seen.set(f.id, f);
      const refs: { ref: { doc: string }; at: PropertyKey[] }[] = [{ ref: f.source, at: ['facts', i, 'source', 'doc'] }];
      (f.also ?? []).forEach((ref, j) => refs.push({ ref, at: ['facts', i, 'also', j, 'doc'] }));
      if (f.conflict) refs.push({ ref: f.conflict.with, at: ['facts', i, 'conflict', 'with', 'doc'] });
      for (const { ref, at } of refs) {
        const src = sources.get(ref.doc);
        if (!src) p([...at], `unknown source "${ref.doc}"`, 'use an id from data/sources.yaml');
        else if (!src.zones.includes(sheet.zone)) p([...at], `source "${ref.doc}" does not cover zone "${sheet.zone}"`, 'add the zone to the source in data/sources.yaml or cite another source');
        else if (!src.title.en || !src.publisher.en) p([...at], `source "${ref.doc}" has no English ${src.title.en ? 'publisher' : 'title'} yet, and every cited source is printed in both languages`, `write ${src.title.en ? 'publisher' : 'title'}.en for ${ref.doc} in data/sources.yaml`);
      }
      const need = (field: 'as_of' | 'date' | 'target_year', why: string) => {
        if (f[field] === undefined) p(['facts', i], `${f.kind} "${f.id}" has no ${field}`, why);
      };
      if (f.kind === 'metric' || f.kind === 'initiative') need('as_of', 'add as_of: YYYY-MM, when the figure was true');
      if (f.kind === 'target') need('target_year', 'add target_year: the year the target is for');
      if (f.kind === 'milestone') need('date', 'add date: YYYY-MM or YYYY-MM-DD');
      if (f.period && f.period.from > f.period.to) p(['facts', i, 'period'], 'period ends before it starts', 'swap from and to');
      f.values.forEach((v, j) => {
        if (v.unit === 'count' && !v.noun) p(['facts', i, 'values', j, 'unit'], 'a count needs a noun', 'add noun: { zh: 个, en: projects }');
      });
    });
  }
  checkSeries(sheets, problems);
  checkPartOf(sheets, seen, problems);
  for (const sheet of sheets) {
    sheet.charts.forEach((c, i) => {
      c.facts.forEach((id, j) => {
        const f = seen.get(id);
        const at = ['charts', i, 'facts', j];
        if (!f) problems.push(sheet.yaml.problem(at, `chart "${c.id}" uses unknown fact "${id}"`, 'use the id of a fact in this sheet'));
        else if (f.zone !== sheet.zone || f.theme !== sheet.theme) problems.push(sheet.yaml.problem(at, `chart "${c.id}" uses fact "${id}" from another sheet`, 'charts draw on their own sheet\'s facts'));
        else if (!f.values.some((v) => v.unit === c.unit)) problems.push(sheet.yaml.problem(at, `fact "${id}" has no value in ${c.unit}, the unit of chart "${c.id}"`, 'change the chart unit or remove the fact from the chart'));
      });
    });
  }

  // A lead's citations are checked against a base that loaded whole: a sheet that failed to load would
  // make every fact it holds look unknown.
  const loaded = problems.length === 0;
  const leads = loadLeads(dataDir, zoneIds, themeIds, problems);
  if (loaded) problems.push(...checkLeadCitations(leads, citableFacts(seen, sources), () => draftedIds(dataDir)));

  if (problems.length) throw new BriefingError(problems);
  return { leads, zones: zones.value.zones, themes: themes.value.themes, sources, sheets, glossary: glossary?.value.terms ?? [], ...(glossary ? { glossaryYaml: glossary.yaml } : {}) };
}

/** Each fact by id, with the month it is known from: its source published and its own date arrived. */
function citableFacts(facts: Map<string, Fact>, sources: Map<string, Source>): Map<string, CitableFact> {
  const out = new Map<string, CitableFact>();
  for (const [id, f] of facts) {
    const published = (sources.get(f.source.doc)?.published ?? '').slice(0, 7);
    const own = (f.date ?? f.as_of ?? '').slice(0, 7);
    out.set(id, { zone: f.zone, values: f.values, knownFrom: own > published ? own : published });
  }
  return out;
}

/** The ids drafted in data/drafts/ (read as text: a lead citing one is told to accept it first). */
function draftedIds(dataDir: string): Set<string> {
  const dir = path.join(dataDir, 'drafts');
  const ids = new Set<string>();
  if (!dataFolder(dir).ok) return ids;
  for (const name of namesIn(dir).filter((n) => n.endsWith('.yaml'))) {
    const read = readDataText(path.join(dir, name), MAX_YAML_BYTES);
    if ('text' in read) for (const m of read.text.matchAll(/^\s*-?\s*id:\s*([a-z0-9-]+)\s*$/gm)) ids.add(m[1]!);
  }
  return ids;
}

function duplicates(ids: string[], report: (index: number, id: string) => void): void {
  const seen = new Set<string>();
  ids.forEach((id, i) => {
    if (seen.has(id)) report(i, id);
    seen.add(id);
  });
}

/** When a fact's figure was true: the end of its period, its as_of or date, or its target year. */
export function observedAt(f: Pick<FactSpec, 'period' | 'as_of' | 'date' | 'target_year'>): string {
  return f.period?.to ?? f.as_of ?? f.date ?? (f.target_year ? `${f.target_year}-12` : '');
}

/**
 * `part_of` names the whole a count is part of: a fact of the same zone, and no fact is (through others)
 * part of itself. Checked here, where every sheet is at hand; the chart rule on nested counts is editorial.ts's.
 */
function checkPartOf(sheets: Sheet[], facts: Map<string, Fact>, problems: Problem[]): void {
  const looped = new Set<string>();
  for (const sheet of sheets) {
    sheet.facts.forEach((f, i) => {
      if (!f.part_of) return;
      const p = (message: string, hint: string) => problems.push(sheet.yaml.problem(['facts', i, 'part_of'], message, hint));
      const whole = facts.get(f.part_of);
      if (!whole) p(`"${f.id}" is part_of unknown fact "${f.part_of}"`, 'use the id of the fact whose count this one is a part of');
      else if (whole.zone !== f.zone) p(`"${f.id}" is part_of "${whole.id}" of zone ${whole.zone}, not of its own zone ${f.zone}`, 'a part and its whole are counted in one zone');
      else {
        const chain = [f.id];
        for (let at: Fact | undefined = whole; at && !chain.includes(at.id); at = at.part_of ? facts.get(at.part_of) : undefined) chain.push(at.id);
        // A loop is told once, at its first fact; a fact that leads into a loop further up is not part of itself.
        if (facts.get(chain.at(-1)!)?.part_of === f.id && !looped.has(f.id)) {
          chain.forEach((id) => looped.add(id));
          p(`"${f.id}" is part of itself: ${[...chain, f.id].join(' → ')}`, 'a count is part of a larger one: remove part_of from one fact of the loop');
        }
      }
    });
  }
}

/**
 * Facts of one series are observations of one indicator: one zone and theme, one kind, one unit, and
 * never two different figures at the same date (that is a conflict to record, not a series).
 */
function checkSeries(sheets: Sheet[], problems: Problem[]): void {
  const first = new Map<string, { fact: Fact; sheet: Sheet }>();
  const at = new Map<string, Fact>();
  for (const sheet of sheets) {
    sheet.facts.forEach((f, i) => {
      if (!f.series) return;
      const p = (message: string, hint: string) => problems.push(sheet.yaml.problem(['facts', i, 'series'], message, hint));
      const head = first.get(f.series);
      if (!head) {
        first.set(f.series, { fact: f, sheet });
      } else {
        const o = head.fact;
        if (o.zone !== f.zone || o.theme !== f.theme) p(`series "${f.series}" is in ${o.zone}/${o.theme} (fact "${o.id}") and here in ${f.zone}/${f.theme}`, 'a series stays in one zone and theme');
        else if (o.kind !== f.kind) p(`series "${f.series}" mixes a ${o.kind} ("${o.id}") and a ${f.kind}`, 'observations of one indicator have one kind');
        else if (o.values[0]?.unit !== f.values[0]?.unit) p(`series "${f.series}" is measured in ${o.values[0]?.unit ?? 'no unit'} ("${o.id}") but "${f.id}" in ${f.values[0]?.unit ?? 'no unit'}`, 'the first value of every observation has the same unit');
      }
      const when = `${f.series}\u0000${observedAt(f)}`;
      const twin = at.get(when);
      if (twin && twin.values[0]?.value !== f.values[0]?.value) p(`series "${f.series}" has two figures for ${observedAt(f)}: "${twin.id}" and "${f.id}"`, 'two sources disagreeing on one figure is a conflict: keep one fact and record conflict: { with, resolution }');
      at.set(when, f);
    });
  }
}

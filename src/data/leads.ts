import { lstatSync } from 'node:fs';
import path from 'node:path';
import { STEERING, quoted, type Problem } from '../errors.js';
import type { Lang } from './quantities.js';
import { dataFolder, namesIn, readDataText } from './yaml.js';

/**
 * Leads: the analyst's opening words for a briefing, in Markdown, in both languages, with live figures.
 *
 *   data/leads/<zone>/<theme>/<YYYY-MM>.md
 *
 * A lead file applies from the edition its name gives until a later file of the same briefing. It holds
 * two sections, `## 中文` and `## English` (or `## zh` / `## en`), each a few paragraphs of Markdown
 * (emphasis and lists; no links, images or HTML: they print as text). A figure is cited by its fact's id
 * in double braces, `{{tx-intercity-emu-passengers}}`, or `{{id:2}}` for the fact's second value; the
 * build prints it formatted for the language with its source marker. `check` refuses a citation of an
 * unknown or drafted fact, of a fact not yet known at the lead's month, or of another zone's fact, and a
 * lead whose two languages cite different figures.
 */
export interface Lead {
  zone: string;
  theme: string;
  /** The first edition it applies to. */
  from: string;
  file: string;
  text: Record<Lang, string>;
  cites: Cite[];
}

export interface Cite {
  lang: Lang;
  fact: string;
  /** 0-based index into the fact's values. */
  value: number;
  line: number;
  col: number;
}

/** Characters the renderer uses to mark a citation's place in the Markdown; refused in a lead. */
export const CITE_OPEN = '\uE000';
export const CITE_CLOSE = '\uE001';

const HEADING = /^#{1,3}[ \t]+(中文|zh|English|en)[ \t]*#*[ \t]*$/i;
const CITE = /\{\{([^{}]*)\}\}/g;
const CITE_BODY = /^\s*([a-z0-9]+(?:-[a-z0-9]+)*)\s*(?::\s*(\d+)\s*)?$/;
const MONTH_FILE = /^(\d{4}-(0[1-9]|1[0-2]))\.md$/;
/** The longest section of a lead, in characters: a lead is a few sentences. */
const MAX_LEAD = 4000;
const display = (file: string) => path.relative(process.cwd(), file) || file;

/** Reads every lead file under data/leads/, reporting what is malformed at its line and column. */
export function loadLeads(dataDir: string, zones: Set<string>, themes: Set<string>, problems: Problem[]): Lead[] {
  const dir = path.join(dataDir, 'leads');
  const folder = dataFolder(dir);
  if (folder.problem) problems.push(folder.problem);
  if (!folder.ok) return [];
  const leads: Lead[] = [];
  const at0 = (file: string, message: string, hint: string) => problems.push({ file: display(file), line: 0, col: 0, message, hint });
  const subfolders = (d: string) => namesIn(d).filter((n) => !n.startsWith('.')).filter((n) => {
    const st = lstatSync(path.join(d, n));
    if (st.isDirectory() && !st.isSymbolicLink()) return true;
    at0(path.join(d, n), 'is not a folder of leads', 'leads live in data/leads/<zone>/<theme>/<YYYY-MM>.md');
    return false;
  });
  for (const zone of subfolders(dir)) {
    if (!zones.has(zone)) at0(path.join(dir, zone), `unknown zone "${zone}"`, `name the folder after a zone of zones.yaml: ${[...zones].join(', ')}`);
    for (const theme of subfolders(path.join(dir, zone))) {
      const themeDir = path.join(dir, zone, theme);
      if (!themes.has(theme)) at0(themeDir, `unknown theme "${theme}"`, `name the folder after a theme of themes.yaml: ${[...themes].join(', ')}`);
      for (const name of namesIn(themeDir).filter((n) => !n.startsWith('.'))) {
        const file = path.join(themeDir, name);
        const month = MONTH_FILE.exec(name)?.[1];
        if (!month) {
          at0(file, 'lead file is not named by a month', 'name it YYYY-MM.md: the first edition it applies to, e.g. 2023-03.md');
          continue;
        }
        const read = readDataText(file, 64 * 1024);
        if ('problem' in read) problems.push(read.problem);
        if (!('text' in read)) continue;
        const lead = parseLead(display(file), read.text, problems);
        if (lead) leads.push({ zone, theme, from: month, ...lead });
      }
    }
  }
  return leads;
}

/** One lead file's two languages and their citations; problems at their line and column. */
export function parseLead(file: string, source: string, problems: Problem[]): Pick<Lead, 'file' | 'text' | 'cites'> | undefined {
  const before = problems.length;
  const report = (line: number, col: number, message: string, hint: string) => problems.push({ file, line, col, message, hint });
  const lines = source.replace(/^\uFEFF/, '').split(/\r?\n/);
  const parts: Partial<Record<Lang, { text: string[]; start: number }>> = {};
  let current: Lang | undefined;
  lines.forEach((text, i) => {
    const heading = HEADING.exec(text);
    if (heading) {
      const lang: Lang = /^(中文|zh)$/i.test(heading[1]!) ? 'zh' : 'en';
      if (parts[lang]) report(i + 1, 1, `the ${lang === 'zh' ? 'Chinese' : 'English'} section is written twice`, 'keep one "## 中文" and one "## English" section');
      parts[lang] = { text: [], start: i + 1 };
      current = lang;
      return;
    }
    if (!current) {
      if (text.trim()) report(i + 1, 1, 'text before the first language heading', 'start the lead with "## 中文", then "## English"');
      return;
    }
    parts[current]!.text.push(text);
  });
  const text = {} as Record<Lang, string>;
  const cites: Cite[] = [];
  for (const lang of ['zh', 'en'] as const) {
    const part = parts[lang];
    if (!part) {
      report(lines.length, 1, `the lead has no ${lang === 'zh' ? 'Chinese' : 'English'} section`, `add "## ${lang === 'zh' ? '中文' : 'English'}" followed by its paragraphs`);
      continue;
    }
    const body = part.text.join('\n').trim();
    if (!body) report(part.start, 1, `the ${lang === 'zh' ? 'Chinese' : 'English'} section is empty`, 'write a few sentences under the heading');
    if (body.length > MAX_LEAD) report(part.start, 1, `the ${lang === 'zh' ? 'Chinese' : 'English'} section is ${body.length} characters long`, `a lead is a few sentences: keep each language under ${MAX_LEAD} characters`);
    text[lang] = body;
    part.text.forEach((l, j) => {
      const line = part.start + j + 1;
      const bad = STEERING.exec(l) ?? /[\uE000-\uF8FF]/.exec(l);
      if (bad) report(line, bad.index + 1, `the lead holds the character U+${bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`, 'delete it: a lead holds letters, spaces and line breaks');
      for (const m of l.matchAll(CITE)) {
        const body = CITE_BODY.exec(m[1]!);
        if (!body) {
          report(line, m.index + 1, `${quoted(m[0])} is not a citation of a fact`, 'write {{fact-id}}, or {{fact-id:2}} for its second value');
          continue;
        }
        cites.push({ lang, fact: body[1]!, value: body[2] ? Number(body[2]) - 1 : 0, line, col: m.index + 1 });
      }
      const rest = l.replace(CITE, (m) => ' '.repeat(m.length));
      const open = rest.search(/\{\{|\}\}/);
      if (open >= 0) report(line, open + 1, 'a citation is not closed', 'write {{fact-id}} with both pairs of braces on one line');
      if (lang === 'en' && /\p{Script=Han}/u.test(rest)) report(line, rest.search(/\p{Script=Han}/u) + 1, 'the English lead contains Chinese characters', 'translate them; figures come from {{fact-id}} citations');
    });
  }
  return problems.length === before ? { file, text, cites } : undefined;
}

/** The facts a lead may cite, by id: where each is, when it became known, and how many values it has. */
export interface CitableFact {
  zone: string;
  values: unknown[];
  /** The month the fact is known from (its source published and its own date arrived). */
  knownFrom: string;
}

/**
 * Every citation names a fact of the lead's zone that is known at the lead's first edition and has the
 * value cited; both languages cite the same figures.
 */
export function checkLeadCitations(leads: Lead[], facts: Map<string, CitableFact>, drafted: () => Set<string>): Problem[] {
  const problems: Problem[] = [];
  for (const lead of leads) {
    const report = (c: Cite, message: string, hint: string) => problems.push({ file: lead.file, line: c.line, col: c.col, message, hint });
    /** Citations already refused: the two languages are compared only when there are none. */
    const refused = new Set<Cite>();
    for (const c of lead.cites) {
      const f = facts.get(c.fact);
      if (!f) {
        refused.add(c);
        if (drafted().has(c.fact)) report(c, `the lead cites "${c.fact}", which is still a draft`, `accept it first (briefing draft --accept ${c.fact}), or cite a fact of data/facts/`);
        else report(c, `the lead cites unknown fact "${c.fact}"`, 'cite the id of a fact in data/facts/');
        continue;
      }
      if (f.zone !== lead.zone) report(c, `the lead cites "${c.fact}", a fact of zone ${f.zone}`, `cite facts of ${lead.zone}, the zone this lead is for`);
      if (f.knownFrom > lead.from) report(c, `the lead cites "${c.fact}", which is not known until ${f.knownFrom}`, `rename the lead ${f.knownFrom}.md (or later) so it applies only once its figures are known, or cite an earlier fact`);
      if (c.value >= f.values.length) report(c, `the lead cites value ${c.value + 1} of "${c.fact}", which has ${f.values.length === 0 ? 'no values' : `${f.values.length}`}`, f.values.length ? `cite {{${c.fact}}} or a value up to ${f.values.length}` : 'cite a fact that states a figure');
    }
    const key = (c: Cite) => `${c.fact}:${c.value}`;
    // A refused citation is most likely the other language's figure mistyped: told once, at the typo.
    const valid = refused.size ? [] : lead.cites;
    const zh = new Set(lead.cites.filter((c) => c.lang === 'zh').map(key));
    const en = new Set(lead.cites.filter((c) => c.lang === 'en').map(key));
    for (const c of valid) {
      const other = c.lang === 'zh' ? en : zh;
      if (!other.has(key(c))) report(c, `the ${c.lang === 'zh' ? 'Chinese' : 'English'} lead cites {{${c.fact}${c.value ? `:${c.value + 1}` : ''}}} and the ${c.lang === 'zh' ? 'English' : 'Chinese'} one does not`, 'cite the same figures in both languages');
    }
  }
  return problems;
}

/** The lead a briefing prints at an edition: the newest file of its zone and theme applying by then. */
export function leadFor(leads: Lead[], zone: string, theme: string, edition: string): Lead | undefined {
  return leads.filter((l) => l.zone === zone && l.theme === theme && l.from <= edition).sort((a, b) => a.from.localeCompare(b.from)).pop();
}

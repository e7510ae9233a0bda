/**
 * `briefing draft --accept <id…>`: reviewed drafts move into the fact base.
 *   - new      the fact moves to data/facts/<zone>/<theme>.yaml, as the person left it (without zone,
 *              theme and review);
 *   - update   the same, and both facts get the series id of the indicator (the older fact's series, or its id);
 *   - known    no new fact: the source is recorded as `also` on the fact that already states the figure;
 *   - conflict refused until a person decides.
 * The whole change is proved first, on a copy of the data, by the same load and check a build runs;
 * nothing is written unless every accepted fact passes. Files keep their comments and layout.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BriefingError, type Problem } from '../errors.js';
import { loadFactBase, type Fact } from '../data/load.js';
import { loadDrafts, pendingWork, type DraftFact, type DraftSheet } from '../data/drafts.js';
import { factSchema } from '../data/schema.js';
import { checkFactBase } from '../check.js';
import { appendItem, insertPair, itemLines, itemYaml, reindent, removeItem, removePairs } from '../data/yamltext.js';

export interface AcceptEffects {
  writeFile(file: string, data: string): void;
}

export interface Accepted {
  id: string;
  how: 'new' | 'update' | 'known';
  /** The fact sheet it went to, and the fact it was recorded on (known) or joined in a series (update). */
  file: string;
  fact?: string;
}

const DRAFT_ONLY = ['zone', 'theme', 'review'];

export function acceptDrafts(dataDir: string, ids: string[], effects: AcceptEffects): Accepted[] {
  const problems: Problem[] = [];
  const base = loadFactBase(dataDir);
  const drafts = loadDrafts(dataDir, problems);
  if (problems.length) throw new BriefingError(problems);
  const facts = new Map(base.sheets.flatMap((s) => s.facts.map((f) => [f.id, f] as const)));
  // Files by absolute path: facts name theirs as shown to the user, relative to the working folder.
  const texts = new Map<string, string>();
  const read = (file: string) => texts.get(path.resolve(file)) ?? (existsSync(file) ? readFileSync(file, 'utf8') : '');
  const put = (file: string, text: string) => texts.set(path.resolve(file), text);
  const sheetFile = (zone: string, theme: string) => path.join(dataDir, 'facts', zone, `${theme}.yaml`);
  const factPath = (f: Fact) => ['facts', base.sheets.find((s) => s.file === f.file)!.facts.indexOf(f)];
  const accepted: Accepted[] = [];
  const removals: { sheet: DraftSheet; fact: DraftFact }[] = [];
  /** Where each accepted fact's block begins in its new sheet, to place messages from the proof. */
  const placed: { file: string; id: string; draft: { sheet: DraftSheet; fact: DraftFact } }[] = [];

  for (const id of ids) {
    const found = drafts.flatMap((sheet) => sheet.facts.filter((f) => f.id === id).map((fact) => ({ sheet, fact })))[0];
    if (!found) {
      const all = drafts.flatMap((s) => s.facts.map((f) => f.id));
      problems.push({ file: 'briefing', line: 0, col: 0, message: `no drafted fact "${id}"`, hint: all.length ? `drafted ids: ${all.slice(0, 8).join(', ')}${all.length > 8 ? ', …' : ''}` : 'run briefing draft <source-id> first' });
      continue;
    }
    const { sheet, fact: d } = found;
    const at = ['facts', d.index];
    const refuse = (message: string, hint: string) => problems.push(sheet.yaml.problem(at, `cannot accept "${d.id}": ${message}`, hint));
    const todo = pendingWork(d);
    if (todo.length) {
      refuse('it is not reviewed yet', todo.join('; '));
      continue;
    }
    const cited = base.sources.get(d.source.doc);
    if (cited && (!cited.title.en || !cited.publisher.en)) {
      refuse(`its source ${cited.id} has no English ${cited.title.en ? 'publisher' : 'title'} yet, and every cited source is printed in both languages`, `write ${cited.title.en ? 'publisher' : 'title'}.en for ${cited.id} in data/sources.yaml`);
      continue;
    }
    if (facts.has(d.id)) {
      refuse(`its id is already the id of a fact in ${facts.get(d.id)!.file}`, 'give the draft an id of its own');
      continue;
    }
    const status = d.review?.status ?? 'new';
    const target = d.review?.fact ? facts.get(d.review.fact) : undefined;
    if ((status === 'known' || status === 'update') && !target) {
      refuse(`review.fact "${d.review?.fact ?? ''}" is not a fact of the base`, 'name the fact it repeats or updates, or set review.status: new');
      continue;
    }
    if (status === 'known') {
      const file = target!.file;
      const ref = { doc: d.source.doc, quote: d.source.quote };
      let text = read(file);
      const fp = factPath(target!);
      text = target!.also?.length ? appendItem(text, [...fp, 'also'], itemYaml(ref, 0)) : insertPair(text, fp, `also:\n${itemYaml(ref, 2)}`);
      put(file, text);
      accepted.push({ id, how: 'known', file, fact: target!.id });
      removals.push(found);
      continue;
    }
    // The block as the person left it, without the draft's own keys.
    const draftText = read(sheet.file);
    let block = removePairs(draftText, at, DRAFT_ONLY);
    const lines = itemLines(block, ['facts'], d.index);
    block = reindent(block.slice(lines.from, lines.to).replace(/\n\s*\n*$/, '\n'), -lines.indent);
    const { zone, theme, review: _review, index: _index, ...fact } = d;
    if (status === 'update') {
      const series = target!.series ?? target!.id;
      if (!d.series) block = insertBlockPair(block, `series: ${series}`);
      if (!target!.series) put(target!.file, insertPair(read(target!.file), factPath(target!), `series: ${series}`, 'kind'));
      fact.series = d.series ?? series;
    }
    const parsed = factSchema.safeParse(fact);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) refuse(`${issue.path.join('.')} ${issue.message}`, 'complete the draft; data/README.md lists the fields');
      continue;
    }
    const file = sheetFile(zone, theme);
    put(file, appendItem(read(file), ['facts'], block));
    placed.push({ file, id, draft: found });
    accepted.push({ id, how: status === 'update' ? 'update' : 'new', file, ...(status === 'update' ? { fact: target!.id } : {}) });
    removals.push(found);
  }
  if (problems.length) throw new BriefingError(problems);

  // The drafts leave their files, last first so the indices hold.
  for (const { sheet, fact } of removals.sort((a, b) => b.fact.index - a.fact.index)) put(sheet.file, removeItem(read(sheet.file), ['facts'], fact.index));

  prove(dataDir, texts, placed);
  for (const [file, text] of texts) effects.writeFile(file, text);
  return accepted;
}

/** A `key: value` line added at the top level of an item block ("- id: …" at column 0). */
function insertBlockPair(block: string, line: string): string {
  const lines = block.split('\n');
  const kind = lines.findIndex((l) => /^ {2}kind:/.test(l));
  lines.splice(kind >= 0 ? kind + 1 : 1, 0, `  ${line}`);
  return lines.join('\n');
}

/**
 * The accepted base, loaded and checked on a copy of the data folder: any problem refuses the whole
 * acceptance, placed at the draft that caused it when it lies in an accepted fact.
 */
function prove(dataDir: string, texts: Map<string, string>, placed: { file: string; id: string; draft: { sheet: DraftSheet; fact: DraftFact } }[]): void {
  const copy = mkdtempSync(path.join(os.tmpdir(), 'briefing-accept-'));
  try {
    cpSync(dataDir, copy, { recursive: true, filter: (src) => !src.startsWith(path.join(dataDir, 'drafts')) });
    for (const [file, text] of texts) {
      const rel = path.relative(dataDir, file);
      if (rel.startsWith('drafts')) continue;
      mkdirSync(path.dirname(path.join(copy, rel)), { recursive: true });
      writeFileSync(path.join(copy, rel), text);
    }
    let problems: Problem[] = [];
    try {
      problems = checkFactBase(loadFactBase(copy)).errors;
    } catch (e) {
      if (!(e instanceof BriefingError)) throw e;
      problems = e.problems;
    }
    if (!problems.length) return;
    const shownCopy = path.relative(process.cwd(), copy);
    throw new BriefingError(
      problems.map((p) => {
        const mine = placed.find((x) => p.message.includes(`"${x.id}"`));
        if (mine) return mine.draft.sheet.yaml.problem(['facts', mine.draft.fact.index], `cannot accept "${mine.id}": ${p.message}`, p.hint);
        const real = (t: string) => t.split(shownCopy).join(path.relative(process.cwd(), dataDir) || '.');
        return { ...p, file: real(p.file), message: `accepting would break the base: ${real(p.message)}`, ...(p.hint ? { hint: real(p.hint) } : {}) };
      }),
    );
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

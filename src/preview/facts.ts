import { BriefingError } from '../errors.js';
import { loadFactBase, type Fact, type FactBase, type Sheet } from '../data/load.js';
import { checkFactBase } from '../check.js';
import { sheetKey } from './watch.js';

/** A fact as `check` sees it: everything but where it is written (JSON leaves out its PLACE: lines move when a fact above grows). */
const fingerprint = (f: Fact) => JSON.stringify(f);

/**
 * loadCheckedFacts after some fact sheets changed: every file is loaded and validated (schemas, ids unique
 * across sheets, references), but only the facts of those sheets that differ from `previous` are proven
 * against the sources. Sound when `previous` passed the full check and the sources and other sheets are
 * unchanged since: a fact's check depends on the fact and the sources alone. Saving one sheet in the
 * preview then proves only what the save changed.
 */
export function loadCheckedChanges(dataDir: string, previous: FactBase, sheets: ReadonlySet<string>): FactBase {
  const base = loadFactBase(dataDir);
  const before = new Map(previous.sheets.flatMap((s) => s.facts.map((f) => [f.id, fingerprint(f)] as const)));
  const changed = base.sheets
    .filter((s) => sheets.has(sheetKey(s.zone, s.theme)))
    .map((s) => onlyFacts(s, s.facts.flatMap((f, i) => (before.get(f.id) === fingerprint(f) ? [] : [i]))));
  const report = checkFactBase({ ...base, sheets: changed });
  if (report.errors.length) throw new BriefingError(report.errors);
  return base;
}

/** The sheet with only the facts at `keep`; problems still point at each fact's own place in the file. */
function onlyFacts(sheet: Sheet, keep: number[]): Sheet {
  const remap = (at: readonly PropertyKey[]): PropertyKey[] => (at[0] === 'facts' && typeof at[1] === 'number' ? ['facts', keep[at[1]] ?? at[1], ...at.slice(2)] : [...at]);
  return {
    ...sheet,
    facts: keep.map((i) => sheet.facts[i]!),
    yaml: {
      ...sheet.yaml,
      locate: (at, opts) => sheet.yaml.locate(remap(at), opts),
      problem: (at, message, hint, opts) => sheet.yaml.problem(remap(at), message, hint, opts),
    },
  };
}

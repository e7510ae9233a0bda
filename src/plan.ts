/**
 * Planning a run from file contents alone: which briefings a configuration asks for, the hash of
 * everything each is made from, and which of them are out of date. Imports nothing heavy, so a run
 * with nothing to do finishes before the rest of the pipeline would have loaded.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { readYaml } from './data/yaml.js';
import { currentEdition } from './model/edition.js';
import { inputHash } from './editions/hash.js';
import { changedFiles, readManifestAt, readStats } from './editions/manifest.js';
import { currentRoot } from './editions/layout.js';
import { acquireLock, removeStaleLock } from './editions/lock.js';
import { needsTidy, tidy } from './editions/output.js';
import type { Config, LangMode } from './config.js';

/** The zones and themes of the data, read cheaply (no schema, no facts), for planning a run. */
function quickIds(config: Config): { zones: string[]; themes: string[] } | undefined {
  try {
    const zones = (readYaml(readFileSync(path.join(config.dataDir, 'zones.yaml'), 'utf8')) as { zones: { id: string }[] }).zones.map((z) => z.id);
    const themes = (readYaml(readFileSync(path.join(config.dataDir, 'themes.yaml'), 'utf8')) as { themes: { id: string }[] }).themes.map((t) => t.id);
    return zones.every((z) => typeof z === 'string') && themes.every((t) => typeof t === 'string') ? { zones, themes } : undefined;
  } catch {
    return undefined;
  }
}

/** A briefing's file name without extension: taixin-transport, or taixin-transport.en for one language. */
export const briefingName = (zone: string, theme: string, lang: LangMode) => `${zone}-${theme}${lang === 'bilingual' ? '' : `.${lang}`}`;

export interface PlannedDoc {
  zone: string;
  theme: string;
  /** File name without extension: taixin-transport, or taixin-transport.en */
  name: string;
  /** Hash of everything this document is made from. */
  hash: string;
}

/**
 * What a run of `config` would make: the edition and, per briefing, a hash of everything it is made
 * from (its fact sheet; the zones, themes, sources and their texts; the templates and styles; the
 * exact package versions, fonts included; the options). Reads files only: no parsing of facts.
 */
function planRun(config: Config): { edition: string; docs: PlannedDoc[]; inputHash: string } | undefined {
  const ids = quickIds(config);
  if (!ids) return undefined;
  const pick = (all: string[], wanted: string[] | undefined) => (wanted?.length ? all.filter((x) => wanted.includes(x)) : all);
  if (config.zones?.some((z) => !ids.zones.includes(z)) || config.themes?.some((t) => !ids.themes.includes(t))) return undefined;
  const edition = config.edition ?? currentEdition(config.now, config.timeZone);
  // The build time is not an input: it changes on every run. Drafts are never printed, so they are not inputs either.
  // Nor is --html-only: the HTML is the same either way, and a PDF's presence is checked file by file.
  const options = { edition, lang: config.lang, staleAfterMonths: config.staleAfterMonths };
  const shared = inputHash({ dataDir: config.dataDir, templatesDir: config.templatesDir, root: config.packageRoot, options, exclude: [path.join(config.dataDir, 'facts'), path.join(config.dataDir, 'drafts')] });
  const docs = pick(ids.zones, config.zones).flatMap((zone) =>
    pick(ids.themes, config.themes).map((theme) => {
      const sheet = path.join(config.dataDir, 'facts', zone, `${theme}.yaml`);
      const hash = createHash('sha256').update(shared).update(existsSync(sheet) ? readFileSync(sheet) : 'no sheet').digest('hex');
      return { zone, theme, name: briefingName(zone, theme, config.lang), hash };
    }),
  );
  return { edition, docs, inputHash: createHash('sha256').update(docs.map((d) => d.hash).join()).digest('hex') };
}

/** A run's plan: what it makes, from which inputs, and which of its briefings are out of date. */
export interface BuildPlan {
  edition: string;
  docs: PlannedDoc[];
  inputHash: string;
  /** The planned briefings to make: missing, changed since they were made, or made from other inputs. */
  todo: PlannedDoc[];
}

/**
 * The plan of a run, made once (the CLI makes it before the pipeline loads, and hands it to the build):
 * the inputs hashed, and the briefings out of date. Undefined when the zones and themes cannot be read
 * cheaply (the build's check then says why).
 */
export function planBuild(config: Config): BuildPlan | undefined {
  const run = planRun(config);
  return run && { ...run, todo: outOfDate(config, run.edition, run.docs) };
}

/** A briefing's files in an edition's record: its HTML, its PDF unless HTML only, and its own font subsets. */
function filesOf(doc: PlannedDoc, htmlOnly: boolean, recorded: string[]): string[] {
  // fonts/<name>.<Face>-<weight>.ttf: taixin-transport's subsets, never taixin-transport.en's.
  const own = new RegExp(`^fonts/${doc.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.[A-Za-z]+-\\d+\\.ttf$`);
  return [`${doc.name}.html`, ...(htmlOnly ? [] : [`${doc.name}.pdf`]), ...recorded.filter((n) => own.test(n))];
}

/**
 * The planned documents whose files are missing, changed since they were made, or made from other inputs.
 * The record and the files are read from one version (the one `.current` points at when this starts),
 * so a run switching versions meanwhile cannot pair one version's record with another's files.
 */
function outOfDate(config: Config, edition: string, docs: PlannedDoc[]): PlannedDoc[] {
  if (config.force) return docs;
  const root = currentRoot(config.outDir);
  const record = readManifestAt(root).editions[edition];
  const recorded = Object.keys(record?.files ?? {});
  const seen = readStats(root)[edition] ?? {};
  return docs.filter((d) => {
    const names = filesOf(d, config.htmlOnly, recorded);
    return names.some((n) => record?.files[n]?.docHash !== d.hash) || changedFiles(root, edition, record, names, seen).length > 0;
  });
}

/**
 * A run with nothing to make still clears what a killed run left behind (a stale lock; unreferenced
 * versions, temporary links, a missing link: editions/output.ts `tidy`, done only when the lock is free).
 */
export function settleUnchanged(config: Config): void {
  removeStaleLock(config.outDir);
  if (!needsTidy(config.outDir)) return;
  let lock;
  try {
    lock = acquireLock(config.outDir);
  } catch {
    // Another run is writing: its leftovers and ours are tidied by the next run that holds the lock.
    return;
  }
  try {
    tidy(config.outDir);
  } catch {
    // Housekeeping only: what is in view is complete either way, and the next build tidies first or fails saying why.
  } finally {
    lock.release();
  }
}

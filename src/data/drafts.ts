/**
 * Drafted facts waiting for review: data/drafts/<source-id>.yaml, written by `briefing draft`.
 * They are read by `check` (which proves their quotes and numbers) and by `list` and `draft --accept`,
 * never by a build: nothing in a draft is printed until a person accepts it into a fact sheet.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { Problem } from '../errors.js';
import { loadYaml } from './load.js';
import { dataFolder, type YamlFile } from './yaml.js';
import { draftSheetSchema, type DraftFactSpec } from './schema.js';

export interface DraftFact extends DraftFactSpec {
  /** Its place in its draft file. */
  index: number;
}

export interface DraftSheet {
  /** The source the facts were drafted from. */
  source: string;
  file: string;
  yaml: YamlFile;
  facts: DraftFact[];
}

export const draftsDir = (dataDir: string) => path.join(dataDir, 'drafts');
export const draftFile = (dataDir: string, sourceId: string) => path.join(draftsDir(dataDir), `${sourceId}.yaml`);

/** Every draft sheet; shape problems are added to `problems`. */
export function loadDrafts(dataDir: string, problems: Problem[]): DraftSheet[] {
  const dir = draftsDir(dataDir);
  // A real folder inside the data folder, like every data file in it (a link to elsewhere is refused).
  const folder = dataFolder(dir);
  if (folder.problem) problems.push(folder.problem);
  if (!folder.ok) return [];
  const sheets: DraftSheet[] = [];
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.yaml') && !f.startsWith('.')).sort()) {
    const loaded = loadYaml(path.join(dir, name), draftSheetSchema, problems);
    if (!loaded) continue;
    sheets.push({
      source: loaded.value.source,
      file: loaded.yaml.file,
      yaml: loaded.yaml,
      facts: loaded.value.facts.map((f, index) => ({ ...f, index })),
    });
  }
  return sheets;
}

/** What a person has still to do before a drafted fact can be accepted; empty when it is ready. */
export function pendingWork(f: DraftFactSpec): string[] {
  const todo: string[] = [];
  if (f.review?.status === 'known') return todo; // accepting it only records this source on the existing fact
  if (f.review?.status === 'conflict') todo.push(`decide the conflict with "${f.review.fact}" (set review.status to update or new, or record it on that fact)`);
  const english: [string, { en: string } | undefined][] = [
    ['title.en', f.title],
    ['summary.en', f.summary],
    ...f.values.flatMap((v, j): [string, { en: string } | undefined][] => [
      [`values.${j}.noun.en`, v.noun],
      [`values.${j}.label.en`, v.label],
    ]),
    ...(f.items ?? []).map((t, j): [string, { en: string }] => [`items.${j}.en`, t]),
  ];
  const missing = english.filter(([, t]) => t && !t.en.trim()).map(([name]) => name);
  if (missing.length) todo.push(`write ${missing.join(', ')}`);
  return todo;
}

import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { currentRoot } from './layout.js';

/** One line of a run's log: JSON with a timestamp. */
export interface LogLine {
  time: string;
  level: 'info' | 'warn' | 'error';
  event: string;
  [key: string]: unknown;
}

export interface FileRecord {
  sha256: string;
  bytes: number;
  pages?: number;
  docHash?: string;
}

export interface EditionRecord {
  builtAt: string;
  inputHash: string;
  files: Record<string, FileRecord>;
  log: LogLine[];
}

export interface Manifest {
  editions: Record<string, EditionRecord>;
}

/**
 * `<out>/editions.json`, as readers see it. It is a link into the current version
 * (`<out>/.current/editions.json`), switched together with the editions' files (see output.ts).
 */
export const manifestPath = (outDir: string) => path.join(outDir, 'editions.json');

/** The manifest in a version folder (or in an output folder laid out as before versions). */
export function readManifestAt(root: string): Manifest {
  const file = path.join(root, 'editions.json');
  if (!existsSync(file)) return { editions: {} };
  try {
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
    return manifest && typeof manifest.editions === 'object' && manifest.editions ? manifest : { editions: {} };
  } catch {
    // A manifest that cannot be read is rebuilt from the next run rather than blocking it.
    return { editions: {} };
  }
}

/** The current manifest of an output folder: the one switched in with the files it describes. */
export function readManifest(outDir: string): Manifest {
  return readManifestAt(currentRoot(outDir));
}

export function sha256File(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/**
 * Files of an edition that are missing or differ from what the manifest recorded. `root` is the version
 * folder the record was read from (currentRoot), so the files and the record are of the same version;
 * `seen` the edition's stats in that root (readStats), read once by the caller for all its briefings.
 */
export function changedFiles(root: string, edition: string, record: EditionRecord | undefined, names: string[], seen: EditionStats): string[] {
  return names.filter((n) => {
    const file = path.join(root, edition, n);
    const known = record?.files[n];
    try {
      if (!known) return true;
      // Unchanged since it was hashed (size, modification time and inode the same): its recorded hash holds.
      if (seen[n]?.sha256 === known.sha256 && seen[n].stat === statOf(file)) return false;
      return sha256File(file) !== known.sha256;
    } catch {
      // Missing, or removed by a run that switched versions meanwhile: out of date either way.
      return true;
    }
  });
}

/**
 * `.stats.json` in a root version: for each edition, each file's size, modification time (ns) and inode
 * when its sha256 was recorded. A run with nothing to do trusts a file whose stat has not changed rather
 * than hashing it again (as git's index does: 6 MB of PDFs, a tenth of such a run). Hidden, in the root
 * beside editions.json, so no edition folder and no reader lists it; the manifest itself holds content
 * only and stays deterministic. A file changed in place changes its modification time, and is hashed.
 */
const STATS = '.stats.json';
export type EditionStats = Record<string, { stat: string; sha256: string }>;

const statOf = (file: string) => {
  const st = statSync(file, { bigint: true });
  return `${st.size}:${st.mtimeNs}:${st.ino}`;
};

/** The stats recorded in a root version, by edition; none for a root written before them, or a torn file. */
export function readStats(root: string): Record<string, EditionStats> {
  try {
    const stats = JSON.parse(readFileSync(path.join(root, STATS), 'utf8')) as unknown;
    return stats && typeof stats === 'object' && !Array.isArray(stats) ? (stats as Record<string, EditionStats>) : {};
  } catch {
    return {};
  }
}

/** The stat of every file of `record` in its edition folder `dir` (where nothing writes after the commit). */
export function statsOf(dir: string, record: EditionRecord): EditionStats {
  const stats: EditionStats = {};
  for (const [name, { sha256 }] of Object.entries(record.files)) stats[name] = { stat: statOf(path.join(dir, name)), sha256 };
  return stats;
}

export function writeStats(root: string, stats: Record<string, EditionStats>): void {
  writeFileSync(path.join(root, STATS), JSON.stringify(stats));
}

/** Every file under a folder, as relative paths with `/`, sorted; hidden names (temporary files) left out. */
export function filesIn(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      if (e.name.startsWith('.')) continue;
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else if (e.isFile()) out.push(r);
    }
  };
  walk('');
  return out.sort();
}

/**
 * The record of an edition folder as it is on disk: every file with its sha256 and size. Page counts
 * and document hashes come from `written` (this run's files) or, for a file carried over unchanged,
 * from the previous record when its content is still the one recorded.
 */
export function recordEdition(
  dir: string,
  previous: EditionRecord | undefined,
  run: { builtAt: string; inputHash: string; log: LogLine[]; written: Map<string, { pages?: number; docHash?: string }> },
): EditionRecord {
  const files: Record<string, FileRecord> = {};
  for (const name of filesIn(dir)) {
    const data = readFileSync(path.join(dir, name));
    const sha256 = createHash('sha256').update(data).digest('hex');
    const before = previous?.files[name];
    const meta = run.written.get(name) ?? (before?.sha256 === sha256 ? { pages: before.pages, docHash: before.docHash } : {});
    files[name] = { sha256, bytes: data.length, ...(meta.pages !== undefined ? { pages: meta.pages } : {}), ...(meta.docHash ? { docHash: meta.docHash } : {}) };
  }
  return { builtAt: run.builtAt, inputHash: run.inputHash, files, log: run.log };
}

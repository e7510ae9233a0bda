import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../write.js';

/** One line of a run's log: JSON with a timestamp. */
export interface LogLine {
  time: string;
  level: 'info' | 'warn' | 'error';
  event: string;
  [key: string]: unknown;
}

export interface EditionRecord {
  builtAt: string;
  inputHash: string;
  files: Record<string, { sha256: string; bytes: number; pages?: number; docHash?: string }>;
  log: LogLine[];
}

export interface Manifest {
  editions: Record<string, EditionRecord>;
}

export const manifestPath = (outDir: string) => path.join(outDir, 'editions.json');

export function readManifest(outDir: string): Manifest {
  const file = manifestPath(outDir);
  if (!existsSync(file)) return { editions: {} };
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Manifest;
  } catch {
    // A manifest that cannot be read is rebuilt from the next run rather than blocking it.
    return { editions: {} };
  }
}

export function sha256File(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** Files of an edition that are missing or differ from what the manifest recorded. */
export function changedFiles(outDir: string, edition: string, record: EditionRecord | undefined, names: string[]): string[] {
  return names.filter((n) => {
    const file = path.join(outDir, edition, n);
    const known = record?.files[n];
    return !known || !existsSync(file) || sha256File(file) !== known.sha256;
  });
}

/**
 * Records a committed run: merges its files into the edition's entry, writes the manifest atomically,
 * and points `<out>/latest` at the newest edition (a symlink replaced by rename, so it is never missing).
 */
export function recordRun(outDir: string, edition: string, run: { builtAt: Date; inputHash: string; files: { path: string; pages?: number; docHash?: string }[]; log: LogLine[] }): Manifest {
  const manifest = readManifest(outDir);
  const previous = manifest.editions[edition];
  const files = { ...(previous?.files ?? {}) };
  for (const f of run.files) {
    const data = readFileSync(f.path);
    files[path.relative(path.join(outDir, edition), f.path).split(path.sep).join('/')] = {
      sha256: createHash('sha256').update(data).digest('hex'),
      bytes: data.length,
      ...(f.pages !== undefined ? { pages: f.pages } : {}),
      ...(f.docHash ? { docHash: f.docHash } : {}),
    };
  }
  manifest.editions[edition] = { builtAt: run.builtAt.toISOString(), inputHash: run.inputHash, files, log: run.log };
  manifest.editions = Object.fromEntries(Object.entries(manifest.editions).sort(([a], [b]) => a.localeCompare(b)));
  writeFileAtomic(manifestPath(outDir), `${JSON.stringify(manifest, null, 2)}\n`);
  const newest = Object.keys(manifest.editions).sort().at(-1)!;
  const tmp = path.join(outDir, `.latest-${process.pid}`);
  rmSync(tmp, { force: true });
  symlinkSync(newest, tmp);
  renameSync(tmp, path.join(outDir, 'latest'));
  return manifest;
}

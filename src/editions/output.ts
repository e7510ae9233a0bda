import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';

/**
 * One run's files are written to a staging folder beside the edition's folder (same depth, so relative
 * links are the same) and moved into `<out>/<edition>/` only when every file of the run succeeded.
 * A failure or an interruption removes the staging folder: readers never see a partial file, and the
 * previous files stay as they were.
 */
export interface StagedRun {
  /** Where a file of the run is written while the run is going on. */
  staged(name: string): string;
  /** Where it will be once the run is committed. */
  final(name: string): string;
  /** Moves every staged file into place; returns the final paths. */
  commit(): string[];
  abort(): void;
}

const open = new Set<string>();

/** Staging folders left by runs that were killed outright (SIGKILL, power loss): their process is gone. */
export function removeAbandoned(outDir: string): void {
  if (!existsSync(outDir)) return;
  for (const name of readdirSync(outDir)) {
    const pid = Number(/^\.\d{4}-\d{2}\.staging-(\d+)-/.exec(name)?.[1]);
    if (!pid || pid === process.pid) continue;
    try {
      process.kill(pid, 0);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ESRCH') rmSync(path.join(outDir, name), { recursive: true, force: true });
    }
  }
}

/** Call while holding the output folder's lock. */
export function stageRun(outDir: string, edition: string): StagedRun {
  removeAbandoned(outDir);
  const finalDir = path.join(outDir, edition);
  const stagingDir = path.join(outDir, `.${edition}.staging-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
  mkdirSync(stagingDir, { recursive: true });
  open.add(stagingDir);
  const close = () => {
    rmSync(stagingDir, { recursive: true, force: true });
    open.delete(stagingDir);
  };
  return {
    staged: (name) => path.join(stagingDir, name),
    final: (name) => path.join(finalDir, name),
    commit() {
      const names = readdirSync(stagingDir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile() && !e.name.startsWith('.'))
        .map((e) => path.relative(stagingDir, path.join(e.parentPath, e.name)))
        .sort();
      for (const n of names) {
        mkdirSync(path.dirname(path.join(finalDir, n)), { recursive: true });
        renameSync(path.join(stagingDir, n), path.join(finalDir, n));
      }
      close();
      return names.map((n) => path.join(finalDir, n));
    },
    abort: close,
  };
}

/** For exit handlers: removes every staging folder this process still has open. */
export function abortAllRuns(): void {
  for (const dir of open) rmSync(dir, { recursive: true, force: true });
  open.clear();
}

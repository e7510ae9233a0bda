/**
 * The layout of an output folder (`<out>`):
 *
 *   <out>/.current -> .versions/root-7          the one link a commit switches, with one rename()
 *   <out>/.versions/root-7/editions.json        the manifest of this version
 *   <out>/.versions/root-7/latest -> 2023-03    the newest edition of this version
 *   <out>/.versions/root-7/2023-03 -> ../2023-03-4
 *   <out>/.versions/2023-03-4/…                 an edition's complete files (unchanged ones hard-linked
 *                                               from the version before)
 *   <out>/2023-03 -> .current/2023-03           what people and tools open; these links never change
 *   <out>/editions.json -> .current/editions.json
 *   <out>/latest -> .current/latest
 *   <out>/.briefing.lock                        the lock of the run writing (lock.ts)
 *
 * A version is never changed once `.current` has pointed at it, so whoever reads through `.current`
 * sees the files, the manifest and `latest` of one version. An output folder written before versions
 * (editions as plain folders, editions.json a file) is read as it is, and converted by the next build.
 */
import { realpathSync } from 'node:fs';
import path from 'node:path';

export const CURRENT = '.current';
export const VERSIONS = '.versions';
export const ROOT_PREFIX = 'root-';
export const isEdition = (name: string) => /^\d{4}-\d{2}$/.test(name);

/**
 * The folder that holds the current editions.json, `latest` and editions: the version `.current`
 * points at, or the output folder itself when it is laid out as before versions (or empty).
 */
export function currentRoot(outDir: string): string {
  try {
    return realpathSync(path.join(outDir, CURRENT));
  } catch {
    return outDir;
  }
}

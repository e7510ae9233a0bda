/**
 * The check's success, remembered: a build does not check again a fact base that passed `checkFactBase`
 * and has not changed by a byte since. The key is a hash of everything the check reads (editions/hash.ts
 * inputHash): every file under the data folder (path and content; a link by its own text), briefing's
 * compiled code (dist/, by size and time: an upgrade checks again), the exact package versions
 * (package-lock.json), which the check's own rules and dictionaries come from, and Node's version (its
 * Unicode tables decide what a pattern such as \p{Script=Han} matches).
 *
 * Kept in the user's cache folder (config.ts cacheFolder) under that key (file-cache.ts, `checks/`, the 64
 * used last): the key is the data's content, not its place, so a copy of a fact base that passed (another
 * checkout, a test's temporary copy) passes too. Only success is remembered: a failed check is made again,
 * and says again why. A cache folder that cannot be read or written is no cache; a memo that is not whole
 * (torn, edited, a link, a pipe) is as if absent.
 */
import path from 'node:path';
import { inputHash } from './editions/hash.js';
import { FileCache, removeLegacyCacheFiles } from './file-cache.js';

export interface CheckMemo {
  /** The data folder, as it is now, passed the check before. */
  readonly passed: boolean;
  /** Records that the data folder, as it was hashed, passed the check. Never throws. */
  remember(): void;
}

/** The key of a data folder's check: the hash of every input the check reads. */
export function checkKey(dataDir: string, packageRoot: string): string {
  // No templates (the check reads none): a folder that cannot exist stands in for them.
  return inputHash({ dataDir, templatesDir: path.join(dataDir, '.none'), root: packageRoot, options: { command: 'check', version: 1, node: process.version } });
}

/** The memos: a few bytes each, the 64 used last. */
const memos = (cacheDir: string | undefined) => new FileCache(cacheDir, 'checks', { max: 64, maxBytes: 64 });
const PASSED = 'passed\n';

/**
 * Whether the data folder passed the check as it is now. Made before the data is read: a file changed
 * while the check runs makes the key remembered that of the files as they were before, so the next
 * build checks again.
 */
export function checkMemo(dataDir: string, packageRoot: string, cacheDir: string | undefined): CheckMemo {
  if (!cacheDir) return { passed: false, remember: () => undefined };
  const key = checkKey(dataDir, packageRoot);
  const cache = memos(cacheDir);
  const passed = cache.get(key)?.toString() === PASSED;
  return {
    passed,
    remember() {
      if (passed) return;
      cache.set(key, PASSED);
      removeLegacyCacheFiles(cacheDir);
    },
  };
}

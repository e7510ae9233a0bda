/** The output folder, checked before any work, so that what is in the way is told in one line. */
import { accessSync, constants, lstatSync, readlinkSync, statSync, statfsSync, type Stats } from 'node:fs';
import path from 'node:path';
import { BriefingError, operationalProblem } from '../errors.js';

const rel = (p: string) => path.relative(process.cwd(), p) || p;

/** procfs: creating a folder in it fails with ENOENT, on which Node 20's recursive mkdir retries for ever. */
const PROC_SUPER_MAGIC = 0x9fa0;

/**
 * Before any work: the output folder is a folder we may write to, or can become one. A file in its
 * place or in the place of a folder above it, a folder under /proc, a read-only file system and a
 * folder we may not write to are refused in one line; a full disk is reported when it happens.
 */
export function checkOutFolder(outDir: string, opts: { write?: boolean } = {}): void {
  const wanted = path.resolve(outDir);
  const refuse = (message: string, hint: string) => new BriefingError([{ file: rel(wanted), line: 0, col: 0, message: `the output folder (--out) ${message}`, hint }]);
  /** What `existing` is, said of the output folder itself or of a folder above it that it would be made in. */
  const isWhat = (what: string) => (existing === wanted ? what : `cannot be made: ${rel(existing)} ${what}`);
  let existing = wanted;
  for (;;) {
    let st: Stats;
    try {
      st = statSync(existing);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // A link whose target is missing: mkdir would fail on it (ENOENT, or EEXIST for the link itself).
      if (code === 'ENOENT' && lstatSync(existing, { throwIfNoEntry: false })?.isSymbolicLink()) {
        throw refuse(isWhat(`is a symbolic link to ${readlinkSync(existing)}, which leads nowhere`), 'make the folder it leads to, or choose another --out');
      }
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || path.dirname(existing) === existing) throw e;
      existing = path.dirname(existing);
      continue;
    }
    if (!st.isDirectory()) throw refuse(isWhat('is a file, not a folder'), 'choose a folder for --out, or move the file away');
    break;
  }
  if (existing !== wanted && statfsSync(existing).type === PROC_SUPER_MAGIC) {
    throw new BriefingError([{ file: rel(wanted), line: 0, col: 0, message: `the output folder (--out) cannot be made: ${existing} is on procfs, the kernel's view of its processes, where no folder can be made`, hint: 'choose a folder on a disk for --out' }]);
  }
  // A folder that exists is written to; one that does not is made in the nearest that does. (The preview
  // writes only PDFs printed on request, and serves the rest from a read-only folder too.)
  if (opts.write === false) return;
  try {
    accessSync(existing, constants.W_OK);
  } catch (e) {
    const problem = operationalProblem(e);
    if (!problem) throw e;
    throw new BriefingError([{ ...problem, file: rel(wanted), message: `the output folder (--out) ${existing === wanted ? 'cannot be written to' : 'cannot be made'}: ${problem.message.replace(/^cannot [^:]*: /, '')}` }]);
  }
}

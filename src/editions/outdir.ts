/** The output folder, checked before any work, so that what is in the way is told in one line. */
import { accessSync, constants, statSync, statfsSync } from 'node:fs';
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
  let existing = wanted;
  for (;;) {
    try {
      const st = statSync(existing);
      if (!st.isDirectory()) {
        const inTheWay = existing === wanted ? 'is a file, not a folder' : `cannot be made: ${rel(existing)} is a file, not a folder`;
        throw new BriefingError([{ file: rel(wanted), line: 0, col: 0, message: `the output folder (--out) ${inTheWay}`, hint: 'choose a folder for --out, or move the file away' }]);
      }
      break;
    } catch (e) {
      if (e instanceof BriefingError) throw e;
      const code = (e as NodeJS.ErrnoException).code;
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || path.dirname(existing) === existing) throw e;
      existing = path.dirname(existing);
    }
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

/**
 * What is in the way of the output folder, told in one line wherever a run meets it: the CLI's check
 * before any work, and the lock every build takes (the preview's PDFs and the scheduler's later runs
 * build without the CLI's check, and the folder may have changed since it).
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireLock } from '../../src/editions/lock.js';
import { checkOutFolder } from '../../src/editions/outdir.js';
import { BriefingError, formatProblem } from '../../src/errors.js';
import { tempDir } from '../helpers/cli.js';

const rel = (p: string) => path.relative(process.cwd(), p) || p;

/** The lines a BriefingError thrown by `fn` prints. */
function refused(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof BriefingError) return e.problems.map(formatProblem);
    throw e;
  }
  throw new Error('not refused');
}

function inTheWay() {
  const dir = tempDir('briefing-outdir-');
  const file = path.join(dir, 'a-file');
  writeFileSync(file, 'not a folder');
  const link = path.join(dir, 'a-link');
  symlinkSync(path.join(dir, 'gone'), link);
  return { dir, file, link };
}

describe('an output folder that is a file', () => {
  it('is told as a file, not a folder, by the lock as by the check (it was "EEXIST (… fix its permissions)")', () => {
    const { file } = inTheWay();
    const line = `${rel(file)}: the output folder (--out) is a file, not a folder (choose a folder for --out, or move the file away)`;
    expect(refused(() => checkOutFolder(file))).toEqual([line]);
    expect(refused(() => acquireLock(file))).toEqual([line]);
  });

  it('in the place of a folder above it', () => {
    const { file } = inTheWay();
    const line = `${rel(path.join(file, 'out'))}: the output folder (--out) cannot be made: ${rel(file)} is a file, not a folder (choose a folder for --out, or move the file away)`;
    expect(refused(() => checkOutFolder(path.join(file, 'out')))).toEqual([line]);
    expect(refused(() => acquireLock(path.join(file, 'out')))).toEqual([line]);
  });
});

describe('an output folder that is a link leading nowhere', () => {
  it('is told as such (it was "ENOENT (… fix its permissions)")', () => {
    const { dir, link } = inTheWay();
    const line = `${rel(link)}: the output folder (--out) is a symbolic link to ${path.join(dir, 'gone')}, which leads nowhere (make the folder it leads to, or choose another --out)`;
    expect(refused(() => checkOutFolder(link))).toEqual([line]);
    expect(refused(() => acquireLock(link))).toEqual([line]);
    const below = `${rel(path.join(link, 'out'))}: the output folder (--out) cannot be made: ${rel(link)} is a symbolic link to ${path.join(dir, 'gone')}, which leads nowhere (make the folder it leads to, or choose another --out)`;
    expect(refused(() => acquireLock(path.join(link, 'out')))).toEqual([below]);
  });

  it('is used once the folder it leads to is made', () => {
    const { dir, link } = inTheWay();
    mkdirSync(path.join(dir, 'gone'));
    checkOutFolder(link);
    acquireLock(link).release();
  });
});

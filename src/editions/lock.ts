import { closeSync, linkSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { usageError } from '../errors.js';
import { isAlive } from '../process.js';
import { checkOutFolder } from './outdir.js';

export interface Lock {
  file: string;
  release(): void;
}

const held = new Set<string>();

/**
 * One run at a time per output folder: `<out>/.briefing.lock` holds the holder's process id.
 * A lock whose process is dead is taken over; a live one is refused with a clear message.
 */
export function acquireLock(outDir: string, now: Date = new Date()): Lock {
  const file = path.join(outDir, '.briefing.lock');
  try {
    mkdirSync(outDir, { recursive: true });
  } catch (e) {
    // Said as the CLI's check says it (a file or a link to nowhere in the way, a folder we may not write
    // in): the folder may have changed since that check, and the preview and the scheduler build later.
    checkOutFolder(outDir);
    throw e;
  }
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      // Written whole under a name of its own, then linked in place: no other run ever reads a lock
      // half-written (and takes it for a dead one's). link() fails with EEXIST when the lock is held.
      const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}`;
      const fd = openSync(tmp, 'wx');
      try {
        writeSync(fd, JSON.stringify({ pid: process.pid, since: now.toISOString() }));
        closeSync(fd);
        linkSync(tmp, file);
      } finally {
        rmSync(tmp, { force: true });
      }
      held.add(file);
      return {
        file,
        release() {
          if (held.delete(file)) rmSync(file, { force: true });
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let holder: { pid?: number; since?: string } = {};
      try {
        holder = JSON.parse(readFileSync(file, 'utf8')) as typeof holder;
      } catch {
        // Unreadable: half-written by a process that died; treat as stale.
      }
      if (holder.pid && holder.pid !== process.pid && isAlive(holder.pid)) {
        throw usageError(
          `another briefing run (process ${holder.pid}, since ${holder.since ?? 'unknown'}) is writing to ${path.relative(process.cwd(), outDir) || outDir}`,
          `wait for it to finish; if no such process exists, remove ${path.relative(process.cwd(), file) || file}`,
        );
      }
      rmSync(file, { force: true });
    }
  }
  throw usageError(`could not take the lock ${file}`, 'remove it and try again');
}

/** Removes a lock whose holder is dead; leaves a live one alone. */
export function removeStaleLock(outDir: string): void {
  const file = path.join(outDir, '.briefing.lock');
  try {
    const holder = JSON.parse(readFileSync(file, 'utf8')) as { pid?: number };
    if (holder.pid && !isAlive(holder.pid)) rmSync(file, { force: true });
  } catch {
    // No lock, or one being written right now: leave it.
  }
}

/** For exit handlers: releases every lock this process holds. */
export function releaseAllLocks(): void {
  for (const file of held) rmSync(file, { force: true });
  held.clear();
}

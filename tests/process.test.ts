import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isAlive } from '../src/process.js';
import { acquireLock } from '../src/editions/lock.js';
import { tempDir } from './helpers/cli.js';

describe('isAlive', () => {
  it('knows this process, and a process that has ended', () => {
    expect(isAlive(process.pid)).toBe(true);
    const ended = spawnSync(process.execPath, ['-e', '']).pid!;
    expect(isAlive(ended)).toBe(false);
  });

  it('takes nothing but one process id for a process: not 0, -1, a group, a fraction, a string or one out of range', () => {
    for (const pid of [0, -1, -process.pid, 1.5, Number.NaN, Infinity, 2 ** 31, String(process.pid), undefined, null]) expect(isAlive(pid), String(pid)).toBe(false);
  });
});

describe('a lock held by no process', () => {
  // kill(-1, 0) succeeds (it signals every process we may signal), so a lock holding -1 was taken for a
  // live run's, and refused every run after it for ever.
  it.each([[-1], [0], [-process.pid], ['1'], [1.5]])('holding pid %s is taken over', (pid) => {
    const out = tempDir('briefing-lock-');
    writeFileSync(path.join(out, '.briefing.lock'), JSON.stringify({ pid, since: '2020-01-01T00:00:00Z' }));
    const lock = acquireLock(out);
    expect(JSON.parse(readFileSync(lock.file, 'utf8'))).toMatchObject({ pid: process.pid });
    lock.release();
    expect(existsSync(lock.file)).toBe(false);
  });

  it('held by a live process is refused', () => {
    const out = tempDir('briefing-lock-');
    // The parent of this test's process: alive, and not the caller.
    writeFileSync(path.join(out, '.briefing.lock'), JSON.stringify({ pid: process.ppid, since: 'now' }));
    expect(() => acquireLock(out)).toThrow(`another briefing run (process ${process.ppid}, since now)`);
  });
});

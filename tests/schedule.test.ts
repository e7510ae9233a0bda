/**
 * `briefing schedule` stopped by a signal while it prints: the run log says so in one line, and the
 * failures of the prints the signal cut short (their browser closed under them) are not logged.
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir, trackChildren } from './helpers/cli.js';
import { leftovers, outputState } from './editions/output-state.js';
import type { LogLine } from '../src/editions/manifest.js';
import { currentEdition } from '../src/model/edition.js';

/** Runs `briefing schedule <args>` into a fresh output folder; sends `signal` once a line matches `when`. */
async function interrupted(args: string[], when: RegExp, signal: NodeJS.Signals) {
  const out = path.join(tempDir('briefing-schedule-'), 'out');
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/briefing.js'), 'schedule', ...args, '--out', out], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const tracked = trackChildren(child.pid!);
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (when.test(stdout)) resolve();
    });
    void exited.then(() => reject(new Error(`schedule ended before ${when}:\n${stdout}\n${stderr}`)));
  });
  child.kill(signal);
  const code = await exited;
  tracked.stop();
  const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as LogLine);
  return { out, code, stderr, lines, children: [...tracked.children] };
}

const alive = (pid: string) => {
  try {
    process.kill(Number(pid), 0);
    return true;
  } catch {
    return false;
  }
};

describe('schedule stopped by a signal while printing', () => {
  it.each([
    ['--catch-up', ['--catch-up', '--cron', '0 8 1 * *'], /"event":"printed"/, 'SIGINT', 130],
    ['--once', ['--once'], /"event":"browser"/, 'SIGINT', 130],
    ['--catch-up, SIGTERM', ['--catch-up', '--cron', '0 8 1 * *'], /"event":"printed"/, 'SIGTERM', 143],
  ] as const)('%s: one interrupted line (warn), no print-failed or run-failed, the signal exit code', { timeout: 60_000 }, async (_, args, when, signal, exitCode) => {
    const r = await interrupted([...args], when, signal);
    try {
      expect(r.code, r.stderr).toBe(exitCode);
      expect(r.stderr).toBe('');
      const events = r.lines.map((l) => l.event);
      expect(events).not.toContain('print-failed');
      expect(events).not.toContain('run-failed');
      expect(events.filter((e) => e === 'interrupted')).toHaveLength(1);
      // The last line, naming the edition whose run it cut short: the missed one, or this month's.
      const edition = r.lines.find((l) => l.event === 'catch-up')?.edition ?? currentEdition(new Date(), 'Asia/Shanghai');
      expect(r.lines.at(-1)).toEqual({ time: expect.any(String), level: 'warn', event: 'interrupted', signal, edition });
      // Nothing of the cut-short run in view, nothing left behind, no browser running.
      expect(outputState(r.out).files).toEqual({});
      expect(leftovers(r.out)).toEqual([]);
      expect(r.children.filter(alive)).toEqual([]);
    } finally {
      rmSync(path.dirname(r.out), { recursive: true, force: true });
    }
  });
});

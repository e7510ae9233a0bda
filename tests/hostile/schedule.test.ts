/**
 * `briefing schedule` with a cron expression that means something else than it seems (issue 17): one
 * that never fires, and one with six fields (croner would read seconds first) or four, are refused in
 * one line with exit 1 before anything is built.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CRON_OPTIONS, parseCron } from '../../src/cron.js';
import { BriefingError } from '../../src/errors.js';
import { ROOT, cli, tempDir } from '../helpers/cli.js';

const HINT = '(use five fields, minute hour day-of-month month day-of-week, e.g. "0 8 1 * *")';

describe('briefing schedule refuses, in one line with exit 1,', () => {
  const cases: [string, RegExp][] = [
    ['0 8 31 2 *', /^briefing: --cron "0 8 31 2 \*" never fires \(check the days against the months: there is no 30 or 31 February\)$/],
    ['0 8 30 2 *', /^briefing: --cron "0 8 30 2 \*" never fires /],
    ['0 8 31 4,6,9,11 *', /^briefing: --cron "0 8 31 4,6,9,11 \*" never fires /],
    // Fires, but next in 2044 (29 February on a Monday): not within five years.
    ['0 8 29 2 +MON', /^briefing: --cron "0 8 29 2 \+MON" never fires within 5 years \(next: 2044-02-29T00:00:00\.000Z\) /],
    ['0 0 8 * * *', new RegExp(`^briefing: --cron "0 0 8 \\* \\* \\*" has 6 fields, not five; a sixth field is not read as seconds ${HINT.replace(/[()*."]/g, '\\$&')}$`)],
    ['*/2 * * * * *', /^briefing: --cron "\*\/2 \* \* \* \* \*" has 6 fields, not five; a sixth field is not read as seconds /],
    ['0 8 1 * * 2030', /^briefing: --cron "0 8 1 \* \* 2030" has 6 fields, not five/],
    ['0 8 1 *', new RegExp(`^briefing: --cron "0 8 1 \\*" has 4 fields, not five ${HINT.replace(/[()*."]/g, '\\$&')}$`)],
    ['@daily', /^briefing: --cron "@daily" has 1 field, not five /],
    ['', /^briefing: --cron "" has 0 fields, not five /],
    ['0 8 1 * 8', /^briefing: --cron "0 8 1 \* 8" is not a cron expression: Invalid value for dayOfWeek: 8 /],
    ['0\n8 31 2 *', /^briefing: --cron "0\\n8 31 2 \*" never fires /],
  ];
  it.each(cases)('%j', async (cron, message) => {
    const out = tempDir('briefing-cron-');
    const r = await cli(['schedule', '--once', '--cron', cron, '--out', out, '--zone', 'taixin', '--theme', 'ecology']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
    // Refused before anything was built.
    expect(existsSync(path.join(out, 'editions.json'))).toBe(false);
  });

  it('also as a loop (no --once), and for --print-crontab and --print-systemd', async () => {
    const line = 'briefing: --cron "0 8 31 2 *" never fires (check the days against the months: there is no 30 or 31 February)';
    // The loop in a process of its own, ended after 30 s: a loop that was not refused would run for ever.
    const loop = spawnSync(process.execPath, [path.join(ROOT, 'bin/briefing.js'), 'schedule', '--cron', '0 8 31 2 *'], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
    expect(loop.status).toBe(1);
    expect(loop.stdout).toBe('');
    expect(loop.stderr.trim().split('\n')).toEqual([line]);
    for (const extra of [['--print-crontab'], ['--print-systemd']]) {
      const r = await cli(['schedule', '--cron', '0 8 31 2 *', ...extra]);
      expect(r.code, extra.join(' ')).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toEqual([line]);
    }
  });
});

describe('the cron dialect', () => {
  const from = new Date('2026-01-01T00:00:00Z');
  const runs = (expr: string, n = 6) => parseCron(expr, 'UTC', from).nextRuns(n, from).map((d) => d.toISOString().slice(0, 16));

  it('is five fields, minute hour day-of-month month day-of-week, with names', () => {
    expect(runs('30 7 * * mon-fri', 3)).toEqual(['2026-01-01T07:30', '2026-01-02T07:30', '2026-01-05T07:30']);
    expect(runs('0 8 1 JAN,jul *', 3)).toEqual(['2026-01-01T08:00', '2026-07-01T08:00', '2027-01-01T08:00']);
    expect(runs('0 8 * * 7', 2)).toEqual(['2026-01-04T08:00', '2026-01-11T08:00']);
    expect(runs('*/20 9-10 2 1 *', 6)).toEqual(['2026-01-02T09:00', '2026-01-02T09:20', '2026-01-02T09:40', '2026-01-02T10:00', '2026-01-02T10:20', '2026-01-02T10:40']);
    // Once every four years is within five.
    expect(runs('0 8 29 2 *', 2)).toEqual(['2028-02-29T08:00', '2032-02-29T08:00']);
  });

  it('ORs day-of-month and day-of-week when both are restricted, as Vixie cron does', () => {
    expect(CRON_OPTIONS).toEqual({ mode: '5-part', domAndDow: false });
    // January 2026: the 1st is a Thursday; Mondays are the 5th, 12th, 19th, 26th.
    expect(runs('0 8 1 * MON', 6)).toEqual(['2026-01-01T08:00', '2026-01-05T08:00', '2026-01-12T08:00', '2026-01-19T08:00', '2026-01-26T08:00', '2026-02-01T08:00']);
    // A day field left at * does not widen the other.
    expect(runs('0 8 1 * *', 2)).toEqual(['2026-01-01T08:00', '2026-02-01T08:00']);
    expect(runs('0 8 * * MON', 2)).toEqual(['2026-01-05T08:00', '2026-01-12T08:00']);
  });

  it('throws BriefingError, the user’s mistake, for what it refuses', () => {
    expect(() => parseCron('0 8 31 2 *', 'UTC', from)).toThrow(BriefingError);
    expect(() => parseCron('0 0 8 * * *', 'UTC', from)).toThrow(BriefingError);
  });
});

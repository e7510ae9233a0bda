import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, readdirSync, readlinkSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { Cron } from 'croner';
import { ROOT, cli, runCli, tempDir } from '../helpers/cli.js';
import { cronToOnCalendar, missedEdition } from '../../src/cron.js';
import { resolveConfig, type ConfigInput } from '../../src/config.js';
import { buildBriefings, type BuildEffects } from '../../src/build.js';
import { runEdition, startScheduler, type ScheduleEffects } from '../../src/schedule.js';
import { acquireLock } from '../../src/editions/lock.js';
import { sha256File, type LogLine, type Manifest } from '../../src/editions/manifest.js';
import { writeFileAtomicAsync } from '../../src/write.js';
import { consistent, leftovers, outputState } from './output-state.js';

/**
 * What a scheduled run builds, skips and logs, how a run that fails or is killed leaves the output folder,
 * and the lock are not the printer's business: those runs write the HTML drafts only (in this process,
 * htmlOnly, or `build --html-only`). Two tests print one briefing each, through `schedule` and a crontab
 * entry, which have no --html-only.
 */
const small = ['--zone', 'taiyuan-jinzhong', '--theme', 'ecology,transport'];
const smallInput: ConfigInput = { zone: ['taiyuan-jinzhong'], theme: ['ecology', 'transport'] };
const jsonLines = (out: string) => out.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
const manifestOf = (out: string) => JSON.parse(readFileSync(path.join(out, 'editions.json'), 'utf8')) as Manifest;
/**
 * Every visible file under an output folder, with its hash, read through the links a reader follows
 * (editions, `latest`); the versions behind them, the lock and temporary names are hidden.
 */
function snapshot(out: string, dir = out): Record<string, string> {
  const files: Record<string, string> = {};
  for (const name of readdirSync(dir)) {
    if (name.startsWith('.')) continue;
    const p = path.join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) Object.assign(files, snapshot(out, p));
    else if (st.isFile()) files[path.relative(out, p)] = sha256File(p);
  }
  return files;
}

/** The configuration of an HTML-only run of the two Taiyuan–Jinzhong briefings into `out`, in the Shanghai time zone. */
const htmlConfig = (out: string, input: ConfigInput = {}) => resolveConfig({ out, tz: 'Asia/Shanghai', htmlOnly: true, ...smallInput, ...input });

/** Effects that keep the log lines, with the clock at `now` (fixed) or the given clock. */
function recording(now: string | (() => Date)): { lines: LogLine[]; effects: ScheduleEffects } {
  const lines: LogLine[] = [];
  const clock = typeof now === 'string' ? () => new Date(now) : now;
  return { lines, effects: { writeFile: writeFileAtomicAsync, log: (l) => void lines.push(l), clock } };
}

const quiet: BuildEffects = { writeFile: writeFileAtomicAsync, log: () => undefined };

describe('briefing schedule --once', () => {
  it('builds the current edition, then skips it while nothing changed, and rebuilds with --force', async () => {
    const out = tempDir('briefing-sched-');
    const config = htmlConfig(out);
    const first = recording('2023-03-01T00:30:00Z');
    expect(await runEdition(config, first.effects, { force: false })).toEqual({ status: 'built', edition: '2023-03' });
    for (const e of first.lines) expect(e.time).toMatch(/^2023-03-01T00:30:00/);
    expect(first.lines.at(-1)).toMatchObject({ event: 'built', edition: '2023-03', briefings: 2 });
    const manifest = manifestOf(out);
    expect(Object.keys(manifest.editions['2023-03']!.files).filter((f) => !f.startsWith('fonts/')).sort()).toEqual(['taiyuan-jinzhong-ecology.html', 'taiyuan-jinzhong-transport.html']);
    expect(manifest.editions['2023-03']!.log.at(-1)).toMatchObject({ event: 'built' });
    // `latest` leads to the edition through the current version, switched with the files and the manifest.
    expect(readlinkSync(path.join(out, 'latest'))).toBe('.current/latest');
    expect(readlinkSync(path.join(out, '.current', 'latest'))).toBe('2023-03');
    expect(realpathSync(path.join(out, 'latest'))).toBe(realpathSync(path.join(out, '2023-03')));
    expect(consistent(outputState(out))).toBe(true);

    const second = recording('2023-03-02T00:30:00Z');
    expect(await runEdition(config, second.effects, { force: false })).toEqual({ status: 'skipped', edition: '2023-03' });
    expect(second.lines).toEqual([expect.objectContaining({ event: 'skipped', edition: '2023-03' })]);

    const forced = recording('2023-03-02T00:30:00Z');
    expect(await runEdition(config, forced.effects, { force: true })).toEqual({ status: 'built', edition: '2023-03' });
    expect(forced.lines.at(-1)).toMatchObject({ event: 'built', edition: '2023-03', briefings: 2 });
  });

  it('takes the edition from the clock in the schedule time zone', async () => {
    const out = tempDir('briefing-sched-');
    // 17:00 UTC on 31 Oct 2022 is 01:00 on 1 Nov in Shanghai.
    const run = recording('2022-10-31T17:00:00Z');
    expect(await runEdition(htmlConfig(out, { zone: ['taixin'], theme: ['ecology'] }), run.effects, { force: false })).toEqual({ status: 'built', edition: '2022-11' });
    expect(run.lines.at(-1)).toMatchObject({ event: 'built', edition: '2022-11' });
  });

  it('fails a run with bad data without touching the previous files or the manifest', async () => {
    const out = tempDir('briefing-sched-');
    expect((await cli(['build', '--html-only', '--out', out, '--edition', '2023-03', ...small])).code).toBe(0);
    const before = snapshot(out);
    const manifestBefore = readFileSync(path.join(out, 'editions.json'), 'utf8');
    const dir = tempDir('briefing-bad-');
    cpSync(path.join(ROOT, 'data'), path.join(dir, 'data'), { recursive: true });
    writeFileSync(path.join(dir, 'data/zones.yaml'), 'zones: [');
    // The command itself: JSON lines on stdout, the edition from --now.
    const r = await cli(['schedule', '--once', '--force', '--out', out, '--now', '2023-03-02T00:30:00Z', '--data', path.join(dir, 'data'), ...small]);
    expect(r.code, r.stderr).toBe(1);
    const lines = jsonLines(r.stdout);
    for (const e of lines) expect(typeof e.time).toBe('string');
    expect(lines.at(-1)).toMatchObject({ level: 'error', event: 'run-failed', edition: '2023-03' });
    expect(snapshot(out)).toEqual(before);
    expect(readFileSync(path.join(out, 'editions.json'), 'utf8')).toBe(manifestBefore);
  });
});

describe('an interrupted or failing build', () => {
  it('leaves no partial file in view and the manifest unchanged when a briefing fails midway', async () => {
    const out = tempDir('briefing-atomic-');
    await buildBriefings(htmlConfig(out, { edition: '2023-03' }), quiet);
    const before = snapshot(out);
    const manifestBefore = readFileSync(path.join(out, 'editions.json'), 'utf8');
    // The second briefing of the run (they are made in data order: transport, then ecology) fails once
    // the first is written into the new version.
    // (The failing write waits for the briefing's other writes, its fonts, to end: one failing while others
    // are in flight makes the run's clean-up fail with ENOTEMPTY instead, a fault of build.ts of its own.)
    const written: string[] = [];
    const inFlight: Promise<void>[] = [];
    const failing: BuildEffects = {
      ...quiet,
      writeFile: async (file, data) => {
        if (file.endsWith('-ecology.html')) {
          await Promise.allSettled(inFlight);
          throw new Error('the disk failed on the second briefing');
        }
        const write = writeFileAtomicAsync(file, data);
        inFlight.push(write);
        await write;
        written.push(path.basename(file));
      },
    };
    await expect(buildBriefings(htmlConfig(out, { edition: '2023-03', force: true }), failing)).rejects.toThrow('the disk failed on the second briefing');
    expect(written).toContain('taiyuan-jinzhong-transport.html');
    expect(snapshot(out)).toEqual(before);
    expect(readFileSync(path.join(out, 'editions.json'), 'utf8')).toBe(manifestBefore);
    expect(leftovers(out)).toEqual([]);
  });

  it('survives being killed outright: old files intact, the unfinished version cleared by the next run', async () => {
    const out = tempDir('briefing-kill-');
    expect((await cli(['build', '--html-only', '--out', out, '--edition', '2023-03', ...small])).code).toBe(0);
    const before = snapshot(out);
    // A run killed outright (kill -9, the OOM killer) once its first briefing is in its new version: the
    // compiled build, as the CLI runs it, with a write that kills its own process after the first draft.
    const dist = (file: string) => JSON.stringify(pathToFileURL(path.join(ROOT, 'dist', file)).href);
    const script = `
      const { buildBriefings } = await import(${dist('build.js')});
      const { resolveConfig } = await import(${dist('config.js')});
      const { writeFileAtomicAsync } = await import(${dist('write.js')});
      const config = resolveConfig(${JSON.stringify({ out, edition: '2023-03', htmlOnly: true, force: true, ...smallInput })});
      await buildBriefings(config, { log: () => {}, writeFile: async (file, data) => {
        await writeFileAtomicAsync(file, data);
        if (file.endsWith('.html')) process.kill(process.pid, 'SIGKILL');
      } });
      console.log('not killed');`;
    const killed = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(killed.signal, killed.stdout + killed.stderr).toBe('SIGKILL');
    expect(snapshot(out)).toEqual(before);
    expect(consistent(outputState(out))).toBe(true);
    expect(leftovers(out)).toEqual(expect.arrayContaining(['.briefing.lock', expect.stringMatching(/^\.versions\/2023-03-\d+$/)]));
    // The lock of the dead process is taken over, and its unfinished version removed.
    const next = await cli(['build', '--html-only', '--out', out, '--edition', '2023-03', ...small]);
    expect(next.stderr).toBe('');
    expect(next.code).toBe(0);
    expect(leftovers(out)).toEqual([]);
    expect(consistent(outputState(out))).toBe(true);
  });

  it('lets one run at a time write to an output folder', async () => {
    const out = tempDir('briefing-lock-');
    // This process holds the folder's lock, as a run in progress does (two real runs racing for it:
    // tests/hostile/held.test.ts, concurrent builds into one --out).
    const lock = acquireLock(out);
    try {
      // In a process of its own: the lock is held by another process, as it would be.
      const second = runCli(['build', '--html-only', '--out', out, '--edition', '2023-03', ...small]);
      expect(second.code).toBe(1);
      expect(second.stderr.trim().split('\n')).toHaveLength(1);
      expect(second.stderr).toMatch(new RegExp(`another briefing run \\(process ${process.pid}, since .*\\) is writing to`));
      expect(readdirSync(out)).toEqual(['.briefing.lock']);
    } finally {
      lock.release();
    }
    // Released, the folder is the next run's.
    expect((await cli(['build', '--html-only', '--out', out, '--edition', '2023-03', ...small])).code).toBe(0);
  });
});

describe('scheduling', () => {
  it('builds on the cron schedule in the foreground and stops cleanly on Ctrl-C', async () => {
    const out = tempDir('briefing-loop-');
    // --catch-up builds the edition of the schedule's last run (this month's, on the 1st at 08:00) at once;
    // the next run is weeks away. Ctrl-C once it is built.
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/briefing.js'), 'schedule', '--cron', '0 8 1 * *', '--catch-up', '--out', out, '--zone', 'taiyuan-jinzhong', '--theme', 'ecology'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (/"event":"built"/.test(stdout)) resolve();
      });
      void exited.then((code) => reject(new Error(`schedule exited (${code}) before building:\n${stdout}`)));
    });
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    const events = jsonLines(stdout);
    expect(events[0]).toMatchObject({ event: 'catch-up' });
    expect(events.map((e) => e.event)).toContain('scheduler-started');
    expect(events.find((e) => e.event === 'built')).toMatchObject({ edition: events[0]!.edition, briefings: 1 });
    expect(leftovers(out)).toEqual([]);
    expect(consistent(outputState(out))).toBe(true);
  });

  it('runs at each tick of its cron expression, a missed run caught up at once and the next tick finding it built', async () => {
    // The clock (Date, which croner reads too) starts two seconds before a minute and runs with real time:
    // the every-minute schedule's first tick comes two seconds later.
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true, now: new Date('2023-03-15T00:00:58Z') });
    try {
      const out = tempDir('briefing-ticks-');
      const lines: LogLine[] = [];
      const waiting = new Map<string, () => void>();
      const logged = (event: string) => new Promise<void>((resolve) => (lines.some((l) => l.event === event) ? resolve() : waiting.set(event, resolve)));
      const scheduler = startScheduler(htmlConfig(out, { theme: ['ecology'] }), {
        writeFile: writeFileAtomicAsync,
        log: (l) => {
          lines.push(l);
          waiting.get(l.event)?.();
        },
        clock: () => new Date(),
      }, { cron: '* * * * *', force: false, catchUp: true });
      await logged('next-run');
      scheduler.stop();
      await scheduler.done;
      expect(lines.map((l) => l.event).filter((e) => e !== 'html')).toEqual(['catch-up', 'scheduler-started', 'built', 'skipped', 'next-run']);
      expect(lines[0]).toMatchObject({ edition: '2023-03' });
      expect(lines[1]).toMatchObject({ next: '2023-03-15T00:01:00.000Z' });
      expect(lines.find((l) => l.event === 'skipped')).toMatchObject({ edition: '2023-03' });
      expect(lines.at(-1)).toMatchObject({ at: '2023-03-15T00:02:00.000Z' });
      expect(leftovers(out)).toEqual([]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('knows which edition a missed run was for', () => {
    const out = tempDir('briefing-missed-');
    const config = resolveConfig({ out, tz: 'Asia/Shanghai' });
    const cron = new Cron('0 8 1 * *', { timezone: 'Asia/Shanghai', paused: true });
    // On 15 Nov the run of 1 Nov 08:00 (Shanghai) is the last one due.
    expect(missedEdition(cron, config, new Date('2022-11-15T00:00:00Z'))).toBe('2022-11');
    // Before 08:00 Shanghai on 1 Dec, November's run is still the last due.
    expect(missedEdition(cron, config, new Date('2022-11-30T23:00:00Z'))).toBe('2022-11');
    mkdirSync(out, { recursive: true });
    writeFileSync(path.join(out, 'editions.json'), JSON.stringify({ editions: { '2022-11': { builtAt: '', inputHash: '', files: {}, log: [] } } }));
    expect(missedEdition(cron, config, new Date('2022-11-15T00:00:00Z'))).toBeUndefined();
  });

  it('prints a crontab entry whose command builds when run', async () => {
    const out = tempDir('briefing-cron-');
    const r = await cli(['schedule', '--print-crontab', '--out', out, '--zone', 'taiyuan-jinzhong', '--theme', 'ecology']);
    const entry = r.stdout.split('\n').find((l) => /^\S+ \S+ \S+ \S+ \S+ /.test(l) && !l.startsWith('#') && !l.startsWith('CRON_TZ'))!;
    expect(r.stdout).toContain('CRON_TZ=Asia/Shanghai');
    const fields = entry.split(' ').slice(0, 5).join(' ');
    expect(fields).toBe('0 8 1 * *');
    expect(new Cron(fields, { paused: true }).nextRun()).toBeInstanceOf(Date);
    const command = entry.split(' ').slice(5).join(' ');
    expect(spawnSync('sh', ['-c', command], { cwd: '/' }).status).toBe(0);
    const edition = readdirSync(out).find((d) => /^\d{4}-\d{2}$/.test(d))!;
    expect(readdirSync(path.join(out, edition))).toEqual(['fonts', 'taiyuan-jinzhong-ecology.html', 'taiyuan-jinzhong-ecology.pdf']);
    expect(readFileSync(path.join(out, 'schedule.log'), 'utf8')).toMatch(/taiyuan-jinzhong-ecology\.pdf {2}\d+ pages/);
  });

  it('prints systemd units with the schedule as their calendar and the same command', async () => {
    const r = await cli(['schedule', '--print-systemd', '--cron', '30 7 * * 1-5']);
    expect(r.stdout).toContain('[Service]\nType=oneshot');
    expect(r.stdout).toMatch(/ExecStart=\S+node \S+bin\/briefing\.js build --out \S+ --tz Asia\/Shanghai/);
    const calendar = /OnCalendar=(.*)/.exec(r.stdout)![1]!;
    expect(calendar).toBe('Mon..Fri *-*-* 07:30:00 Asia/Shanghai');
    expect(cronToOnCalendar('0 8 1 * *', 'Asia/Shanghai')).toBe('*-*-01 08:00:00 Asia/Shanghai');
    expect(cronToOnCalendar('*/15 9-17 * 1,7 *', 'UTC')).toBe('*-01,07-* 09..17:00/15:00 UTC');
  });

  // systemd-analyze is not on every machine: skipped, and shown as skipped, where it is missing.
  it.skipIf(spawnSync('systemd-analyze', ['--version']).error)('prints a calendar systemd-analyze accepts', async () => {
    const calendar = /OnCalendar=(.*)/.exec((await cli(['schedule', '--print-systemd', '--cron', '30 7 * * 1-5'])).stdout)![1]!;
    const check = spawnSync('systemd-analyze', ['calendar', calendar], { encoding: 'utf8' });
    expect(check.status, check.stderr).toBe(0);
  });
});

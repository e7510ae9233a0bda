import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, readdirSync, readlinkSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Cron } from 'croner';
import { ROOT, runCli, tempDir } from '../helpers/cli.js';
import { cronToOnCalendar, missedEdition } from '../../src/cron.js';
import { resolveConfig } from '../../src/config.js';
import { sha256File, type Manifest } from '../../src/editions/manifest.js';
import { consistent, leftovers, outputState } from './output-state.js';

const small = ['--zone', 'taiyuan-jinzhong', '--theme', 'ecology,transport'];
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

describe('briefing schedule --once', () => {
  it('builds the current edition, then skips it while nothing changed, and rebuilds with --force', () => {
    const out = tempDir('briefing-sched-');
    const first = runCli(['schedule', '--once', '--out', out, '--now', '2023-03-01T00:30:00Z', ...small]);
    expect(first.code).toBe(0);
    const events = jsonLines(first.stdout);
    for (const e of events) expect(typeof e.time).toBe('string');
    expect(events.at(-1)).toMatchObject({ event: 'built', edition: '2023-03', briefings: 2 });
    const manifest = manifestOf(out);
    expect(Object.keys(manifest.editions['2023-03']!.files).filter((f) => !f.startsWith('fonts/')).sort()).toEqual([
      'taiyuan-jinzhong-ecology.html', 'taiyuan-jinzhong-ecology.pdf', 'taiyuan-jinzhong-transport.html', 'taiyuan-jinzhong-transport.pdf',
    ]);
    expect(manifest.editions['2023-03']!.files['taiyuan-jinzhong-ecology.pdf']!.pages).toBeGreaterThanOrEqual(3);
    expect(manifest.editions['2023-03']!.log.at(-1)).toMatchObject({ event: 'built' });
    // `latest` leads to the edition through the current version, switched with the files and the manifest.
    expect(readlinkSync(path.join(out, 'latest'))).toBe('.current/latest');
    expect(readlinkSync(path.join(out, '.current', 'latest'))).toBe('2023-03');
    expect(realpathSync(path.join(out, 'latest'))).toBe(realpathSync(path.join(out, '2023-03')));
    expect(consistent(outputState(out))).toBe(true);

    const second = runCli(['schedule', '--once', '--out', out, '--now', '2023-03-02T00:30:00Z', ...small]);
    expect(second.code).toBe(0);
    expect(jsonLines(second.stdout)).toEqual([expect.objectContaining({ event: 'skipped', edition: '2023-03' })]);

    const forced = runCli(['schedule', '--once', '--force', '--out', out, '--now', '2023-03-02T00:30:00Z', ...small]);
    expect(jsonLines(forced.stdout).at(-1)).toMatchObject({ event: 'built' });
  });

  it('takes the edition from the clock in the schedule time zone', () => {
    const out = tempDir('briefing-sched-');
    // 17:00 UTC on 31 Oct 2022 is 01:00 on 1 Nov in Shanghai.
    const r = runCli(['schedule', '--once', '--out', out, '--now', '2022-10-31T17:00:00Z', '--zone', 'taixin', '--theme', 'ecology']);
    expect(jsonLines(r.stdout).at(-1)).toMatchObject({ event: 'built', edition: '2022-11' });
  });

  it('fails a run with bad data without touching the previous files or the manifest', () => {
    const out = tempDir('briefing-sched-');
    expect(runCli(['schedule', '--once', '--out', out, '--now', '2023-03-01T00:30:00Z', ...small]).code).toBe(0);
    const before = snapshot(out);
    const manifestBefore = readFileSync(path.join(out, 'editions.json'), 'utf8');
    const dir = tempDir('briefing-bad-');
    cpSync(path.join(ROOT, 'data'), path.join(dir, 'data'), { recursive: true });
    writeFileSync(path.join(dir, 'data/zones.yaml'), 'zones: [');
    const r = runCli(['schedule', '--once', '--force', '--out', out, '--now', '2023-03-02T00:30:00Z', '--data', path.join(dir, 'data'), ...small]);
    expect(r.code).toBe(1);
    expect(jsonLines(r.stdout).at(-1)).toMatchObject({ level: 'error', event: 'run-failed' });
    expect(snapshot(out)).toEqual(before);
    expect(readFileSync(path.join(out, 'editions.json'), 'utf8')).toBe(manifestBefore);
  });
});

describe('an interrupted or failing build', () => {
  it('leaves no partial file in view and the manifest unchanged when a print fails midway', () => {
    const out = tempDir('briefing-atomic-');
    expect(runCli(['build', '--out', out, '--edition', '2023-03', ...small]).code).toBe(0);
    const before = snapshot(out);
    const manifestBefore = readFileSync(path.join(out, 'editions.json'), 'utf8');
    // The second briefing of the run (themes print in data order: transport, then ecology) breaks a
    // layout rule after the first has printed into staging.
    const dir = tempDir('briefing-templates-');
    cpSync(path.join(ROOT, 'templates'), path.join(dir, 'templates'), { recursive: true });
    const css = path.join(dir, 'templates/styles/print.css');
    writeFileSync(css, `${readFileSync(css, 'utf8')}\n#fact-tj-heavy-pollution-days-cut { width: 300mm; }\n`);
    const r = runCli(['build', '--out', out, '--edition', '2023-03', '--templates', path.join(dir, 'templates'), '--zone', 'taiyuan-jinzhong', '--theme', 'ecology,transport']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('taiyuan-jinzhong-transport.pdf');
    expect(r.stderr).toContain('layout: #fact-tj-heavy-pollution-days-cut');
    expect(snapshot(out)).toEqual(before);
    expect(readFileSync(path.join(out, 'editions.json'), 'utf8')).toBe(manifestBefore);
    expect(leftovers(out)).toEqual([]);
  });

  it('survives being killed outright: old files intact, the unfinished version cleared by the next run', async () => {
    const out = tempDir('briefing-kill-');
    expect(runCli(['build', '--out', out, '--edition', '2023-03', ...small]).code).toBe(0);
    const before = snapshot(out);
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/briefing.js'), 'build', '--out', out, '--edition', '2023-03'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    await new Promise<void>((resolve) => child.stdout.on('data', (d: Buffer) => /\.pdf {2}\d+ pages/.test(d.toString()) && resolve()));
    const browsers = execFileSync('pgrep', ['-P', String(child.pid)], { encoding: 'utf8' }).trim().split('\n');
    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('exit', resolve));
    for (const pid of browsers) spawnSync('kill', ['-9', pid]);
    expect(snapshot(out)).toEqual(before);
    expect(consistent(outputState(out))).toBe(true);
    expect(leftovers(out)).toEqual(expect.arrayContaining(['.briefing.lock', expect.stringMatching(/^\.versions\/2023-03-\d+$/)]));
    // The lock of the dead process is taken over, and its unfinished version removed.
    const next = runCli(['build', '--out', out, '--edition', '2023-03', ...small]);
    expect(next.stderr).toBe('');
    expect(next.code).toBe(0);
    expect(leftovers(out)).toEqual([]);
    expect(consistent(outputState(out))).toBe(true);
  });

  it('lets one run at a time write to an output folder', async () => {
    const out = tempDir('briefing-lock-');
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/briefing.js'), 'build', '--out', out, '--edition', '2023-03', '--verbose'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    // The lock is taken before the browser starts; the full build runs for several more seconds.
    await new Promise<void>((resolve) => child.stdout.on('data', (d: Buffer) => /browser: /.test(d.toString()) && resolve()));
    const second = runCli(['build', '--out', out, '--edition', '2023-03', ...small]);
    expect(second.code).toBe(1);
    expect(second.stderr.trim().split('\n')).toHaveLength(1);
    expect(second.stderr).toMatch(new RegExp(`another briefing run \\(process ${child.pid}, since .*\\) is writing to`));
    expect(await new Promise((resolve) => child.on('exit', resolve))).toBe(0);
  });
});

describe('scheduling', () => {
  it('builds on the cron schedule in the foreground and stops cleanly on Ctrl-C', { timeout: 150_000 }, async () => {
    const out = tempDir('briefing-loop-');
    // Every minute (five fields; there is no seconds field): --catch-up builds the edition of the last
    // minute's missed run at once, and the next tick, within a minute, finds it built.
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/briefing.js'), 'schedule', '--cron', '* * * * *', '--catch-up', '--out', out, '--zone', 'taiyuan-jinzhong', '--theme', 'ecology'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    await new Promise<void>((resolve) => child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (/"event":"skipped"/.test(stdout)) resolve();
    }));
    child.kill('SIGINT');
    await new Promise((resolve) => child.on('exit', resolve));
    const events = jsonLines(stdout).map((e) => e.event);
    expect(events[0]).toBe('catch-up');
    expect(events).toContain('scheduler-started');
    expect(events).toContain('built');
    expect(events.indexOf('skipped')).toBeGreaterThan(events.indexOf('built'));
    expect(leftovers(out)).toEqual([]);
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

  it('prints a crontab entry whose command builds when run', () => {
    const out = tempDir('briefing-cron-');
    const r = runCli(['schedule', '--print-crontab', '--out', out, '--zone', 'taiyuan-jinzhong', '--theme', 'ecology']);
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

  it('prints systemd units with a calendar systemd accepts and the same command', () => {
    const r = runCli(['schedule', '--print-systemd', '--cron', '30 7 * * 1-5']);
    expect(r.stdout).toContain('[Service]\nType=oneshot');
    expect(r.stdout).toMatch(/ExecStart=\S+node \S+bin\/briefing\.js build --out \S+ --tz Asia\/Shanghai/);
    const calendar = /OnCalendar=(.*)/.exec(r.stdout)![1]!;
    expect(calendar).toBe('Mon..Fri *-*-* 07:30:00 Asia/Shanghai');
    expect(cronToOnCalendar('0 8 1 * *', 'Asia/Shanghai')).toBe('*-*-01 08:00:00 Asia/Shanghai');
    expect(cronToOnCalendar('*/15 9-17 * 1,7 *', 'UTC')).toBe('*-01,07-* 09..17:00/15:00 UTC');
    const check = spawnSync('systemd-analyze', ['calendar', calendar], { encoding: 'utf8' });
    if (check.error) return; // systemd-analyze is not on every machine
    expect(check.status, check.stderr).toBe(0);
  });
});

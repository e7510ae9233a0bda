/**
 * The versioned output folder (src/editions/layout.ts): readers resolving `.current` once see one whole
 * version while runs switch versions under them; an output folder written before versions is read as it
 * is, and converted by the next run without losing or mixing a file, whatever step that conversion fails at.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, realpathSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildBriefings } from '../../src/build.js';
import { resolveConfig } from '../../src/config.js';
import { filesIn, readManifestAt, sha256File } from '../../src/editions/manifest.js';
import { abortAllRuns, stageRun } from '../../src/editions/output.js';
import { writeFileAtomicAsync } from '../../src/write.js';
import { ROOT, cli as inProcess, tempDir } from '../helpers/cli.js';
import { consistent, leftovers, outputState, sameState } from './output-state.js';

const NOW = '2023-05-31T08:00:00Z';
const cliArgs = (out: string, edition: string, more: string[] = [], now = NOW) => [
  path.join(ROOT, 'bin/briefing.js'), 'build', '--out', out, '--edition', edition, '--now', now, '--html-only', ...more,
];
const cli = (out: string, edition: string, more: string[] = [], env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, cliArgs(out, edition, more), { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 120_000 });
const pair = ['--zone', 'taiyuan-jinzhong', '--theme', 'transport,ecology'];
/**
 * `cli` without a process of its own, for the runs whose output is not what a test is about (the folders
 * it starts from, a run after a kill): the same configuration, the same bytes; it fails on a warning too,
 * as the CLI would print one.
 */
async function build(out: string, edition: string, input: { zone: string[]; theme: string[] } = { zone: ['taiyuan-jinzhong'], theme: ['transport', 'ecology'] }) {
  const problems: string[] = [];
  await buildBriefings(resolveConfig({ root: ROOT, out, edition, now: NOW, htmlOnly: true, ...input }), { writeFile: writeFileAtomicAsync, log: (l) => void (l.level !== 'info' && problems.push(JSON.stringify(l))) });
  expect(problems).toEqual([]);
}

describe('readers of a versioned output folder', () => {
  it('see one whole version at every moment while runs switch versions', { timeout: 120_000 }, async () => {
    const out = tempDir('briefing-readers-');
    await build(out, '2023-03');
    // Three runs in a row, each changing both briefings (their cover shows the build time): three switches
    // and three old versions removed while the reader below reads.
    const runs = (async () => {
      for (let i = 0; i < 3; i++) {
        const child = spawn(process.execPath, cliArgs(out, '2023-03', [...pair, '--force'], `2023-05-0${i + 1}T08:00:00Z`), { cwd: ROOT, stdio: 'ignore' });
        expect(await new Promise((resolve) => child.on('exit', resolve))).toBe(0);
      }
    })();
    let running = true;
    void runs.finally(() => (running = false));
    const seen = new Set<string>();
    let observations = 0;
    while (running) {
      await new Promise((resolve) => setImmediate(resolve));
      // The way to read one version: resolve `.current` once, read everything under it.
      let root: string;
      try {
        root = realpathSync(path.join(out, '.current'));
      } catch {
        continue;
      }
      try {
        const record = readManifestAt(root).editions['2023-03']!;
        const files = filesIn(path.join(root, '2023-03'));
        expect(files).toEqual(Object.keys(record.files).sort());
        for (const f of files) expect(sha256File(path.join(root, '2023-03', f)), f).toBe(record.files[f]!.sha256);
        expect(readlinkSync(path.join(root, 'latest'))).toBe('2023-03');
        seen.add(record.files['taiyuan-jinzhong-ecology.html']!.sha256);
        observations++;
      } catch (e) {
        // A version removed while it was being read (it was replaced: its files vanish one by one, or all
        // at once): read the new one. A version still current must have been whole.
        let now = '';
        try {
          now = realpathSync(path.join(out, '.current'));
        } catch {
          // Between two links: replaced all the same.
        }
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT' && now === root) throw e;
      }
    }
    await runs;
    expect(observations).toBeGreaterThan(20);
    expect(seen.size).toBeGreaterThanOrEqual(2);
    expect(consistent(outputState(out))).toBe(true);
    expect(leftovers(out)).toEqual([]);
  });
});

describe('an output folder written before versions', () => {
  let modern: string;

  beforeAll(async () => {
    modern = tempDir('briefing-modern-');
    await build(modern, '2022-11', { zone: ['taixin'], theme: ['transport'] });
    await build(modern, '2023-03');
  });

  /** The same editions as plain folders, editions.json a file and `latest` a link to the folder, as builds wrote them before. */
  function legacyCopy(): string {
    const out = tempDir('briefing-legacy-');
    for (const e of ['2022-11', '2023-03']) cpSync(realpathSync(path.join(modern, e)), path.join(out, e), { recursive: true, dereference: true });
    writeFileSync(path.join(out, 'editions.json'), readFileSync(path.join(modern, 'editions.json')));
    symlinkSync('2023-03', path.join(out, 'latest'));
    return out;
  }

  it('is read as it is: a run with nothing to do finds it up to date, and converts it', async () => {
    const out = legacyCopy();
    const before = outputState(out);
    expect(consistent(before)).toBe(true);
    const r = await inProcess(['build', '--out', out, '--edition', '2023-03', '--now', NOW, '--html-only', ...pair]);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('0 briefings, 2 unchanged, edition 2023-03');
    expect(lstatSync(path.join(out, '2023-03')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(path.join(out, 'editions.json'))).toBe('.current/editions.json');
    expect(sameState(outputState(out), before)).toBe(true);
    expect(leftovers(out)).toEqual([]);
  });

  it('half-committed (a file that is not the one recorded): the record is made from the files, and that briefing rebuilt', async () => {
    const out = legacyCopy();
    const file = path.join(out, '2023-03', 'taiyuan-jinzhong-ecology.html');
    writeFileSync(file, `${readFileSync(file, 'utf8')}<!-- half new -->`);
    const r = await inProcess(['build', '--out', out, '--edition', '2023-03', '--now', NOW, '--html-only', ...pair]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^1 briefings, 0 pages, 1 unchanged, edition 2023-03/m);
    const after = outputState(out);
    expect(consistent(after)).toBe(true);
    expect(readFileSync(file, 'utf8')).not.toContain('half new');
    // Everything else carried over as it was. (The rebuilt page itself may differ from the first build's in
    // its charts' clip-path ids, which Vega numbers per process.)
    const { 'taiyuan-jinzhong-ecology.html': rebuilt, ...rest } = after.files['2023-03']!;
    const { 'taiyuan-jinzhong-ecology.html': _, ...restBefore } = outputState(modern).files['2023-03']!;
    expect(rebuilt).toBeDefined();
    expect(rest).toEqual(restBefore);
    expect(after.files['2022-11']).toEqual(outputState(modern).files['2022-11']);
    expect(leftovers(out)).toEqual([]);
  });

  it('is converted whole or not at all, whatever step fails', async () => {
    const expected = outputState(modern);
    const steps: string[] = [];
    const run = (out: string, faultAt?: (step: string, what: string) => void) =>
      // --force: a run with nothing to do would convert the folder too, but as housekeeping whose failure is not the run's.
      buildBriefings(resolveConfig({ out, edition: '2023-03', now: NOW, htmlOnly: true, force: true, zone: ['taiyuan-jinzhong'], theme: ['transport', 'ecology'] }), { writeFile: writeFileAtomicAsync, log: () => undefined, ...(faultAt ? { faultAt } : {}) });
    await run(legacyCopy(), (step, what) => void (step === 'tidy' && steps.push(what)));
    expect(steps.length).toBeGreaterThan(8);
    for (let i = 0; i < steps.length; i++) {
      const out = legacyCopy();
      let n = 0;
      await expect(run(out, (step) => {
        if (step === 'tidy' && n++ === i) throw new Error(`injected at ${steps[i]}`);
      })).rejects.toThrow(`injected at ${steps[i]}`);
      expect(consistent(outputState(out)), steps[i]).toBe(true);
      expect(sameState(outputState(out), expected), steps[i]).toBe(true);
      await run(out);
      expect(sameState(outputState(out), expected), `${steps[i]}, then a run`).toBe(true);
      expect(leftovers(out), `${steps[i]}, then a run`).toEqual([]);
    }
  });

  it('killed while being converted, is converted by the next run', async () => {
    for (const at of ['tidy:1', 'tidy:8', 'tidy:10']) {
      const out = legacyCopy();
      const r = cli(out, '2023-03', pair, { BRIEFING_TEST_KILL_AT: at });
      expect(r.signal, at).toBe('SIGKILL');
      expect(consistent(outputState(out)), at).toBe(true);
      await build(out, '2023-03');
      expect(sameState(outputState(out), outputState(modern)), at).toBe(true);
      expect(leftovers(out), at).toEqual([]);
    }
  });
});

describe('leftovers', () => {
  it('a link made for a switch that never came is removed by the next run, even one with nothing to do', async () => {
    const out = tempDir('briefing-dangling-');
    await build(out, '2023-03');
    const r = cli(out, '2023-05', pair, { BRIEFING_TEST_KILL_AT: 'switch' });
    expect(r.signal).toBe('SIGKILL');
    // 2023-05's link leads nowhere; readers see 2023-03 only, and the lock of the dead run.
    expect(existsSync(path.join(out, '2023-05'))).toBe(false);
    expect(lstatSync(path.join(out, '2023-05')).isSymbolicLink()).toBe(true);
    expect(Object.keys(outputState(out).files)).toEqual(['2023-03']);
    const next = cli(out, '2023-03', pair);
    expect(next.stdout.trim()).toBe('0 briefings, 2 unchanged, edition 2023-03');
    expect(readdirSync(out).sort()).toEqual(['.current', '.versions', '2023-03', 'editions.json', 'latest']);
    expect(leftovers(out)).toEqual([]);
  });

  it('of a first run killed at its switch are removed by the next, and nothing was in view meanwhile', async () => {
    const out = tempDir('briefing-first-');
    const r = cli(out, '2023-03', pair, { BRIEFING_TEST_KILL_AT: 'switch' });
    expect(r.signal).toBe('SIGKILL');
    expect(outputState(out)).toEqual({ files: {}, manifest: {}, latest: undefined });
    expect(leftovers(out).sort()).toEqual(['.briefing.lock', '.versions', '2023-03', 'editions.json', 'latest']);
    await build(out, '2023-03');
    expect(consistent(outputState(out))).toBe(true);
    expect(Object.keys(outputState(out).files)).toEqual(['2023-03']);
    expect(leftovers(out)).toEqual([]);
  });

  it('a version removed by hand: the folder is built afresh', async () => {
    const out = tempDir('briefing-broken-');
    await build(out, '2023-03');
    rmSync(path.join(out, '.versions'), { recursive: true });
    const r = await inProcess(['build', '--out', out, '--edition', '2023-03', '--now', NOW, '--html-only', ...pair]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^2 briefings/m);
    expect(consistent(outputState(out))).toBe(true);
    expect(leftovers(out)).toEqual([]);
  });

  it('of a run that stopped while a write was still adding files to its staging folder: the stop is not turned into an error, and the next run removes them', async () => {
    const out = tempDir('briefing-aborted-');
    await build(out, '2023-03');
    const staging = stageRun(out, '2023-03');
    const dir = path.dirname(staging.staged('x'));
    // A writer that never stops adding files, as a font subset written off the main thread when a signal
    // ended the run (it made `rm` fail with ENOTEMPTY, thrown from the exit handler as a stack trace).
    const writer = spawn(process.execPath, ['-e', `const fs = require('fs'); for (let i = 0; ; i++) try { fs.writeFileSync(${JSON.stringify(dir)} + '/f' + i, 'x'); } catch {}`], { stdio: 'ignore' });
    try {
      for (const t0 = Date.now(); readdirSync(dir).length < 50 && Date.now() - t0 < 10_000; ) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(() => staging.abort()).not.toThrow();
      expect(() => abortAllRuns()).not.toThrow();
    } finally {
      writer.kill('SIGKILL');
      await new Promise((resolve) => writer.on('exit', resolve));
    }
    expect(cli(out, '2023-03', pair).stdout.trim()).toBe('0 briefings, 2 unchanged, edition 2023-03');
    expect(leftovers(out)).toEqual([]);
  });

  it('are left alone while another run holds the lock', async () => {
    const out = tempDir('briefing-held-');
    await build(out, '2023-03');
    const stray = path.join(out, '.versions', '2023-03-99');
    mkdirSync(stray);
    // A live process (this one) holds the lock: a run with nothing to do must not touch the folder.
    writeFileSync(path.join(out, '.briefing.lock'), JSON.stringify({ pid: process.pid, since: new Date().toISOString() }));
    expect(cli(out, '2023-03', pair).stdout.trim()).toBe('0 briefings, 2 unchanged, edition 2023-03');
    expect(existsSync(stray)).toBe(true);
    writeFileSync(path.join(out, '.briefing.lock'), JSON.stringify({ pid: 999_999_999, since: new Date().toISOString() }));
    expect(cli(out, '2023-03', pair).stdout.trim()).toBe('0 briefings, 2 unchanged, edition 2023-03');
    expect(existsSync(stray)).toBe(false);
    expect(leftovers(out)).toEqual([]);
  });
});

describe('a run with nothing to do', () => {
  it('trusts a file whose size, time and inode are as recorded, and hashes any other', async () => {
    const out = tempDir('briefing-stats-');
    const run = (more: string[] = []) => inProcess(['build', '--out', out, '--edition', '2023-03', '--now', NOW, '--html-only', ...pair, ...more]);
    expect((await run()).code).toBe(0);
    const stats = path.join(out, '.current', '.stats.json');
    const html = path.join(out, '2023-03', 'taiyuan-jinzhong-transport.html');
    // Kept in the root beside editions.json, never in an edition folder a reader copies.
    expect(Object.keys(JSON.parse(readFileSync(stats, 'utf8')) as object)).toEqual(['2023-03']);
    expect(readdirSync(path.join(out, '2023-03')).filter((n) => n.startsWith('.'))).toEqual([]);
    // Touched only: hashed, the same content, nothing to do.
    utimesSync(html, new Date(), new Date());
    expect((await run()).stdout).toBe('0 briefings, 2 unchanged, edition 2023-03\n');
    // Changed in place to the same size: hashed, and made again.
    const text = readFileSync(html, 'utf8');
    writeFileSync(html, text.replace('</html>', '</HTML>'));
    expect((await run()).stdout).toMatch(/\/taiyuan-jinzhong-transport\.html {2}html .*\n1 briefings, 0 pages, 1 unchanged, edition 2023-03, /);
    // A torn stats file: every file hashed, nothing to do.
    writeFileSync(path.join(out, '.current', '.stats.json'), '{"2023-03": ');
    expect((await run()).stdout).toBe('0 briefings, 2 unchanged, edition 2023-03\n');
    // The stats are what a run goes by: recorded for a file changed since (as no run would record them), they
    // hide the change; the same change is found once they are gone.
    const fresh = path.join(out, '2023-03', 'taiyuan-jinzhong-transport.html');
    const before = JSON.parse(readFileSync(path.join(out, '.current', 'editions.json'), 'utf8')) as { editions: Record<string, { files: Record<string, { sha256: string }> }> };
    writeFileSync(fresh, readFileSync(fresh, 'utf8').replace('</html>', '</HTML>'));
    const st = statSync(fresh, { bigint: true });
    const fooled = { '2023-03': { 'taiyuan-jinzhong-transport.html': { stat: `${st.size}:${st.mtimeNs}:${st.ino}`, sha256: before.editions['2023-03']!.files['taiyuan-jinzhong-transport.html']!.sha256 } } };
    writeFileSync(path.join(out, '.current', '.stats.json'), JSON.stringify(fooled));
    expect((await run()).stdout).toBe('0 briefings, 2 unchanged, edition 2023-03\n');
    rmSync(path.join(out, '.current', '.stats.json'));
    expect((await run()).stdout).toMatch(/\n1 briefings, 0 pages, 1 unchanged, edition 2023-03, /);
  });
});

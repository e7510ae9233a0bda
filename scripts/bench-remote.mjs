#!/usr/bin/env node
/**
 * npm run bench:remote: `briefing build` on a pool of 1, 2 and 3 remote browsers (--browser-ws), PDFs
 * per second, and what each briefing costs the coordinator (this machine's Node process) and the browsers.
 *
 * The browsers are Chromium headless shells started here on loopback ports, as a container image would
 * start them (--remote-debugging-port, --remote-debugging-address, --no-sandbox, --user-data-dir: no
 * project flag), so every endpoint shares this machine's cores: the rows show what the pool costs and
 * that it spreads work, not how a pool of machines scales (see docs/deployment.md for that reading).
 * Set BENCH_REMOTE_ENDPOINTS (comma-separated) to measure running browsers elsewhere instead: the rows
 * are then 1…N of those (their CPU is not measured).
 *
 * Each row: a cold `briefing build` (a new output folder, the CLI as a user runs it, spawn to exit) of
 * BENCH_REMOTE_ZONES zones × 4 themes (default 20: 80 briefings of 4 pages, tests/bench/gen-scale-data.mjs)
 * with --concurrency BENCH_REMOTE_CONCURRENCY (default 2) on each endpoint; rows measured in turns, the
 * median of BENCH_REPEAT runs (default 3). Node CPU: user + system time of the CLI process (bash's
 * `times`), start-up included. Chromium CPU: the shells' process trees, from /proc, before and after.
 * The coordinator's own ceiling: its Node CPU per briefing without start-up, from a build of one zone
 * (4 briefings) on one endpoint beside the full one, (CPU(all) − CPU(one zone)) / (briefings − 4); one
 * core of Node work per briefing caps a coordinator at 1 / that many PDFs per second, however many
 * browsers it drives.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateScaleData } from '../tests/bench/gen-scale-data.mjs';
import { descendants } from './proc.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin/briefing.js');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'briefing-bench-remote-'));
const REPEAT = Number(process.env.BENCH_REPEAT ?? 3);
const ZONES = Number(process.env.BENCH_REMOTE_ZONES ?? 20);
const CONCURRENCY = Number(process.env.BENCH_REMOTE_CONCURRENCY ?? 2);
const GIVEN = (process.env.BENCH_REMOTE_ENDPOINTS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
const SHELL = ['/usr/lib/chromium/chromium-headless-shell', '/usr/bin/chromium-headless-shell'].find((p) => existsSync(p));
const TICK = 100; // clock ticks per second (USER_HZ), as Linux reports CPU time in /proc
const EDITION = ['--edition', '2023-03', '--now', '2023-03-31T08:00:00Z'];

// ---------------------------------------------------------------------------------------------------
// The browsers: headless shells started here, and their CPU time from /proc.

/** A headless shell with only the flags a container would give it; resolves with its DevTools URL. */
function startShell() {
  const profile = mkdtempSync(path.join(tmp, 'profile-'));
  const child = spawn(SHELL, ['--remote-debugging-port=0', '--remote-debugging-address=127.0.0.1', '--no-sandbox', `--user-data-dir=${profile}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr.on('data', (d) => {
      err += d;
      const m = /DevTools listening on (ws:\/\/\S+)/.exec(err);
      if (m) resolve({ child, ws: m[1] });
    });
    child.on('exit', () => reject(new Error(`the headless shell exited: ${err}`)));
  });
}


/** CPU seconds of a process tree so far: each live process's own time and that of its children it has reaped. */
function treeCpu(pid) {
  let ticks = 0;
  for (const p of [pid, ...descendants(pid)]) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime, stime, cutime, cstime: fields 14–17, here 11–14 after the name.
      ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
    } catch {
      // gone meanwhile: its time went to its parent's reaped children
    }
  }
  return ticks / TICK;
}

// ---------------------------------------------------------------------------------------------------
// One build: wall time, and the CPU of the CLI process (bash's `times`: the shell's, then its children's).

function build(endpoints, out, data) {
  const args = [BIN, 'build', '--out', out, '--data', data, ...EDITION, '--concurrency', String(CONCURRENCY), '--browser-ws', endpoints.join(',')];
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/bash', ['-c', '"$0" "$@" >/dev/null || exit $?; times', process.execPath, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => {
      const ms = performance.now() - t0;
      if (code !== 0) return reject(new Error(`build on ${endpoints.length} endpoint(s) failed (exit ${code}): ${stderr}`));
      const seconds = (t) => Number(/(\d+)m([\d.]+)s/.exec(t)[1]) * 60 + Number(/(\d+)m([\d.]+)s/.exec(t)[2]);
      const [user, sys] = stdout.trim().split('\n').at(-1).split(/\s+/);
      resolve({ ms, nodeCpu: seconds(user) + seconds(sys) });
    });
  });
}

// ---------------------------------------------------------------------------------------------------

if (!GIVEN.length && !SHELL) {
  console.error('bench:remote: no Chromium headless shell here (apt-get install chromium-headless-shell), and no BENCH_REMOTE_ENDPOINTS');
  process.exit(1);
}
const shells = GIVEN.length ? [] : await Promise.all([startShell(), startShell(), startShell()]);
const endpoints = GIVEN.length ? GIVEN : shells.map((s) => s.ws);
const counts = endpoints.map((_, i) => i + 1);
const docs = ZONES * 4;
try {
  console.error(`bench:remote: ${ZONES} zones × 4 themes, ${counts.join(', ')} endpoint(s), ${REPEAT} run(s) each…`);
  const data = generateScaleData(path.join(tmp, 'scale'), ZONES);
  const small = generateScaleData(path.join(tmp, 'small'), 1);
  const runs = new Map(counts.map((n) => [n, []]));
  const smallRuns = [];
  for (let r = 0; r < REPEAT; r++) {
    const out = path.join(tmp, `out-small-${r}`);
    smallRuns.push(await build(endpoints.slice(0, 1), out, small));
    rmSync(out, { recursive: true, force: true });
    for (const n of counts) {
      const out = path.join(tmp, `out-${n}-${r}`);
      const before = shells.reduce((s, sh) => s + treeCpu(sh.child.pid), 0);
      const m = await build(endpoints.slice(0, n), out, data);
      const after = shells.reduce((s, sh) => s + treeCpu(sh.child.pid), 0);
      const pdfs = readdirSync(path.join(out, '2023-03')).filter((f) => f.endsWith('.pdf')).length;
      if (pdfs !== docs) throw new Error(`${pdfs} PDFs of ${docs} on ${n} endpoint(s)`);
      runs.get(n).push({ ...m, chromeCpu: shells.length ? after - before : undefined });
      rmSync(out, { recursive: true, force: true });
      console.error(`  ${n} endpoint(s), run ${r + 1}: ${(m.ms / 1000).toFixed(1)} s`);
    }
  }
  const median = (list, key) => [...list].sort((a, b) => a[key] - b[key])[Math.floor(list.length / 2)][key];
  const one = median(runs.get(1), 'ms');
  console.log(`\nMachine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.availableParallelism()} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB; Node ${process.version}; endpoints: ${GIVEN.length ? 'BENCH_REMOTE_ENDPOINTS' : `${shells.length} headless shells on this machine (${SHELL})`}`);
  console.log(`${docs} briefings (${ZONES} zones × 4 themes, 4 pages each), --concurrency ${CONCURRENCY} per endpoint; median of ${REPEAT} cold builds per row, rows in turns. Load average at the end: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}.\n`);
  console.log('| endpoints | median | PDFs/s | vs 1 endpoint | Node CPU per briefing | Chromium CPU per briefing |');
  console.log('|---|---|---|---|---|---|');
  for (const n of counts) {
    const list = runs.get(n);
    const ms = median(list, 'ms');
    const chrome = shells.length ? `${((median(list, 'chromeCpu') / docs) * 1000).toFixed(0)} ms` : 'not measured';
    console.log(`| ${n} | ${(ms / 1000).toFixed(2)} s | ${(docs / (ms / 1000)).toFixed(1)} | ${(one / ms).toFixed(2)}× | ${((median(list, 'nodeCpu') / docs) * 1000).toFixed(0)} ms | ${chrome} |`);
  }
  const marginal = (median(runs.get(1), 'nodeCpu') - median(smallRuns, 'nodeCpu')) / (docs - 4);
  console.log(`
Coordinator: Node CPU ${(marginal * 1000).toFixed(0)} ms per briefing beyond start-up (${docs} briefings vs 4 on one endpoint; start-up and 4 briefings: ${median(smallRuns, 'nodeCpu').toFixed(2)} s), so one coordinator process tops out near ${(1 / marginal).toFixed(0)} PDFs/s of these briefings, however many browsers it drives.`);
} finally {
  for (const s of shells) s.child.kill('SIGKILL');
  rmSync(tmp, { recursive: true, force: true, maxRetries: 3 });
}

#!/usr/bin/env node
/**
 * The timeline of a cold build (docs/profile.md): `briefing build` into a new output folder, as a user
 * runs it, with bench/timeline-hook.mjs reading the marks bin/briefing.js and build.ts set. Prints the
 * phases (process start, module loading, data, check, templates, first render, browser start, first
 * print, remaining prints, commit, exit) as the median of BENCH_REPEAT runs (default 3), then one run
 * under `node --cpu-prof`: what the main thread spent its time on in each phase, by package or by
 * briefing's own module (the profiler slows it down; its times are for proportions).
 *
 *   node bench/timeline.mjs [extra build flags…]        e.g. --concurrency 1
 * Environment: BENCH_REPEAT; BENCH_NO_CACHE=1 (each run with a cache folder of its own, empty: no check
 * remembered, no chart or font subset kept, no compile cache);
 * BENCH_COMPARE=<another checkout, built, with the same marks>: its runs alternate with this one's and
 * the table gains its column (what a change saved, measured in one run).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const REPEAT = Number(process.env.BENCH_REPEAT ?? 3);
const tmp = mkdtempSync(path.join(os.tmpdir(), 'briefing-timeline-'));
const extra = process.argv.slice(2);

/** [label, from mark, to mark]; 'spawn' is the moment the process was spawned, 'exit' its exit. */
const PHASES = [
  ['process start (exec, Node bootstrap)', 'spawn', 'briefing:start'],
  ['CLI module', 'briefing:start', 'briefing:cli'],
  ['CLI: options, data files, plan, the build\'s modules', 'briefing:cli', 'briefing:build'],
  ['printer module', 'briefing:build', 'briefing:printer-module'],
  ['Puppeteer, find and spawn the browser', 'briefing:printer-module', 'briefing:browser-spawned'],
  ['data load', 'briefing:browser-spawned', 'briefing:loaded'],
  ['check (or its cached success)', 'briefing:loaded', 'briefing:checked'],
  ['lock, stage', 'briefing:checked', 'briefing:staged'],
  ['templates', 'briefing:staged', 'briefing:templates'],
  ['first render (select, format, charts, HTML, fonts)', 'briefing:printer', 'briefing:first-render'],
  ['first print (after its render)', 'briefing:first-render', 'briefing:first-print'],
  ['remaining prints', 'briefing:first-print', 'briefing:printed'],
  ['commit', 'briefing:printed', 'briefing:committed'],
  ['exit (browser closed)', 'briefing:committed', 'exit'],
];
/** In parallel with the above, in the browser's own processes. */
const PARALLEL = [['browser start (spawned → answering)', 'briefing:browser-spawned', 'briefing:browser-ready']];

function once(profileDir, root = ROOT) {
  return new Promise((resolve, reject) => {
    const out = mkdtempSync(path.join(tmp, 'out-'));
    const file = path.join(tmp, `timeline-${path.basename(out)}.json`);
    const args = [...(profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir, '--cpu-prof-interval', '500'] : []), '--import', path.join(ROOT, 'bench/timeline-hook.mjs'), path.join(root, 'bin/briefing.js'), 'build', '--out', out, '--edition', '2023-03', '--now', '2023-03-31T08:00:00Z', ...extra];
    const spawnedAt = performance.timeOrigin + performance.now();
    const fresh = process.env.BENCH_NO_CACHE === '1' ? { XDG_CACHE_HOME: mkdtempSync(path.join(tmp, 'cache-')) } : {};
    const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...fresh, BRIEFING_TIMELINE: file }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => {
      const exitedAt = performance.timeOrigin + performance.now();
      if (code !== 0) return reject(new Error(`build exited ${code}: ${stderr}`));
      const t = JSON.parse(readFileSync(file, 'utf8'));
      // Every point in ms from the spawn.
      const at = { spawn: 0, exit: exitedAt - spawnedAt };
      for (const m of t.marks) at[m.name] = t.timeOrigin + m.t - spawnedAt;
      resolve({ at, t, spawnedAt });
    });
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const COMPARE = process.env.BENCH_COMPARE && path.resolve(process.env.BENCH_COMPARE);
const trees = [...(COMPARE ? [['compared', COMPARE]] : []), ['this', ROOT]];
const runsOf = new Map(trees.map(([name]) => [name, []]));
for (let i = 0; i < REPEAT; i++) {
  for (const [name, root] of trees) {
    console.error(`timeline: ${name === 'this' ? '' : `${root}, `}run ${i + 1} of ${REPEAT}…`);
    runsOf.get(name).push(await once(undefined, root));
  }
}
const ms = (x) => (x === undefined || Number.isNaN(x) ? '–' : `${Math.round(x)}`);
const span = (r, from, to) => r.at[to] - r.at[from];
console.log(`\nCold build, ${REPEAT} runs (medians, ms from spawn); Node ${process.version}; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}${extra.length ? `; flags ${extra.join(' ')}` : ''}${COMPARE ? `; runs alternating with ${COMPARE}` : ''}${process.env.BENCH_NO_CACHE === '1' ? '; each run with an empty cache folder' : ''}\n`);
const heads = trees.map(([name, root]) => (name === 'this' ? 'this tree' : path.basename(root)));
console.log(`| phase | ${heads.map((h) => `${h}: starts at | ends at | takes`).join(' | ')} |`);
console.log(`|---|${heads.map(() => '---|---|---|').join('')}`);
for (const [label, from, to] of [...PHASES, ...PARALLEL]) {
  const cells = trees.map(([name]) => {
    const runs = runsOf.get(name);
    return `${ms(median(runs.map((r) => r.at[from])))} | ${ms(median(runs.map((r) => r.at[to])))} | ${ms(median(runs.map((r) => span(r, from, to))))}`;
  });
  console.log(`| ${PARALLEL.some((p) => p[0] === label) ? `(in parallel) ${label}` : label} | ${cells.join(' | ')} |`);
}
console.log(`| **total** (spawn → exit) | ${trees.map(([name]) => ` | | **${ms(median(runsOf.get(name).map((r) => r.at.exit)))}**`).join(' | ')} |`);

// One run under the profiler: the main thread's time in each phase, by what it ran.
console.error('timeline: one run under --cpu-prof…');
const profDir = mkdtempSync(path.join(tmp, 'prof-'));
const p = await once(profDir);
const prof = JSON.parse(readFileSync(path.join(profDir, readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'))), 'utf8'));
// The profile's clock is the monotonic one the hook paired with performance.now().
const toPerf = (us) => (us - p.t.clock.hrtimeUs) / 1000 + p.t.clock.perf;
const toSpawn = (us) => p.t.timeOrigin + toPerf(us) - p.spawnedAt;
const nodes = new Map(prof.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const owner = (url) => {
  if (!url) return undefined;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  const own = /\/dist\/(.*)\.js$/.exec(url);
  if (own) return own[1];
  return url.startsWith('node:') ? undefined : url.replace(/^file:\/\//, '');
};
const category = new Map();
function classify(id) {
  if (category.has(id)) return category.get(id);
  const leaf = nodes.get(id).callFrame;
  let who;
  let loading = false;
  for (let x = id; x !== undefined; x = parent.get(x)) {
    const f = nodes.get(x).callFrame;
    who ??= owner(f.url);
    if (/^node:internal\/modules\//.test(f.url)) loading = true;
  }
  let c;
  if (['(garbage collector)', '(program)', '(idle)'].includes(leaf.functionName)) c = leaf.functionName;
  else if (loading && (!who || /^node:internal\/modules\//.test(leaf.url))) c = 'module loading (resolve, read, compile)';
  else c = (who ?? (leaf.url || leaf.functionName || 'node')) + (loading ? ' (module top level)' : '');
  category.set(id, c);
  return c;
}
const byPhase = new Map();
let t = prof.startTime;
for (let i = 0; i < prof.samples.length; i++) {
  t += prof.timeDeltas[i];
  const dt = (prof.timeDeltas[i + 1] ?? 0) / 1000;
  const when = toSpawn(t);
  const phase = PHASES.find(([, from, to]) => when >= (p.at[from] ?? Infinity) && when < (p.at[to] ?? -Infinity))?.[0] ?? '(between marks)';
  if (!byPhase.has(phase)) byPhase.set(phase, new Map());
  const m = byPhase.get(phase);
  const c = classify(prof.samples[i]);
  m.set(c, (m.get(c) ?? 0) + dt);
}
console.log('\nOne run under the profiler (slower than the runs above): the main thread, per phase, top 6 by time\n');
console.log('| phase | took | busy | on what (ms) |');
console.log('|---|---|---|---|');
for (const [label, from, to] of PHASES) {
  const m = byPhase.get(label);
  if (!m) continue;
  const busy = [...m].filter(([k]) => k !== '(idle)').reduce((n, [, v]) => n + v, 0);
  const top = [...m].filter(([k]) => k !== '(idle)').sort((a, b) => b[1] - a[1]).slice(0, 6).map(([k, v]) => `${k} ${Math.round(v)}`).join('; ');
  console.log(`| ${label} | ${ms(span(p, from, to))} | ${ms(busy)} | ${top} |`);
}

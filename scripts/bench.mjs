#!/usr/bin/env node
/**
 * npm run bench: measures, in one run on this machine,
 *   1. naive: a fresh browser launched for each of the 8 briefings (the same HTML);
 *   2. the floor: the 8 already-rendered HTML files printed by one warm browser doing nothing else;
 *   3. `briefing build`, cold (no output, no cache);
 *   4. `briefing build` again, nothing changed;
 *   5. scale: 200 zones × 4 themes, PDFs per second and peak memory of Node and Chromium.
 * Times are wall-clock; the machine is shared, so compare the ratios within one run. Measurements 1–4
 * are each the median of BENCH_REPEAT runs (default 3); the scale run is long enough to stand alone.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { findBrowser, launchBrowser, closeBrowser } from '../dist/print/browser.js';
import { generateScaleData } from '../tests/bench/gen-scale-data.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin/briefing.js');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'briefing-bench-'));
const EDITION = ['--edition', '2023-03', '--now', '2023-03-31T08:00:00Z'];
const scaleZones = Number(process.env.BENCH_ZONES ?? 200);

/** Runs the CLI; samples the memory of Node and of its Chromium processes every 200 ms. */
function run(args) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.resume();
    const samples = [];
    const timer = setInterval(() => samples.push({ t: performance.now() - t0, ...memoryOf(child.pid) }), 200);
    child.on('exit', (code) => {
      clearInterval(timer);
      const ms = performance.now() - t0;
      if (code !== 0) reject(new Error(`briefing ${args.join(' ')} exited ${code}: ${stderr}`));
      else resolve({ ms, samples });
    });
  });
}

function rssKb(pid) {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** The processes below `pid`, from one pass over /proc (the sampler must cost the run little). */
function descendants(pid) {
  const children = new Map();
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const ppid = Number(/PPid:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, 'utf8'))?.[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(p));
    } catch {
      // gone
    }
  }
  const out = [];
  const walk = (p) => {
    for (const c of children.get(p) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(pid);
  return out;
}

function memoryOf(pid) {
  return { node: rssKb(pid), chromium: descendants(pid).reduce((n, p) => n + rssKb(p), 0) };
}

async function printEach(files, launchEach) {
  const info = await findBrowser();
  const t0 = performance.now();
  let browser = launchEach ? undefined : await launchBrowser(info);
  const start = launchEach ? t0 : performance.now();
  for (const file of files) {
    if (launchEach) browser = await launchBrowser(info);
    const page = await browser.newPage();
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    await page.evaluate(() => document.fonts.ready.then(() => undefined));
    await page.pdf({ preferCSSPageSize: true, printBackground: true, outline: true, tagged: true });
    await page.close();
    if (launchEach) await closeBrowser(browser);
  }
  const ms = performance.now() - start;
  if (!launchEach) await closeBrowser(browser);
  return { ms };
}

const fmt = (ms) => `${(ms / 1000).toFixed(2)} s`;
const mb = (kb) => `${Math.round(kb / 1024)} MB`;

/** The median of `times` runs of `measure`: a single run of a few seconds moves with the machine's load. */
const REPEAT = Number(process.env.BENCH_REPEAT ?? 3);
async function median(measure) {
  const runs = [];
  for (let i = 0; i < REPEAT; i++) runs.push(await measure(i));
  return runs.sort((a, b) => a.ms - b.ms)[Math.floor(runs.length / 2)];
}

const outOf = (i) => path.join(tmp, `out-${i}`);
console.error(`bench: cold build ×${REPEAT}…`);
const cold = await median((i) => run(['build', '--out', outOf(i), ...EDITION]));
console.error(`bench: no-change build ×${REPEAT}…`);
const again = await median((i) => run(['build', '--out', outOf(i), ...EDITION]));
const out = outOf(0);
const htmls = readdirSync(path.join(out, '2023-03')).filter((f) => f.endsWith('.html')).map((f) => path.join(out, '2023-03', f));
console.error(`bench: floor ×${REPEAT}…`);
const floor = await median(() => printEach(htmls, false));
console.error(`bench: naive ×${REPEAT}…`);
const naive = await median(() => printEach(htmls, true));
console.error(`bench: scale, ${scaleZones} zones × 4 themes…`);
const data = generateScaleData(path.join(tmp, 'scale'), scaleZones);
const scale = await run(['build', '--out', path.join(tmp, 'scale-out'), '--data', data, ...EDITION]);
const docs = scaleZones * 4;
const q = (from, to) => scale.samples.filter((s) => s.t >= from * scale.ms && s.t < to * scale.ms);
const peak = (xs, key) => Math.max(0, ...xs.map((s) => s[key]));
const peakTotal = (xs) => Math.max(0, ...xs.map((s) => s.node + s.chromium));
const first = q(0, 0.25);
const last = q(0.75, 1.01);

const info = await findBrowser();
const browser = await launchBrowser(info);
const chrome = await browser.version();
await closeBrowser(browser);
const rows = [
  ['1. naive: a browser per briefing (8)', fmt(naive.ms), `${(naive.ms / cold.ms).toFixed(1)}× the cold build`],
  ['2. floor: 8 HTML files, one warm browser', fmt(floor.ms), '1.00×'],
  ['3. briefing build, cold', fmt(cold.ms), `${(cold.ms / floor.ms).toFixed(2)}× the floor (target ≤ 1.5×)`],
  ['4. briefing build, nothing changed', fmt(again.ms), `target ≤ 0.30 s`],
  [`5. scale: ${scaleZones} zones × 4 themes`, fmt(scale.ms), `${(docs / (scale.ms / 1000)).toFixed(1)} PDFs/s (target ≥ 8)`],
  ['   peak memory, first quarter', `${mb(peakTotal(first))}`, `Node ${mb(peak(first, 'node'))}, Chromium ${mb(peak(first, 'chromium'))}`],
  ['   peak memory, last quarter', `${mb(peakTotal(last))}`, `Node ${mb(peak(last, 'node'))}, Chromium ${mb(peak(last, 'chromium'))} (${((peakTotal(last) / Math.max(1, peakTotal(first)) - 1) * 100).toFixed(0)}% vs first; target within 10%)`],
];
console.log(`\nMachine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.availableParallelism()} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB; Node ${process.version}; ${chrome}\n`);
console.log(`Rows 1–4: the median of ${REPEAT} runs each; row 5: one run.\n`);
console.log('| measurement | time | compared |');
console.log('|---|---|---|');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);

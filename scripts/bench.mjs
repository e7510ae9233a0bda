#!/usr/bin/env node
/**
 * npm run bench: measures, in one run on this machine, printing the eight briefings of edition 2023-03:
 *   1. floor: one warm browser (the binary the build uses, launched as the build launches it) with two
 *      tabs kept open; for each of the build's finished HTML drafts, goto(file) + document.fonts.ready +
 *      page.pdf() with the build's pdf options, two at a time. The browser's start and its tabs are not timed.
 *   2. `briefing build`, cold: a new output folder, the CLI as a user runs it (`node bin/briefing.js
 *      build`), from spawning the process to its exit; the user's cache folder as an earlier build left
 *      it (a first build, not timed, makes the drafts the other rows print);
 *   2b. the same, printing with --browser-ws in the same browser binary started once on a loopback port
 *      and kept between builds (a resident browser): the fixed cost without the launch;
 *   3. naive: a browser launched for each draft, one after another (the same binary and drafts);
 *   4. jsreport 4 (`@jsreport/jsreport-core` + `@jsreport/jsreport-chrome-pdf`, pool of two, the same
 *      binary and drafts), a process of its own from spawn to exit like the cold build (bench/jsreport/,
 *      installed on first use into bench/jsreport/node_modules; never a dependency of briefing);
 *   5. `briefing build`, cold, with an empty cache folder too (no check remembered, no compile cache):
 *      the first build on a machine;
 *   6. `briefing build` again, nothing changed, alternated with `node -e 0` (6b): their ratio;
 *   7. scale: 200 zones × 4 themes, PDFs per second and peak memory of Node and Chromium.
 * Rows 1–4 are measured in turns (floor, cold, naive, jsreport; then again), so a change in the
 * machine's load reaches all of them alike; each is the median of BENCH_REPEAT runs (default 3), as
 * are rows 5 and 6. The machine is shared: compare the ratios within one run. Each row names the browser
 * binary its processes ran, read from /proc while it ran (not assumed).
 *
 * Row 1b, the build's own print path on the same drafts in a warm browser, is measured in those turns
 * too: the per-document cost beside the floor's.
 * Environment: BENCH_REPEAT (3), BENCH_ZONES (200; 0 leaves the scale run out), BENCH_ROWS (a comma list
 * of floor, printer, cold, naive, jsreport, nocache, again, scale: only those).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { findBrowser, launchBrowser, closeBrowser } from '../dist/print/browser.js';
import { generateScaleData } from '../tests/bench/gen-scale-data.mjs';
import { descendants } from './proc.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin/briefing.js');
const JSREPORT = path.join(ROOT, 'bench/jsreport');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'briefing-bench-'));
const EDITION = ['--edition', '2023-03', '--now', '2023-03-31T08:00:00Z'];
const REPEAT = Number(process.env.BENCH_REPEAT ?? 3);
const startLoad = os.loadavg().map((l) => l.toFixed(1)).join(' ');
const scaleZones = Number(process.env.BENCH_ZONES ?? 200);
const ROWS = new Set((process.env.BENCH_ROWS ?? 'floor,printer,cold,kept,naive,jsreport,nocache,again,scale').split(',').map((s) => s.trim()));
if (!scaleZones) ROWS.delete('scale');
/** As print/pdf.ts PDF_OPTIONS: the options the build prints with. */
const PDF_OPTIONS = { preferCSSPageSize: true, printBackground: true, outline: true, tagged: true };
const TABS = 2;

// ---------------------------------------------------------------------------------------------------
// Processes: which browser binaries ran below a process, and its memory.


function rssKb(pid) {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** Watches the processes below `pid` every 250 ms: the browser binaries seen, and (if asked) memory samples. */
function watch(pid, { memory = false } = {}) {
  const t0 = performance.now();
  const binaries = new Set();
  const samples = [];
  const look = () => {
    const below = descendants(pid);
    for (const p of below) {
      try {
        const exe = readlinkSync(`/proc/${p}/exe`);
        if (/chrom|headless/i.test(path.basename(exe))) binaries.add(exe);
      } catch {
        // gone
      }
    }
    if (memory) samples.push({ t: performance.now() - t0, node: rssKb(pid), chromium: below.reduce((n, p) => n + rssKb(p), 0) });
  };
  const timer = setInterval(look, 250);
  return {
    stop() {
      clearInterval(timer);
      return { binaries: [...binaries], samples };
    },
  };
}

/** Runs a command to its exit; the time from spawn to exit, its output, and what ran below it. */
function run(cmd, args, { env = process.env, memory = false } = {}) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const watching = watch(child.pid, { memory });
    child.on('exit', (code) => {
      const ms = performance.now() - t0;
      const { binaries, samples } = watching.stop();
      if (code !== 0) reject(new Error(`${path.basename(args[0] ?? cmd)} ${args.slice(1).join(' ')} exited ${code}: ${stderr}`));
      else resolve({ ms, stdout, stderr, binaries, samples });
    });
  });
}

const briefing = (args, opts) => run(process.execPath, [BIN, ...args], opts);

// ---------------------------------------------------------------------------------------------------
// The rows.

/** The build's own browser binary, started on a loopback port and left running, as a resident browser would be. */
async function keptBrowser() {
  const { executablePath } = await findBrowser();
  const profile = mkdtempSync(path.join(tmp, 'kept-profile-'));
  const shell = /headless[-_]shell/.test(path.basename(executablePath));
  const child = spawn(executablePath, [...(shell ? [] : ['--headless=new']), '--remote-debugging-port=0', '--remote-debugging-address=127.0.0.1', '--no-sandbox', `--user-data-dir=${profile}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr.on('data', (d) => {
      err += d;
      const m = /DevTools listening on (ws:\/\/\S+)/.exec(err);
      if (m) resolve({ child, ws: m[1], binary: executablePath });
    });
    child.on('exit', () => reject(new Error(`the kept browser exited: ${err}`)));
  });
}

/** A cold build into a new output folder; the binary it printed with is the one its --verbose names. */
async function coldBuild(env = process.env, more = []) {
  const out = mkdtempSync(path.join(tmp, 'out-'));
  const r = await briefing(['build', '--out', out, ...EDITION, '--verbose', ...more], { env });
  const said = /^browser: .*\((\/[^,)]+)/m.exec(r.stdout)?.[1];
  return { ms: r.ms, out, binaries: said ? [...new Set([said, ...r.binaries])] : r.binaries };
}

/** Prints the drafts in `tabs` tabs of one browser started beforehand (the floor), or with a browser per draft (naive). */
async function printDrafts(files, { launchEach }) {
  const info = await findBrowser();
  const watching = watch(process.pid);
  let ms;
  if (launchEach) {
    const t0 = performance.now();
    for (const file of files) {
      const browser = await launchBrowser(info);
      const page = await browser.newPage();
      await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
      await page.evaluate(() => document.fonts.ready.then(() => undefined));
      await page.pdf(PDF_OPTIONS);
      await closeBrowser(browser);
    }
    ms = performance.now() - t0;
  } else {
    const browser = await launchBrowser(info);
    const tabs = await Promise.all(Array.from({ length: TABS }, () => browser.newPage()));
    const queue = [...files];
    const t0 = performance.now();
    await Promise.all(
      tabs.map(async (page) => {
        for (let file = queue.shift(); file; file = queue.shift()) {
          await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
          await page.evaluate(() => document.fonts.ready.then(() => undefined));
          await page.pdf(PDF_OPTIONS);
        }
      }),
    );
    ms = performance.now() - t0;
    await closeBrowser(browser);
  }
  return { ms, binaries: watching.stop().binaries };
}

/**
 * The build's own print path on the same drafts, in a warm browser (its printer: two tabs, the document
 * written into a tab, the layout rules and contents measured in the page, pdf(), the metadata added):
 * the per-document cost to set beside the floor's. One print, not timed, opens its tabs.
 */
async function printerRow(files) {
  const { createPrinter } = await import('../dist/print/printer.js');
  const { withMetadata } = await import('../dist/print/pdf.js');
  const watching = watch(process.pid);
  const printer = createPrinter({ concurrency: TABS, recycleAfter: 1000, timeoutMs: 60_000, env: process.env, roots: [path.dirname(path.dirname(files[0]))] });
  await printer.warm();
  await printer.print(files.at(-1));
  const meta = { title: 'bench', author: 'briefing', subject: 'bench', keywords: [], language: 'zh-CN', createdAt: new Date(0) };
  const t0 = performance.now();
  await Promise.all(files.map((file) => printer.print(file).then((r) => withMetadata(r.pdf, meta))));
  const ms = performance.now() - t0;
  await printer.close();
  return { ms, binaries: watching.stop().binaries };
}

/** jsreport in a process of its own (bench/jsreport/render.mjs), installed on first use. */
async function jsreport(files) {
  if (!existsSync(path.join(JSREPORT, 'node_modules/@jsreport/jsreport-core/package.json'))) {
    console.error('bench: installing jsreport into bench/jsreport/node_modules (once)…');
    execFileSync('npm', ['install', '--prefix', JSREPORT, '--no-audit', '--no-fund', '--loglevel=error'], { cwd: ROOT, stdio: 'inherit', env: { ...process.env, PUPPETEER_SKIP_DOWNLOAD: '1' } });
  }
  const { executablePath } = await findBrowser();
  const out = mkdtempSync(path.join(tmp, 'jsreport-'));
  const r = await run(process.execPath, [path.join(JSREPORT, 'render.mjs'), executablePath, out, ...files]);
  const { initMs, renderMs, pages } = JSON.parse(r.stdout.trim().split('\n').at(-1));
  return { ms: r.ms, binaries: r.binaries, initMs, renderMs, pages };
}

const median = (runs) => [...runs].sort((a, b) => a.ms - b.ms)[Math.floor(runs.length / 2)];
const fmt = (ms) => `${(ms / 1000).toFixed(2)} s`;
const mb = (kb) => `${Math.round(kb / 1024)} MB`;
const each = (runs) => runs.map((r) => (r.ms / 1000).toFixed(2)).join(', ');
const binariesOf = (runs) => [...new Set(runs.flatMap((r) => r.binaries))].join(', ') || '(none seen)';

// Rows 1–4, in turns. A first build, not timed, makes the HTML drafts every printing row prints, and
// leaves the user's cache folder as any earlier build would (row 5 is the build without it).
const runs = { floor: [], printer: [], cold: [], kept: [], naive: [], jsreport: [] };
const draftsOf = (out) => readdirSync(path.join(out, '2023-03')).filter((f) => f.endsWith('.html')).sort().map((f) => path.join(out, '2023-03', f));
console.error('bench: a first build, for the drafts (not timed)…');
const first = await coldBuild();
const drafts = draftsOf(first.out);
/** Row 2b's browser: the same binary, started once and kept between builds, reached with --browser-ws. */
const kept = ROWS.has('kept') ? await keptBrowser() : undefined;
for (let i = 0; i < REPEAT; i++) {
  for (const row of ['floor', 'printer', 'cold', 'kept', 'naive', 'jsreport']) {
    if (!ROWS.has(row)) continue;
    console.error(`bench: ${row}, run ${i + 1} of ${REPEAT}…`);
    const r = row === 'cold' ? await coldBuild() : row === 'kept' ? { ...(await coldBuild(process.env, ['--browser-ws', kept.ws])), binaries: [kept.binary] } : row === 'floor' ? await printDrafts(drafts, { launchEach: false }) : row === 'printer' ? await printerRow(drafts) : row === 'naive' ? await printDrafts(drafts, { launchEach: true }) : await jsreport(drafts);
    runs[row].push(r);
  }
}

kept?.child.kill();

const nocache = [];
if (ROWS.has('nocache')) {
  for (let i = 0; i < REPEAT; i++) {
    console.error(`bench: cold build with an empty cache folder, run ${i + 1} of ${REPEAT}…`);
    nocache.push(await coldBuild({ ...process.env, XDG_CACHE_HOME: mkdtempSync(path.join(tmp, 'cache-')) }));
  }
}
const again = [];
/** `node -e 0`, alternated with the no-change builds: what a process costs before it does anything. */
const bare = [];
if (ROWS.has('again')) {
  const out = first.out;
  for (let i = 0; i < Math.max(REPEAT, 5); i++) {
    console.error(`bench: no-change build and node -e 0, run ${i + 1}…`);
    again.push(await briefing(['build', '--out', out, ...EDITION]));
    bare.push(await run(process.execPath, ['-e', '0']));
  }
}
let scale;
if (ROWS.has('scale')) {
  console.error(`bench: scale, ${scaleZones} zones × 4 themes…`);
  const data = generateScaleData(path.join(tmp, 'scale'), scaleZones);
  scale = await briefing(['build', '--out', path.join(tmp, 'scale-out'), '--data', data, ...EDITION], { memory: true });
}

// ---------------------------------------------------------------------------------------------------
// The table.

const info = await findBrowser();
const b = await launchBrowser(info);
const chrome = await b.version();
await closeBrowser(b);
const floor = runs.floor.length ? median(runs.floor) : undefined;
const cold = runs.cold.length ? median(runs.cold) : undefined;
const vsFloor = (ms) => (floor ? `${(ms / floor.ms).toFixed(2)}×` : '–');
const vsCold = (ms) => (cold ? `${(ms / cold.ms).toFixed(2)}×` : '–');
const rows = [];
const row = (name, list, note = '') => {
  if (!list.length) return;
  const m = median(list);
  rows.push([name, binariesOf(list), fmt(m.ms), each(list), vsFloor(m.ms), vsCold(m.ms), note]);
};
const perDoc = (list) => (list.length ? `${Math.round(median(list).ms / drafts.length)} ms per draft` : '');
row('1. floor: one warm browser, 2 tabs kept open; per draft goto + fonts.ready + pdf()', runs.floor, perDoc(runs.floor));
row("1b. the build's print path, warm browser (its printer, 2 tabs; layout rules, contents, metadata)", runs.printer, perDoc(runs.printer));
row('2. `briefing build`, cold (new output folder; process start included)', runs.cold, cold && floor ? `target ≤ 1.25× the floor: ${cold.ms / floor.ms <= 1.25 ? 'met' : 'missed'}` : '');
row('2b. `briefing build`, cold, printing in a browser kept between runs (--browser-ws)', runs.kept, 'no launch: what a resident browser leaves of the fixed cost');
row('3. naive: a browser launched per draft', runs.naive, cold ? `target ≥ 2× the cold build: ${median(runs.naive ?? [])?.ms / cold.ms >= 2 ? 'met' : 'missed'}` : '');
if (runs.jsreport.length) {
  const m = median(runs.jsreport);
  const pages = m.pages.reduce((a, n) => a + n, 0);
  row('4. jsreport 4 chrome-pdf, pool of 2 (a process: init + render)', runs.jsreport, `${cold ? `target ≥ 3× the cold build: ${m.ms / cold.ms >= 3 ? 'met' : 'missed'}; ` : ''}init ${fmt(m.initMs)} + render ${fmt(m.renderMs)}; ${pages} pages`);
}
row('5. `briefing build`, cold, empty cache folder too (first build on a machine)', nocache, '');
if (again.length) {
  const ratio = median(again).ms / median(bare).ms;
  rows.push(['6. `briefing build` again, nothing changed', '(none: nothing to print)', fmt(median(again).ms), each(again), '', '', `${ratio.toFixed(2)}× node -e 0 (target ≤ 2×: ${ratio <= 2 ? 'met' : 'missed'})`]);
  rows.push(['6b. `node -e 0`, alternated with row 6', '(none)', fmt(median(bare).ms), each(bare), '', '', '']);
}
if (scale) {
  const docs = scaleZones * 4;
  const q = (from, to) => scale.samples.filter((s) => s.t >= from * scale.ms && s.t < to * scale.ms);
  const peak = (xs, key) => Math.max(0, ...xs.map((s) => s[key]));
  const peakTotal = (xs) => Math.max(0, ...xs.map((s) => s.node + s.chromium));
  const first = q(0, 0.25);
  const last = q(0.75, 1.01);
  rows.push([`7. scale: ${scaleZones} zones × 4 themes`, binariesOf([scale]), fmt(scale.ms), '1 run', '', '', `${(docs / (scale.ms / 1000)).toFixed(1)} PDFs/s (target ≥ 8)`]);
  rows.push(['   peak memory, first quarter', '', mb(peakTotal(first)), '', '', '', `Node ${mb(peak(first, 'node'))}, Chromium ${mb(peak(first, 'chromium'))}`]);
  rows.push(['   peak memory, last quarter', '', mb(peakTotal(last)), '', '', '', `Node ${mb(peak(last, 'node'))}, Chromium ${mb(peak(last, 'chromium'))} (${((peakTotal(last) / Math.max(1, peakTotal(first)) - 1) * 100).toFixed(0)}% vs first; target within 10%)`]);
}
console.log(`\nMachine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.availableParallelism()} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB; Node ${process.version}; ${chrome} (${info.executablePath})\n`);
console.log(`Rows 1–6: the median of ${REPEAT} runs each (rows 1–4 measured in turns); row 7: one run. Drafts: ${drafts.length} HTML files of edition 2023-03. Load average at the end: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} (at the start: ${startLoad}).\n`);
console.log('| measurement | browser binary | median | runs | vs floor | vs cold build | note |');
console.log('|---|---|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);

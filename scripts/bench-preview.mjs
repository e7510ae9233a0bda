// How long `briefing preview` takes from saving a fact sheet to telling the open page to reload:
// starts the preview (compiled, from dist/; run `npm run build:ts` first) on a free port over a
// temporary copy of data/ and templates/, opens one draft and its event stream, then edits one fact's
// English title 10 times and measures each write → `reload` event as the page receives it, and the
// server's own figure, first file event → reload sent. Prints every run, the medians and the maxima.
//
//   npm run bench:preview                                # taixin/industry, the largest sheet
//   npm run bench:preview -- taixin/transport 20         # another sheet, more runs
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { startPreview } = await import(path.join(root, 'dist/preview/server.js'));
const { resolveConfig } = await import(path.join(root, 'dist/config.js'));

const [sheet = 'taixin/industry', runsArg = '10'] = process.argv.slice(2);
const runs = Number(runsArg);
const [zone, theme] = sheet.split('/');
const edition = '2023-03';

const dir = mkdtempSync(path.join(os.tmpdir(), 'briefing-bench-preview-'));
for (const part of ['data', 'templates']) cpSync(path.join(root, part), path.join(dir, part), { recursive: true });
const sheetFile = path.join(dir, 'data/facts', zone, `${theme}.yaml`);
const original = readFileSync(sheetFile, 'utf8');
// The first English title of the sheet: editing it keeps `briefing check` green.
const title = /^ {4}title:\n {6}zh: .*\n {6}en: (.*)$/m.exec(original)?.[1];
if (!title) throw new Error(`no title found in ${sheetFile}`);

const config = resolveConfig({ root: dir, edition, now: '2023-03-31T08:00:00Z', out: path.join(dir, 'output') });
/** The server's own figure, from the first file event of a save to sending the reload. */
const fromEvent = [];
const preview = await startPreview(config, {
  port: 0,
  host: '127.0.0.1',
  log: (line) => {
    const ms = /reload sent (\d+) ms after the file event/.exec(line)?.[1];
    if (ms) fromEvent.push(Number(ms));
    if (process.env.BENCH_VERBOSE) console.log(`  server: ${line}`);
  },
});
const page = `/draft/${edition}/${zone}-${theme}.html`;

/** The event stream as the page's EventSource sees it; resolves `next()` with each reload for the page. */
function subscribe() {
  const waiting = [];
  let buffer = '';
  const req = http.get(new URL(`__preview/events?page=${encodeURIComponent(page)}`, preview.url), (res) => {
    res.setEncoding('utf8');
    res.on('data', (chunk) => {
      buffer += chunk;
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(frame)?.[1];
        const data = /^data: (.*)$/m.exec(frame)?.[1];
        if (event === 'hello') waiting.shift()?.({ event });
        if (event === 'reload' || event === 'problems') waiting.shift()?.({ event, data: JSON.parse(data), at: performance.now() });
      }
    });
  });
  return { next: () => new Promise((resolve) => waiting.push(resolve)), close: () => req.destroy() };
}

const times = [];
try {
  await (await fetch(new URL(page, preview.url))).text();
  // As a person would: the page is open a moment before the first save. (Just after the start the
  // preview renders the default edition's drafts ahead, one at a time; a save then may wait for one.)
  await new Promise((r) => setTimeout(r, 2000));
  const stream = subscribe();
  await stream.next(); // hello
  for (let i = 1; i <= runs; i++) {
    const got = stream.next();
    const t0 = performance.now();
    writeFileSync(sheetFile, original.replace(`en: ${title}`, `en: ${title} (edit ${i})`));
    const e = await got;
    if (e.event !== 'reload' || !e.data.pages.includes(page)) throw new Error(`run ${i}: expected a reload of ${page}, got ${JSON.stringify(e)}`);
    times.push(e.at - t0);
    console.log(`run ${String(i).padStart(2)}: ${(e.at - t0).toFixed(0)} ms`);
    await new Promise((r) => setTimeout(r, 150));
  }
  const html = await (await fetch(new URL(page, preview.url))).text();
  if (!html.includes(`${title} (edit ${runs})`)) throw new Error('the re-fetched draft does not show the last edit');
  stream.close();
} finally {
  await preview.close();
  rmSync(dir, { recursive: true, force: true });
}
const stats = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
  return `median ${median.toFixed(0)} ms, max ${sorted.at(-1).toFixed(0)} ms`;
};
console.log(`${sheet}, ${runs} edits: file write → reload event at the page ${stats(times)}; file event → reload sent ${stats(fromEvent)} (budget 300 ms)`);

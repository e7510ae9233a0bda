#!/usr/bin/env node
/**
 * The jsreport row of `npm run bench` (scripts/bench.mjs): jsreport 4 with its `chrome-pdf` recipe,
 * a pool of two browsers, printing the build's own finished HTML drafts with the browser binary the
 * build uses. Run as a process of its own, as a user would run a script that prints with jsreport:
 *
 *   node bench/jsreport/render.mjs <browser binary> <output folder> <draft.html>...
 *
 * Each draft is handed to jsreport as content, with a <base> pointing at the draft's folder, so its
 * relative font links (fonts/<name>.<face>.ttf) load as they do for the build; local file access is
 * allowed for that. The pdf options are the build's (print/pdf.ts PDF_OPTIONS). All drafts are
 * rendered at once, so the pool of two is kept busy. Prints one line of JSON: the time to initialise
 * jsreport, the time to render, and each PDF's page count (to show every document printed whole).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import JsReport from '@jsreport/jsreport-core';
import ChromePdf from '@jsreport/jsreport-chrome-pdf';

const t0 = performance.now();
const [executablePath, outDir, ...files] = process.argv.slice(2);
if (!executablePath || !outDir || !files.length) {
  console.error('usage: node bench/jsreport/render.mjs <browser binary> <output folder> <draft.html>...');
  process.exit(2);
}
mkdirSync(outDir, { recursive: true });
const shell = /headless[-_]shell/.test(path.basename(executablePath));

const jsreport = JsReport({
  tempDirectory: path.join(outDir, 'tmp'),
  logger: { silent: true },
  reportTimeout: 120_000,
});
jsreport.use(
  ChromePdf({
    strategy: 'chrome-pool',
    numberOfWorkers: 2,
    allowLocalFilesAccess: true,
    launchOptions: {
      executablePath,
      ...(shell ? { headless: 'shell' } : {}),
      // Chromium refuses its sandbox when run as root, as the build's own launch says too.
      args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
    },
  }),
);
await jsreport.init();
const t1 = performance.now();

const pages = await Promise.all(
  files.map(async (file) => {
    const base = `<base href="${pathToFileURL(path.dirname(path.resolve(file))).href}/">`;
    const content = readFileSync(file, 'utf8').replace(/<head>/i, (m) => `${m}${base}`);
    const res = await jsreport.render({
      template: {
        content, engine: 'none', recipe: 'chrome-pdf',
        chrome: { preferCSSPageSize: true, printBackground: true, outline: true, tagged: true },
      },
    });
    const pdf = await res.output.getBuffer();
    writeFileSync(path.join(outDir, `${path.basename(file, '.html')}.pdf`), pdf);
    return pdf.toString('latin1').match(/\/Type\s*\/Page\b/g)?.length ?? 0;
  }),
);
const t2 = performance.now();
await jsreport.close();
console.log(JSON.stringify({ initMs: t1 - t0, renderMs: t2 - t1, pages }));

/**
 * The contents on a draft's cover in the preview give each section the page the PDF gives it. For every
 * bilingual draft of the editions below, a browser opens the preview's draft (Paged.js, the client) and
 * reads the contents' numbers once the page says it is laid out; the PDF is the one `briefing build`
 * printed of the same briefing from the same files (the suite's, global-setup.ts), and the page of each
 * section's bookmark in it is read with pdf.js. Nothing is hard-coded: the drafts come from the preview's
 * index and the headings from the draft, so the comparison holds whatever the templates and the data make
 * of the pages.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'puppeteer';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { resolveConfig } from '../../src/config.js';
import { startPreview, type Preview } from '../../src/preview/server.js';
import { findBrowser, loadPuppeteer } from '../../src/print/browser.js';
import { tempDir } from '../helpers/cli.js';
import { LATE_EDITION, LATE_NOW, SUITE_EDITION, SUITE_NOW } from '../suite.js';

/**
 * Each edition with the folder its briefings were printed into and the clock they were printed at: the
 * preview serves the drafts at that same clock (the cover prints it), from the same data and templates.
 */
const EDITIONS: Record<string, { built: string; now: string }> = {
  [SUITE_EDITION]: { built: inject('suiteDir'), now: SUITE_NOW },
  [LATE_EDITION]: { built: inject('lateDir'), now: LATE_NOW },
};
const root = inject('suiteRoot');

const previews: Record<string, Preview> = {};
let browser: Browser;
let profile: string;
/**
 * Per edition, two tabs: `plain` with JavaScript off (the draft as served, before Paged.js moves it into
 * sheets), and `live` as a user's (Paged.js lays out the sheets and the client fills in the contents).
 */
const tabs: Record<string, { plain: Page; live: Page }> = {};

beforeAll(async () => {
  for (const [edition, { now }] of Object.entries(EDITIONS)) {
    const config = resolveConfig({ root, edition, now, out: tempDir('briefing-contents-out-') });
    previews[edition] = await startPreview(config, { port: 0, host: '127.0.0.1', ...(process.env.PREVIEW_TEST_LOG ? { log: (l: string) => console.log(l) } : {}) });
  }
  const { executablePath } = await findBrowser();
  profile = mkdtempSync(path.join(os.tmpdir(), 'briefing-test-browser-'));
  browser = await (await loadPuppeteer()).launch({
    executablePath, pipe: true, headless: /headless[-_]shell/.test(path.basename(executablePath)) ? 'shell' : true,
    args: ['--disable-gpu', '--no-first-run', `--user-data-dir=${profile}`, ...(process.getuid?.() === 0 ? ['--no-sandbox'] : [])],
  });
  for (const edition of Object.keys(EDITIONS)) {
    const plain = await browser.newPage();
    await plain.setJavaScriptEnabled(false);
    tabs[edition] = { plain, live: await browser.newPage() };
  }
}, 300_000);

afterAll(async () => {
  await browser?.close();
  for (const preview of Object.values(previews)) {
    await preview.close();
    await preview.done;
  }
  if (profile) rmSync(profile, { recursive: true, force: true });
});

/** The bilingual drafts the preview's index offers for an edition, by name. */
async function bilingualDrafts(edition: string): Promise<string[]> {
  const index = await (await fetch(new URL(`/?edition=${edition}`, previews[edition]!.url))).text();
  const names = [...index.matchAll(new RegExp(`href="/draft/${edition}/([^"/]+)\\.html"`, 'g'))].map((m) => m[1]!);
  return [...new Set(names.filter((n) => !/\.(zh|en)$/.test(n)))];
}

/** Each contents entry of the draft: its section and the text of the section's heading (no white space). */
async function headingsOf(plain: Page, url: string): Promise<[string, string][]> {
  await plain.goto(url, { waitUntil: 'load' });
  return plain.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('[data-toc]')].map((c): [string, string] => [c.dataset.toc ?? '', (document.getElementById(c.dataset.toc ?? '')?.querySelector('h2')?.textContent ?? '').replace(/\s+/g, '')]),
  );
}

/** The contents' numbers the preview shows, by section, once its bar says the pages are laid out. */
async function previewNumbers(live: Page, url: string): Promise<{ numbers: Record<string, string>; bar: string }> {
  await live.goto(url, { waitUntil: 'load' });
  await live.waitForFunction(() => /\d+ pages/.test(document.querySelector('#briefing-preview-bar')?.textContent ?? ''), { timeout: 120_000, polling: 100 });
  return live.evaluate(() => {
    const numbers: Record<string, string> = {};
    for (const c of document.querySelectorAll<HTMLElement>('.pagedjs_pages [data-toc]')) numbers[c.dataset.toc ?? ''] ??= (c.textContent ?? '').trim();
    return { numbers, bar: document.querySelector('#briefing-preview-bar')?.textContent ?? '' };
  });
}

/** Every bookmark of a PDF, depth first: its title without white space and the page (1-based) it points to. */
async function bookmarks(file: string): Promise<[string, number][]> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const doc = await pdfjs.getDocument({ data: new Uint8Array(readFileSync(file)), disableFontFace: true, useSystemFonts: false, verbosity: 0 }).promise;
  try {
    const out: [string, number][] = [];
    type Item = { title: string; dest: string | unknown[] | null; items: Item[] };
    const walk = async (items: Item[] | null) => {
      for (const o of items ?? []) {
        const dest = typeof o.dest === 'string' ? await doc.getDestination(o.dest) : o.dest;
        const ref = dest?.[0];
        if (ref && typeof ref === 'object') out.push([o.title.replace(/\s+/g, ''), (await doc.getPageIndex(ref as { num: number; gen: number })) + 1]);
        await walk(o.items);
      }
    };
    await walk((await doc.getOutline()) as Item[] | null);
    return out;
  } finally {
    await doc.destroy();
  }
}

/**
 * The page each section begins on in the PDF: its heading's bookmark, the next one in document order
 * whose title is the heading (Chromium may repeat a title's first words: "重要节点重要节点Milestones").
 */
function pdfPages(marks: [string, number][], headings: [string, string][]): Record<string, number> {
  const pages: Record<string, number> = {};
  let next = 0;
  for (const [id, heading] of headings) {
    const at = marks.findIndex(([title], i) => i >= next && heading !== '' && title.endsWith(heading));
    if (at < 0) continue;
    pages[id] = marks[at]![1];
    next = at + 1;
  }
  return pages;
}

describe("the preview's contents", () => {
  // The two editions side by side, each in its own tabs and preview: much of each draft's time is waiting
  // on the preview's print of it.
  it.concurrent.each(Object.keys(EDITIONS))('give every section the page of its bookmark in the PDF, in each bilingual draft of %s', async (edition) => {
    const names = await bilingualDrafts(edition);
    expect(names.length, `bilingual drafts of ${edition} in the index`).toBeGreaterThan(0);
    const mismatches: string[] = [];
    let matched = 0;
    for (const name of names) {
      const url = new URL(`/draft/${edition}/${name}.html`, previews[edition]!.url).href;
      const headings = await headingsOf(tabs[edition]!.plain, url);
      expect(headings.length, `${name}: contents entries`).toBeGreaterThan(0);
      const pdf = pdfPages(await bookmarks(path.join(EDITIONS[edition]!.built, edition, `${name}.pdf`)), headings);
      // Every section has its bookmark, or there would be nothing to compare.
      expect(Object.keys(pdf), `${name}: sections with a bookmark in the PDF`).toEqual(headings.map(([id]) => id));
      const { numbers, bar } = await previewNumbers(tabs[edition]!.live, url);
      const wrong = headings.filter(([id]) => numbers[id] !== String(pdf[id]));
      if (wrong.length) mismatches.push(`${edition}/${name}: ${wrong.map(([id, h]) => `${h} preview ${numbers[id] ?? '(none)'}, PDF ${pdf[id]}`).join('; ')} [bar: ${bar}]`);
      else matched++;
    }
    console.log(`${edition}: ${matched} of ${names.length} bilingual drafts show the PDF's contents page numbers`);
    expect(mismatches).toEqual([]);
  }, 600_000);
});

/**
 * The preview against a hostile browser and a greedy client (issue 17): another site's page must not
 * have PDFs printed or drafts read; only the months the data supports are served; what is kept in
 * memory and on disk stays bounded; pages run no script but their own, under a nonce.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config.js';
import { DEFAULT_STORE_LIMITS } from '../../src/preview/drafts.js';
import { DEFAULT_MAX_PDFS } from '../../src/preview/pdfs.js';
import { startPreview, type Preview } from '../../src/preview/server.js';
import { findBrowser, loadPuppeteer } from '../../src/print/browser.js';
import { copyProject } from '../helpers/cli.js';
import { SUITE_EDITION, SUITE_NOW } from '../suite.js';
import { rawRequest } from '../preview/events.js';

const E = SUITE_EDITION;
const SOURCE = '000_32369ebad8b3415c';
const LIMITS = { drafts: 8, pdfs: 2 };

let dir: string;
let preview: Preview;
const logged: string[] = [];
const cache = () => path.join(dir, 'output/.preview');
const printedLines = () => logged.filter((l) => l.startsWith('printed '));
const req = (p: string, headers: Record<string, string> = {}, method = 'GET') => rawRequest(preview.url, p, { method, headers });
/** Every PDF in the preview's cache folder, as <edition>/<name>.pdf. */
const pdfsOnDisk = () =>
  existsSync(cache()) ? readdirSync(cache()).filter((e) => /^\d{4}-\d{2}$/.test(e)).flatMap((e) => readdirSync(path.join(cache(), e)).filter((f) => f.endsWith('.pdf')).map((f) => `${e}/${f}`)).sort() : [];

beforeAll(async () => {
  dir = copyProject(['data', 'templates']);
  // The printed document forbids scripts in its own head; the preview must serve it without that tag.
  const template = path.join(dir, 'templates/briefing.hbs');
  writeFileSync(template, readFileSync(template, 'utf8').replace('<meta charset="utf-8">', `<meta charset="utf-8">\n<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'none'; style-src 'unsafe-inline'; font-src 'self'">`));
  const config = resolveConfig({ root: dir, edition: E, now: SUITE_NOW, out: path.join(dir, 'output') });
  preview = await startPreview(config, { port: 0, host: '127.0.0.1', limits: LIMITS, log: (l) => logged.push(l) });
  // The drafts the preview renders ahead, asked for now, so that its work ahead changes no count below.
  for (const zone of ['taixin', 'taiyuan-jinzhong']) {
    for (const theme of ['transport', 'ecology', 'industry', 'public-services']) expect((await req(`/draft/${E}/${zone}-${theme}.html`)).status).toBe(200);
  }
});

afterAll(async () => {
  await preview?.close();
  await preview?.done;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a request from another site', () => {
  const routes = [
    `/pdf/${E}/taixin-ecology.en.pdf`,
    `/draft/${E}/taixin-transport.en.html`,
    `/draft/${E}/fonts/taixin-transport.NotoSansSC-400.ttf`,
    `/source/${SOURCE}`,
    '/__preview/events',
    '/__preview/paged.polyfill.js',
  ];
  const foreign: Record<string, string>[] = [
    { 'sec-fetch-site': 'cross-site' },
    { 'sec-fetch-site': 'same-site' },
    { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' },
    { origin: 'http://evil.example' },
    { origin: 'null' },
    { origin: 'http://localhost:1' },
    // A same-origin claim with a foreign Origin is still foreign.
    { 'sec-fetch-site': 'same-origin', origin: 'https://evil.example' },
  ];

  it('is refused (403, one line) for everything that prints or reads drafts, and prints nothing', async () => {
    const known = preview.stats().known;
    for (const route of routes) {
      for (const headers of foreign) {
        for (const method of ['GET', 'HEAD']) {
          const res = await req(route, headers, method);
          const what = `${method} ${route} ${JSON.stringify(headers)}`;
          expect(res.status, what).toBe(403);
          if (method === 'GET') expect(res.body, what).toMatch(/^forbidden: a request from another site \((Sec-Fetch-Site|Origin): [^\n]+\); open the preview's index and follow its links\n$/);
        }
      }
    }
    expect(printedLines()).toEqual([]);
    expect(pdfsOnDisk()).toEqual([]);
    expect(preview.stats().known).toBe(known);
  });

  it('is served from the preview itself, a typed address, or a client without those headers', async () => {
    const own = preview.url.replace(/\/$/, '');
    const allowed: Record<string, string>[] = [{}, { 'sec-fetch-site': 'same-origin' }, { 'sec-fetch-site': 'none' }, { origin: own }, { 'sec-fetch-site': 'same-origin', origin: own }];
    for (const route of routes.filter((r) => !r.startsWith('/pdf/'))) {
      for (const headers of allowed) {
        // HEAD: the event stream answers at once instead of staying open.
        expect((await req(route, headers, 'HEAD')).status, `${route} ${JSON.stringify(headers)}`).toBe(200);
      }
    }
    const pdf = await req(routes[0]!, { 'sec-fetch-site': 'same-origin' });
    expect(pdf.status).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdfsOnDisk()).toEqual([`${E}/taixin-ecology.en.pdf`]);
  });

  it('may open the index: it prints and renders nothing, and a page elsewhere cannot read it', async () => {
    for (const headers of foreign) expect((await req('/', headers)).status, JSON.stringify(headers)).toBe(200);
  });
});

describe('editions', () => {
  const names = (edition: string) => [`/draft/${edition}/taixin-transport.zh.html`, `/pdf/${edition}/taixin-transport.zh.pdf`, `/draft/${edition}/fonts/taixin-transport.zh.NotoSansSC-400.ttf`];

  it('outside the months the data supports are 404, and nothing is rendered, printed or kept', async () => {
    const before = { stats: preview.stats(), pdfs: pdfsOnDisk(), printed: printedLines().length };
    // The data's first edition is 2022-05; this month (--now) and the data's last are 2023-03.
    for (const edition of ['0000-01', '1999-12', '2022-04', '2023-04', '2099-01', '9999-12']) {
      for (const p of names(edition)) expect((await req(p)).status, p).toBe(404);
      expect(existsSync(path.join(cache(), edition)), edition).toBe(false);
    }
    expect(preview.stats()).toEqual(before.stats);
    expect(pdfsOnDisk()).toEqual(before.pdfs);
    expect(printedLines().length).toBe(before.printed);
    // The index does not offer them: it falls back on its default edition.
    expect((await req('/?edition=9999-12')).body).toContain(`<option value="${E}" selected>`);
  });

  it('from the first the data supports to the last are served', async () => {
    for (const edition of ['2022-05', '2022-08', '2023-03']) expect((await req(names(edition)[0]!)).status, edition).toBe(200);
  });
});

describe('what the preview keeps', () => {
  it('defaults to 64 drafts in memory (64 MB at most) and 32 PDFs on disk', () => {
    expect(DEFAULT_STORE_LIMITS).toEqual({ drafts: 64, bytes: 64 * 1024 * 1024 });
    expect(DEFAULT_MAX_PDFS).toBe(32);
  });

  it('holds at most its count of drafts however many are asked for, and renders an evicted one again', async () => {
    const asked: string[] = [];
    for (const edition of ['2022-05', '2022-06', '2022-11', '2023-01', '2023-03']) {
      for (const theme of ['transport', 'ecology', 'industry']) asked.push(`/draft/${edition}/taiyuan-jinzhong-${theme}.en.html`);
    }
    for (const p of asked) {
      expect((await req(p)).status, p).toBe(200);
      expect(preview.stats().drafts).toBeLessThanOrEqual(LIMITS.drafts);
    }
    const { drafts, draftBytes, known } = preview.stats();
    expect(drafts).toBe(LIMITS.drafts);
    expect(draftBytes).toBeGreaterThan(0);
    expect(draftBytes).toBeLessThan(LIMITS.drafts * 2 * 1024 * 1024);
    expect(known).toBeGreaterThanOrEqual(asked.length);
    // The first was dropped long ago: rendered again, the same.
    const again = await req(asked[0]!);
    expect(again.status).toBe(200);
    expect(again.body).toContain('Taiyuan');
    expect(preview.stats().drafts).toBe(LIMITS.drafts);
  });

  it('keeps the PDFs served last on disk, deleting older ones with their HTML and fonts, and prints a deleted one again', async () => {
    const first = `${E}/taixin-ecology.en.pdf`;
    expect(pdfsOnDisk()).toEqual([first]);
    for (const name of ['taiyuan-jinzhong-ecology.en', 'taiyuan-jinzhong-transport.en']) {
      const res = await req(`/pdf/2022-11/${name}.pdf`);
      expect(res.status, name).toBe(200);
      expect(pdfsOnDisk().length).toBeLessThanOrEqual(LIMITS.pdfs);
    }
    expect(pdfsOnDisk()).toEqual(['2022-11/taiyuan-jinzhong-ecology.en.pdf', '2022-11/taiyuan-jinzhong-transport.en.pdf']);
    // The first edition's folder held only that PDF, its HTML and its fonts: all gone, folder too.
    expect(existsSync(path.join(cache(), E))).toBe(false);
    expect(preview.stats().pdfs).toBe(LIMITS.pdfs);
    // Serving one marks it used: the other one goes when the next is printed.
    expect((await req('/pdf/2022-11/taiyuan-jinzhong-ecology.en.pdf')).status).toBe(200);
    const res = await fetch(new URL(`/pdf/${first}`, preview.url));
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdfsOnDisk()).toEqual(['2022-11/taiyuan-jinzhong-ecology.en.pdf', first]);
    expect(readdirSync(path.join(cache(), '2022-11')).sort()).toEqual(['fonts', 'taiyuan-jinzhong-ecology.en.html', 'taiyuan-jinzhong-ecology.en.pdf']);
    expect(readdirSync(path.join(cache(), '2022-11/fonts')).every((f) => f.startsWith('taiyuan-jinzhong-ecology.en.'))).toBe(true);
  });
});

describe('the Content-Security-Policy', () => {
  const policy = (headers: http.IncomingHttpHeaders) => String(headers['content-security-policy'] ?? '');
  const scriptSrc = (csp: string) => /(?:^|;)\s*script-src ([^;]*)/.exec(csp)?.[1] ?? '';

  it("has no 'unsafe-inline' for scripts, and every script of every page carries the response's nonce", async () => {
    const nonces = new Set<string>();
    for (const p of ['/', `/draft/${E}/taixin-transport.html`, `/source/${SOURCE}`, '/?edition=2022-11']) {
      const res = await req(p);
      expect(res.status, p).toBe(200);
      const csp = policy(res.headers);
      expect(csp, p).toMatch(/default-src 'self'/);
      const src = scriptSrc(csp);
      expect(src, p).not.toContain('unsafe-inline');
      expect(src, p).not.toContain("'self'");
      const nonce = /^'nonce-([A-Za-z0-9+/]+=*)'$/.exec(src.trim())?.[1];
      expect(nonce, `${p}: ${src}`).toBeTruthy();
      nonces.add(nonce!);
      const tags = [...res.body.matchAll(/<script\b[^>]*>/gi)].map((m) => m[0]);
      expect(tags.length, p).toBeGreaterThanOrEqual(3);
      for (const tag of tags) expect(tag, p).toContain(` nonce="${nonce}"`);
      // No inline event handlers, which a nonce does not cover.
      expect(res.body, p).not.toMatch(/<[a-z][^>]*\son[a-z]+\s*=/i);
    }
    expect(nonces.size).toBe(4);
  });

  it("serves a draft without the document's own CSP meta tag", async () => {
    const body = (await req(`/draft/${E}/taixin-ecology.html`)).body;
    expect(body).toContain('<meta name="generator" content="briefing">');
    expect(body).not.toMatch(/http-equiv=["']?Content-Security-Policy/i);
  });
});

describe('in a browser', () => {
  it('lays out a draft with Paged.js under the policy, refuses another site, and lets the index select an edition', async () => {
    const foreignHits: string[] = [];
    const preview403: string[] = [];
    const blocked: string[] = [];
    const port = Number(new URL(preview.url).port);
    // Another site: a page on another address (localhost is not 127.0.0.1's site) that loads a PDF,
    // fetches a draft and links to one.
    const evil = http.createServer((request, res) => {
      foreignHits.push(request.url ?? '');
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end(`<!doctype html><img src="http://localhost:${port}/pdf/${E}/taixin-industry.zh.pdf">
<script>fetch('http://localhost:${port}/draft/${E}/taixin-industry.zh.html', { mode: 'no-cors' }).catch(() => {});</script>
<a id="draft" href="http://localhost:${port}/draft/${E}/taixin-industry.zh.html">draft</a> <a id="index" href="http://localhost:${port}/">index</a>`);
    });
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
    // A browser of its own: the printer's is kept off the network.
    const { executablePath } = await findBrowser();
    const profile = mkdtempSync(path.join(os.tmpdir(), 'briefing-test-browser-'));
    const browser = await (await loadPuppeteer()).launch({
      executablePath, pipe: true, headless: /headless[-_]shell/.test(path.basename(executablePath)) ? 'shell' : true,
      args: ['--disable-gpu', '--no-first-run', `--user-data-dir=${profile}`, ...(process.getuid?.() === 0 ? ['--no-sandbox'] : [])],
    });
    try {
      const page = await browser.newPage();
      const violations: string[] = [];
      page.on('console', (m) => {
        if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
      });
      await page.evaluateOnNewDocument(() => {
        document.addEventListener('securitypolicyviolation', (e) => console.error(`Content Security Policy violation: ${e.violatedDirective} ${e.blockedURI}`));
      });
      page.on('response', (r) => {
        if (r.url().startsWith(`http://localhost:${port}/`) && r.status() === 403) preview403.push(new URL(r.url()).pathname);
      });
      // Chromium withholds the image's 403 from the page (ERR_BLOCKED_BY_ORB): a failure, once answered.
      page.on('requestfailed', (r) => {
        if (r.url().startsWith(`http://localhost:${port}/`)) blocked.push(`${new URL(r.url()).pathname} ${r.failure()?.errorText ?? ''}`);
      });

      // A draft: Paged.js lays out its sheets and the client fills the bar, with no violation.
      await page.goto(new URL(`/draft/${E}/taiyuan-jinzhong-public-services.en.html`, preview.url).href);
      await page.waitForFunction(() => /\d+ pages/.test(document.querySelector('#briefing-preview-bar')?.textContent ?? ''), { timeout: 30_000 });
      expect(await page.$$eval('.pagedjs_page', (els) => els.length)).toBeGreaterThan(1);
      expect(violations).toEqual([]);
      // And the policy holds: a script without the nonce does not run.
      const ran = await page.evaluate(() => {
        const s = document.createElement('script');
        s.textContent = 'window.injected = true';
        document.head.appendChild(s);
        return (window as unknown as { injected?: boolean }).injected === true;
      });
      expect(ran).toBe(false);
      await expect.poll(() => violations.join('\n')).toMatch(/violation: script-src/);
      violations.length = 0;

      // Another site's page: its image, fetch and link get 403; nothing is printed.
      const printedBefore = printedLines().length;
      const pdfsBefore = pdfsOnDisk();
      const { port: evilPort } = evil.address() as AddressInfo;
      await page.goto(`http://127.0.0.1:${evilPort}/`, { waitUntil: 'networkidle0' });
      await Promise.all([page.waitForNavigation(), page.click('#draft')]);
      expect(await page.evaluate(() => document.body.innerText)).toMatch(/^forbidden: a request from another site \(Sec-Fetch-Site: cross-site\)/);
      // The fetch and the link: 403. The image: answered, and nothing printed (networkidle0 waited for it).
      expect(preview403).toEqual([`/draft/${E}/taixin-industry.zh.html`, `/draft/${E}/taixin-industry.zh.html`]);
      expect(blocked.some((b) => b.startsWith(`/pdf/${E}/taixin-industry.zh.pdf `)) || preview403.includes(`/pdf/${E}/taixin-industry.zh.pdf`)).toBe(true);
      expect(printedLines().length).toBe(printedBefore);
      expect(pdfsOnDisk()).toEqual(pdfsBefore);
      // Its link to the index is followed.
      await page.goto(`http://127.0.0.1:${evilPort}/`);
      await Promise.all([page.waitForNavigation(), page.click('#index')]);
      expect(await page.$eval('h1', (h) => h.textContent)).toContain('Briefing preview');

      // The index's selector submits its form (a listener of the client, no inline handler).
      await Promise.all([page.waitForNavigation(), page.select('select[name="edition"]', '2022-11')]);
      expect(new URL(page.url()).searchParams.get('edition')).toBe('2022-11');
      expect(violations).toEqual([]);
    } finally {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
      evil.close();
    }
    expect(foreignHits.length).toBeGreaterThan(0);
  });
});

import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config.js';
import { startPreview, type Preview } from '../../src/preview/server.js';
import { copyProject } from '../helpers/cli.js';
import { descendants } from '../hostile/held-helpers.js';
import { SUITE_EDITION, SUITE_NOW } from '../suite.js';
import { rawRequest, subscribe, type EventStream } from './events.js';

const E = SUITE_EDITION;
const TRANSPORT = `/draft/${E}/taixin-transport.html`;
const ECOLOGY = `/draft/${E}/taixin-ecology.html`;

let dir: string;
let preview: Preview;
let stream: EventStream;
const url = (p: string) => new URL(p, preview.url).href;
const get = async (p: string) => {
  const res = await fetch(url(p));
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
};
const file = (rel: string) => path.join(dir, rel);
const edit = (rel: string, change: (text: string) => string) => {
  const before = readFileSync(file(rel), 'utf8');
  const after = change(before);
  expect(after).not.toBe(before);
  writeFileSync(file(rel), after);
  return () => writeFileSync(file(rel), before);
};
/** The problems a served page carries in its state, as the overlay shows them. */
const problemsIn = (html: string) => (JSON.parse(/<script(?: nonce="[^"]*")? type="application\/json" id="briefing-preview-state">(.*?)<\/script>/s.exec(html)![1]!) as { problems: string[] }).problems;

beforeAll(async () => {
  dir = copyProject(['data', 'templates']);
  const config = resolveConfig({ root: dir, edition: E, now: SUITE_NOW, out: path.join(dir, 'output') });
  preview = await startPreview(config, { port: 0, host: '127.0.0.1', ...(process.env.PREVIEW_TEST_LOG ? { log: (l: string) => console.log(l) } : {}) });
  expect(preview.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
});

afterAll(async () => {
  stream?.close();
  await preview?.close();
  await preview?.done;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('briefing preview', () => {
  it('indexes every zone × theme × language with its draft and PDF, and offers the editions the data supports', async () => {
    const index = await get('/');
    expect(index.status).toBe(200);
    expect(index.type).toMatch(/^text\/html/);
    for (const zone of ['taixin', 'taiyuan-jinzhong']) {
      for (const theme of ['transport', 'ecology', 'industry', 'public-services']) {
        for (const suffix of ['', '.zh', '.en']) {
          expect(index.body).toContain(`href="/draft/${E}/${zone}-${theme}${suffix}.html"`);
          expect(index.body).toContain(`href="/pdf/${E}/${zone}-${theme}${suffix}.pdf"`);
        }
      }
    }
    expect(index.body).toContain('太忻一体化经济区');
    expect(index.body).toContain('Taiyuan–Jinzhong');
    const options = [...index.body.matchAll(/<option value="([\d-]+)"( selected)?/g)].map((m) => m[1] + (m[2] ? '*' : ''));
    expect(options).toEqual(expect.arrayContaining(['2022-05', '2022-11', `${E}*`]));
    const other = await get('/?edition=2022-11');
    expect(other.body).toContain('<option value="2022-11" selected>');
    expect(other.body).toContain('href="/draft/2022-11/taixin-transport.html"');
  });

  it('serves a draft as renderDraft makes it, with Paged.js and the client, and nothing from the network', async () => {
    const draft = await get(`/draft/${E}/taixin-transport.en.html`);
    expect(draft.status).toBe(200);
    expect(draft.body).toContain('Taixin intercity EMU first run');
    // The client, a module, then Paged.js: both deferred, they run in this order once the page is parsed.
    expect(draft.body).toMatch(/<script nonce="[A-Za-z0-9+/]+=*" type="module" src="\/__preview\/dist\/preview\/browser\/client\.js"><\/script>\n<script nonce="[A-Za-z0-9+/]+=*" defer src="\/__preview\/paged\.polyfill\.js"><\/script>/);
    expect(draft.body).toContain('id="briefing-preview-state"');
    expect(problemsIn(draft.body)).toEqual([]);
    // Every URL the page refers to is this server's own.
    const refs = [...draft.body.matchAll(/(?:src|href)="([^"#]+)"|url\("?([^")]+)"?\)/g)].map((m) => m[1] ?? m[2]!).filter((r) => !r.startsWith('data:'));
    expect(refs.filter((r) => /^[a-z]+:/i.test(r) || r.startsWith('//'))).toEqual([]);
    for (const ref of new Set(refs)) {
      const res = await fetch(new URL(ref, url(`/draft/${E}/taixin-transport.en.html`)));
      expect(res.status, ref).toBe(200);
    }
    const paged = await get('/__preview/paged.polyfill.js');
    expect(paged.status).toBe(200);
    expect(paged.type).toMatch(/javascript/);
    expect(paged.body).toContain('Paged.js');
    // The client's modules, compiled, and every module they import (from the same folder of the server's).
    const modules = ['/__preview/dist/preview/browser/client.js'];
    for (const m of modules) {
      const res = await get(m);
      expect(res.status, m).toBe(200);
      expect(res.type, m).toMatch(/^text\/javascript/);
      for (const [, spec] of res.body.matchAll(/^import[^'"]*['"]([^'"]+)['"]/gm)) {
        const next = new URL(spec!, url(m)).pathname;
        if (!modules.includes(next)) modules.push(next);
      }
    }
    expect(modules.sort()).toEqual(['/__preview/dist/preview/browser/client.js', '/__preview/dist/preview/browser/paged-fixes.js', '/__preview/dist/print/contents.js']);
    // Nothing else of the compiled code.
    for (const other of ['/__preview/dist/cli.js', '/__preview/dist/config.js', '/__preview/dist/preview/client.js', '/__preview/dist/print/contents.js.map', '/__preview/dist/']) {
      expect((await get(other)).status, other).toBe(404);
    }
    expect((await get(`/draft/${E}/nowhere-transport.html`)).status).toBe(404);
    expect((await get(`/draft/2023-13/taixin-transport.html`)).status).toBe(404);
  });

  it('renders again the drafts a fact sheet affects, pushes a reload, and serves the new text', async () => {
    const before = await get(TRANSPORT);
    expect(before.body).toContain('Taixin intercity EMU first run');
    await get(ECOLOGY);
    stream = await subscribe(preview.url, TRANSPORT);
    const from = stream.events.length;
    edit('data/facts/taixin/transport.yaml', (t) => t.replace('en: Taixin intercity EMU first run', 'en: First run of the Taixin intercity EMU'));
    const reload = await stream.waitFor((e) => e.event === 'reload', { from });
    expect(reload.data.pages).toContain(TRANSPORT);
    expect(reload.data.pages).not.toContain(ECOLOGY);
    expect(reload.data.all).toBe(false);
    const after = await get(TRANSPORT);
    expect(after.body).toContain('First run of the Taixin intercity EMU');
    expect(after.body).not.toContain('Taixin intercity EMU first run');
  });

  it('shows broken YAML as file:line:col over the last good draft, and clears it when fixed', async () => {
    const from = stream.events.length;
    const restore = edit('data/facts/taixin/ecology.yaml', (t) => t.replace(/\n {4}title:\n/, '\n    title: [unclosed\n'));
    const problems = await stream.waitFor((e) => e.event === 'problems', { from });
    const lines = problems.data.lines as string[];
    expect(lines.length).toBeGreaterThan(0);
    expect(lines[0]).toMatch(/data\/facts\/taixin\/ecology\.yaml:\d+:\d+: YAML syntax error/);
    // The server runs on, serving the last good draft with the problems for the overlay.
    const draft = await get(TRANSPORT);
    expect(draft.status).toBe(200);
    expect(draft.body).toContain('First run of the Taixin intercity EMU');
    expect(problemsIn(draft.body)).toEqual(lines);
    expect(problemsIn((await get('/')).body)).toEqual(lines);
    const fixedFrom = stream.events.length;
    restore();
    const reload = await stream.waitFor((e) => e.event === 'reload', { from: fixedFrom });
    expect(reload.data.all).toBe(true);
    expect(problemsIn((await get(TRANSPORT)).body)).toEqual([]);
  });

  it('shows a failed check and a template syntax error the same way', async () => {
    let from = stream.events.length;
    const restoreFact = edit('data/facts/taixin/transport.yaml', (t) => t.replace('value: 59100000000', 'value: 59200000000'));
    let problems = await stream.waitFor((e) => e.event === 'problems', { from });
    expect((problems.data.lines as string[]).join('\n')).toMatch(/data\/facts\/taixin\/transport\.yaml:\d+:\d+: value 59200000000 CNY of "[a-z-]+" is not written in its quote/);
    from = stream.events.length;
    restoreFact();
    await stream.waitFor((e) => e.event === 'reload', { from });

    from = stream.events.length;
    const restoreTemplate = edit('templates/partials/fact.hbs', (t) => `${t}\n{{#if broken}}\n`);
    problems = await stream.waitFor((e) => e.event === 'problems', { from });
    expect((problems.data.lines as string[]).join('\n')).toMatch(/templates\/partials\/fact\.hbs:\d+:\d+: template error/);
    expect((await get(TRANSPORT)).status).toBe(200);
    from = stream.events.length;
    restoreTemplate();
    const reload = await stream.waitFor((e) => e.event === 'reload', { from });
    expect(reload.data.all).toBe(true);
    expect(problemsIn((await get(TRANSPORT)).body)).toEqual([]);
  });

  it('refuses paths outside what it serves, methods other than GET and HEAD, and foreign hosts', async () => {
    const attempts = [
      '/../package.json',
      '/%2e%2e/package.json',
      '/%2E%2E/%2E%2E/etc/passwd',
      `/draft/${E}/..%2f..%2fpackage.json`,
      `/draft/${E}/%2e%2e/%2e%2e/package.json`,
      '/draft/%2e%2e/fonts/x.ttf',
      '/%2Fetc%2Fpasswd',
      '//etc/passwd',
      '/draft\\..\\..\\package.json',
      `/draft/${E}/..%5c..%5cpackage.json`,
      '/node_modules/pagedjs/package.json',
      '/package.json',
      '/etc/passwd',
      'http://127.0.0.1/etc/passwd',
    ];
    for (const attempt of attempts) {
      const res = await rawRequest(preview.url, attempt);
      expect([400, 403, 404], attempt).toContain(res.status);
      expect(res.body, attempt).not.toMatch(/"name": "briefing"|root:x:0/);
    }
    for (const folder of ['/draft', '/draft/', `/draft/${E}/`, `/draft/${E}/fonts/`, '/pdf/', '/__preview/', '/templates/', '/data/']) {
      expect((await rawRequest(preview.url, folder)).status, folder).toBe(404);
    }
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
      const res = await rawRequest(preview.url, '/', { method });
      expect(res.status, method).toBe(405);
      expect(res.headers.allow).toBe('GET, HEAD');
    }
    const head = await rawRequest(preview.url, '/', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect((await rawRequest(preview.url, '/', { headers: { host: 'attacker.example' } })).status).toBe(403);
  });

  it('prints the PDF on request with the build pipeline, into the preview cache', async () => {
    const res = await fetch(url(`/pdf/${E}/taiyuan-jinzhong-ecology.en.pdf`));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    expect(readFileSync(file(`output/.preview/${E}/taiyuan-jinzhong-ecology.en.pdf`)).equals(bytes)).toBe(true);
  });
});

describe("the preview's printing browser", () => {
  /** The Chromium processes this test process runs, but for those in `others` (the other previews'). */
  const chromiumsBut = (others: Set<number>) => descendants(process.pid).filter((pid) => {
    try {
      return !others.has(pid) && /chrom/i.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
    } catch {
      return false;
    }
  });
  const until = async (what: string, done: () => boolean) => {
    for (const t0 = Date.now(); !done(); await new Promise((r) => setTimeout(r, 100))) {
      if (Date.now() - t0 > 20_000) throw new Error(`not ${what} after 20 s`);
    }
  };

  it('stays open from one PDF to the next, closes once idle, starts again on the next PDF, and closes with the preview', async () => {
    const root = copyProject(['data', 'templates']);
    const lines: string[] = [];
    const config = resolveConfig({ root, edition: E, now: SUITE_NOW, out: path.join(root, 'output') });
    const own = await startPreview(config, { port: 0, host: '127.0.0.1', log: (l) => void lines.push(l), limits: { browserIdleMs: 1500 } });
    const launches = () => lines.filter((l) => l.startsWith('browser: ')).length;
    const pdf = async (name: string) => {
      const res = await fetch(new URL(`/pdf/${E}/${name}.pdf`, own.url));
      expect(res.status, name).toBe(200);
      expect(Buffer.from(await res.arrayBuffer()).subarray(0, 5).toString()).toBe('%PDF-');
    };
    const others = new Set(chromiumsBut(new Set()));
    const chromiums = () => chromiumsBut(others);
    try {
      expect(chromiums()).toEqual([]);
      await pdf('taixin-ecology.en');
      const first = chromiums();
      expect(first.length).toBeGreaterThan(0);
      await pdf('taixin-transport.zh');
      expect(launches()).toBe(1);
      expect(chromiums()).toEqual(expect.arrayContaining(first));
      // Idle for longer than browserIdleMs: closed, and nothing left running.
      await until('closed when idle', () => chromiums().length === 0);
      await pdf('taiyuan-jinzhong-ecology.en');
      expect(launches()).toBe(2);
      expect(chromiums().length).toBeGreaterThan(0);
    } finally {
      await own.close();
      await own.done;
    }
    await until('closed with the preview', () => chromiums().length === 0);
    expect(lines.filter((l) => /^printed /.test(l))).toHaveLength(3);
  });
});

describe('briefing preview started on broken data', () => {
  it('runs, shows the problems where a draft would be, and serves the draft once fixed', async () => {
    const broken = copyProject(['data', 'templates']);
    const sheet = path.join(broken, 'data/facts/taixin/ecology.yaml');
    const good = readFileSync(sheet, 'utf8');
    writeFileSync(sheet, `${good}\n  - id: [unclosed\n`);
    const config = resolveConfig({ root: broken, edition: E, now: SUITE_NOW, out: path.join(broken, 'output') });
    const p = await startPreview(config, { port: 0, host: '127.0.0.1' });
    const events = await subscribe(p.url, TRANSPORT);
    try {
      const res = await fetch(new URL(TRANSPORT, p.url));
      expect(res.status).toBe(503);
      const lines = problemsIn(await res.text());
      expect(lines[0]).toMatch(/data\/facts\/taixin\/ecology\.yaml:\d+:\d+: YAML syntax error/);
      const from = events.events.length;
      writeFileSync(sheet, good);
      expect((await events.waitFor((e) => e.event === 'reload', { from })).data.all).toBe(true);
      const fixed = await fetch(new URL(TRANSPORT, p.url));
      expect(fixed.status).toBe(200);
      expect(problemsIn(await fixed.text())).toEqual([]);
    } finally {
      events.close();
      await p.close();
      rmSync(broken, { recursive: true, force: true });
    }
  });
});

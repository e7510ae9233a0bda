import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';
import { classifyChange, mergeChanges } from '../../src/preview/watch.js';
import { parseTarget } from '../../src/preview/paths.js';
import { BROWSER_MODULES, injectPreview, removeCspMeta, scriptJson } from '../../src/preview/client.js';

const dirs = { dataDir: '/p/data', templatesDir: '/p/templates' };

describe('which drafts a changed file affects', () => {
  it('a fact sheet: its zone × theme only', () => {
    const c = classifyChange('/p/data/facts/taixin/transport.yaml', dirs);
    expect(c).toEqual({ data: true, templates: false, scope: new Set(['taixin/transport']) });
  });
  it('a lead: its zone × theme only', () => {
    expect(classifyChange('/p/data/leads/taixin/transport/2022-11.md', dirs)).toEqual({ data: true, templates: false, scope: new Set(['taixin/transport']) });
    expect(classifyChange('/p/data/leads/taixin/transport/notes.txt', dirs)).toBeUndefined();
  });
  it('zones, themes, sources and source texts: every draft', () => {
    for (const f of ['zones.yaml', 'themes.yaml', 'sources.yaml', 'sources/000_32369ebad8b3415c.txt']) {
      expect(classifyChange(path.join('/p/data', f), dirs)).toEqual({ data: true, templates: false, scope: 'all' });
    }
  });
  it('templates and styles: every draft', () => {
    expect(classifyChange('/p/templates/partials/fact.hbs', dirs)).toEqual({ data: false, templates: true, scope: 'all' });
    expect(classifyChange('/p/templates/styles/print.css', dirs)).toEqual({ data: false, templates: true, scope: 'all' });
  });
  it('nothing: a README, a file outside both folders', () => {
    expect(classifyChange('/p/data/README.md', dirs)).toBeUndefined();
    expect(classifyChange('/p/templates/notes.txt', dirs)).toBeUndefined();
    expect(classifyChange('/p/src/cli.ts', dirs)).toBeUndefined();
    expect(classifyChange('/p/data-old/zones.yaml', dirs)).toBeUndefined();
  });
  it('a batch touches the union of its files', () => {
    const a = { data: true, templates: false, scope: new Set(['taixin/transport']), files: ['a'] };
    const b = { data: true, templates: false, scope: new Set(['taixin/ecology']), files: ['b'] };
    expect(mergeChanges(a, b).scope).toEqual(new Set(['taixin/transport', 'taixin/ecology']));
    expect(mergeChanges(a, { data: false, templates: true, scope: 'all', files: ['c'] })).toMatchObject({ data: true, templates: true, scope: 'all' });
  });
});

describe('request paths', () => {
  it('splits and decodes segment by segment', () => {
    const t = parseTarget('/draft/2023-03/taixin-transport.html?x=1');
    expect(t).toMatchObject({ ok: true, segments: ['draft', '2023-03', 'taixin-transport.html'] });
    expect(t.ok && t.query.get('x')).toBe('1');
    expect(parseTarget('/')).toMatchObject({ ok: true, segments: [] });
  });
  it.each(['/..', '/a/../b', '/%2e%2e/x', '/%2E%2e/x', '/a/.%2e/x', '/a%2fb', '/a%2F..%2Fb', '/%2Fetc%2Fpasswd', '//etc/passwd', '/a\\b', '/a%5cb', '/a/./b', '/a%00b', '/C:%5cwindows'])('refuses %s', (p) => {
    expect(parseTarget(p)).toMatchObject({ ok: false, status: 403 });
  });
  it('refuses what is not a path, or badly encoded', () => {
    expect(parseTarget('http://example.com/')).toMatchObject({ ok: false, status: 400 });
    expect(parseTarget('*')).toMatchObject({ ok: false, status: 400 });
    expect(parseTarget('/%E0%A4%A')).toMatchObject({ ok: false, status: 400 });
  });
});

describe('what the preview adds to a draft', () => {
  it('puts its state, client and Paged.js in the head, with problems that cannot close the script', () => {
    const html = injectPreview('<html><head><title>t</title></head><body>x</body></html>', {
      serverId: 's', generation: 1, page: '/draft/2023-03/a-b.html', problems: ['data/x.yaml:1:2: bad </script><b>'], links: { index: '/' },
    });
    const head = html.slice(0, html.indexOf('</head>'));
    expect(head).toContain('<script type="module" src="/__preview/dist/preview/browser/client.js"></script>\n<script defer src="/__preview/paged.polyfill.js"></script>');
    expect(head).not.toContain('</script><b>');
    expect(head).toContain(scriptJson('data/x.yaml:1:2: bad </script><b>'));
    expect(html.endsWith('<body>x</body></html>')).toBe(true);
  });
});

describe("the document's own Content-Security-Policy", () => {
  const doc = (meta: string) => `<!doctype html><html><head><meta charset="utf-8">${meta}<title>t</title></head><body><p>x</p></body></html>`;
  it.each([
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'none'">`,
    `<META HTTP-EQUIV="content-security-policy" CONTENT="script-src 'none'">`,
    `<meta content="script-src 'none'" http-equiv="Content-Security-Policy" />`,
    `<meta http-equiv='Content-Security-Policy' content='script-src "none"'>`,
    `<meta http-equiv=Content-Security-Policy content="script-src 'none'">`,
    `<meta\n  http-equiv = "Content-Security-Policy"\n  content="script-src 'none'; img-src a>b"\n>`,
    `<meta http-equiv=" Content-Security-Policy " content="script-src 'none'"/>`,
  ])('removes %s from the head, and nothing else', (meta) => {
    expect(removeCspMeta(doc(meta))).toBe(doc(''));
  });
  it('keeps other meta tags, a tag merely mentioning the policy, and anything in the body', () => {
    const keep = doc(`<meta name="generator" content="briefing"><meta name="x" content="http-equiv=Content-Security-Policy"><meta http-equiv="content-type" content="text/html">`);
    expect(removeCspMeta(keep)).toBe(keep);
    const inBody = `<html><head></head><body><meta http-equiv="Content-Security-Policy" content="x"></body></html>`;
    expect(removeCspMeta(inBody)).toBe(inBody);
    expect(removeCspMeta('<meta http-equiv="Content-Security-Policy" content="x"><p>no head</p>')).toBe('<p>no head</p>');
    // A tag that never closes is left alone, and a long run of attributes costs no backtracking.
    expect(removeCspMeta(`<head><meta http-equiv="Content-Security-Policy" content="x</head>`)).toBe(`<head><meta http-equiv="Content-Security-Policy" content="x</head>`);
    const many = `<head><meta ${'a'.repeat(50_000)}</head>`;
    expect(removeCspMeta(many)).toBe(many);
  });
  it('is gone from a draft the preview serves, whose scripts all carry the nonce', () => {
    const html = injectPreview(doc(`<meta http-equiv="Content-Security-Policy" content="script-src 'none'">`), {
      serverId: 's', generation: 1, page: '/draft/2023-03/a-b.html', problems: [], links: { index: '/' }, nonce: 'abc+/123=',
    });
    expect(html).not.toMatch(/Content-Security-Policy/i);
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    // State, words, the client and Paged.js.
    expect(scripts.length).toBe(4);
    for (const tag of scripts) expect(tag).toContain(' nonce="abc+/123="');
    expect(html).not.toContain('"nonce"');
  });
});

describe("the preview's browser code", () => {
  // Served from dist/ by path (BROWSER_MODULES): what a module imports at run time must be served too,
  // and be browser code, never Node's.
  it('imports at run time only modules the preview serves', () => {
    const served = new Set<string>(BROWSER_MODULES);
    for (const module of BROWSER_MODULES) {
      const source = readFileSync(path.join(ROOT, 'src', module.replace(/\.js$/, '.ts')), 'utf8');
      const runtime = [...source.matchAll(/^import\s+(?!type\s)[^'"]*['"]([^'"]+)['"]/gm)].map((m) => m[1]!);
      for (const spec of runtime) {
        expect(spec, `${module} imports ${spec}`).toMatch(/^\.{1,2}\//);
        expect(served.has(path.posix.join(path.posix.dirname(module), spec)), `${module} imports ${spec}`).toBe(true);
      }
    }
  });
});


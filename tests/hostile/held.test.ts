/**
 * Issue 17, what held: hostile inputs a tester tried that were refused properly, and must stay refused.
 * Each case checks the exit code, the message (one line per problem, `file:line:col: what (how to fix)`,
 * no stack trace) and that nothing was written (the data folder and the output folder are compared before
 * and after). Cases an existing test covers exactly are not repeated here:
 *   - a 50 MB sheet, and nesting 100,000 levels deep (flow style) in a sheet: tests/hostile/input.test.ts,
 *     "refuses a 50 MB sheet without parsing it", "refuses nesting deeper than a data file needs, where it
 *     goes too deep" (other files and block style: tests/hostile/variants.test.ts);
 *   - the preview's other HTTP methods (POST, PUT, DELETE, PATCH, OPTIONS → 405 with Allow: GET, HEAD) and a
 *     foreign Host (→ 403): tests/preview/server.test.ts, "refuses paths outside what it serves, methods
 *     other than GET and HEAD, and foreign hosts" (other Host headers and methods: variants.test.ts).
 * Cases covered in part elsewhere, completed here: an alias bomb in a sheet's `items` (input.test.ts; here
 * under unknown keys of four kinds of file); a duplicate id in the base fixture, by check only
 * (tests/fixtures/duplicate-id; here across the real sheets, by check and build, nothing written); a
 * byte-order mark in one sheet, by check (input.test.ts, "accepts a byte-order mark"; here with CRLF in every
 * file, built and compared); a second build refused while one runs (tests/editions/schedule.test.ts, "lets one
 * run at a time write to an output folder"; here three started at once, and the state checked); Ctrl-C in
 * the middle of printing into an empty folder, the browser's own process checked (tests/e2e/browser.test.ts,
 * "closes Chromium on Ctrl-C and leaves no partial PDF"; here SIGTERM, a signal while Chromium starts, an
 * earlier edition kept whole, and every descendant process and the browser profile checked); 14 traversal
 * paths (tests/preview/server.test.ts; here 36 others).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { htmlText } from '../../src/render/escape.js';
import { resolveConfig } from '../../src/config.js';
import { startPreview, type Preview } from '../../src/preview/server.js';
import { ROOT, copyProject, tempDir } from '../helpers/cli.js';
import { consistent, leftovers, outputState, sameState } from '../editions/output-state.js';
import { rawRequest } from '../preview/events.js';
import { BIN, BUILD, NOW, SHEET, TEMPLATES, descendants, expectRefused, lineOf, replaceOnce, run, state, stillRunning, watchDescendants, withFiles } from './held-helpers.js';

const scratch: string[] = [];
afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

function project(parts: ('data' | 'templates')[] = ['data']): string {
  const dir = copyProject(parts);
  scratch.push(dir);
  return dir;
}

/** Nine anchors, each a list of nine aliases of the one before: 387 million strings when expanded. */
function aliasBomb(indent: string): string {
  const names = 'abcdefghi';
  return [...names].map((a, i) => `${indent}- &${a} [${Array(9).fill(i === 0 ? '"lol"' : `*${names[i - 1]}`).join(', ')}]`).join('\n');
}

const anchorLine = (file: string, line: number, col: number) => `${file}:${line}:${col}: YAML anchor "&a": data files take no anchors or aliases (write the value out in full wherever it is used)`;

// ---------------------------------------------------------------------------------------------------
describe('data files: refused in one located line, nothing written', () => {
  let dir: string;
  beforeAll(async () => {
    dir = project();
    // An output folder with an edition in it, which a refused build must leave as it is.
    const r = await run(dir, BUILD);
    expect(r.code, r.stderr).toBe(0);
  });

  it('an alias bomb under an unknown key of zones.yaml, sources.yaml, a fact and a draft, at its first anchor', { timeout: 20_000 }, async () => {
    const started = performance.now();
    await withFiles(dir, { 'data/zones.yaml': (t) => `${t}x_unknown:\n${aliasBomb('  ')}\n` }, async () => {
      const line = readFileSync(path.join(ROOT, 'data/zones.yaml'), 'utf8').split('\n').length + 1;
      await expectRefused(dir, [['check'], BUILD, ['list']], [anchorLine('data/zones.yaml', line, 5)]);
    });
    await withFiles(dir, { 'data/sources.yaml': (t) => replaceOnce(t, '  - id: 000_32369ebad8b3415c\n', `  - id: 000_32369ebad8b3415c\n    x_notes:\n${aliasBomb('      ')}\n`) }, async () => {
      const line = lineOf(readFileSync(path.join(ROOT, 'data/sources.yaml'), 'utf8'), '  - id: 000_32369ebad8b3415c') + 2;
      await expectRefused(dir, [['check'], BUILD], [anchorLine('data/sources.yaml', line, 9)]);
    });
    await withFiles(dir, { [SHEET]: (t) => replaceOnce(t, '  - id: tx-intercity-emu-launch\n', `  - id: tx-intercity-emu-launch\n    x_extra:\n${aliasBomb('      ')}\n`) }, async () => {
      await expectRefused(dir, [['check'], BUILD], [anchorLine(SHEET, 5, 9)]);
    });
    // A draft is read by check and draft --accept (never by a build).
    await withFiles(dir, { 'data/drafts/000_32369ebad8b3415c.yaml': () => `source: 000_32369ebad8b3415c\nfacts: []\nx_unknown:\n${aliasBomb('  ')}\n` }, async () => {
      await expectRefused(dir, [['check'], ['draft', '--accept', 'd000-01']], [anchorLine('data/drafts/000_32369ebad8b3415c.yaml', 4, 5)]);
    });
    rmSync(path.join(dir, 'data/drafts'), { recursive: true, force: true });
    // Eleven refusals of a 387-million-string document, each at once.
    expect(performance.now() - started).toBeLessThan(15_000);
  });

  it('a fact id used twice, across sheets', async () => {
    const text = readFileSync(path.join(dir, SHEET), 'utf8');
    const block = text.slice(text.indexOf('  - id: tx-intercity-emu-launch\n'), text.indexOf('  - id: tx-intercity-emu-daily-pairs\n'));
    const ecology = 'data/facts/taixin/ecology.yaml';
    await withFiles(dir, { [ecology]: (t) => replaceOnce(t, 'facts:\n', `facts:\n${block}`) }, async () => {
      // ecology.yaml is read first: the fact in transport.yaml is the second of the id.
      await expectRefused(dir, [['check'], BUILD], [`${SHEET}:3:9: fact id "tx-intercity-emu-launch" is also used at ${ecology}:2 (ids are unique across all sheets; rename one)`]);
    });
  });

  it('a byte-order mark and CRLF line endings in every file build the same briefings as without', { timeout: 20_000 }, async () => {
    const files = readdirSync(path.join(dir, 'data'), { recursive: true, encoding: 'utf8' }).filter((f) => /\.(yaml|txt|md)$/.test(f)).map((f) => `data/${f}`);
    expect(files.length).toBeGreaterThan(10);
    expect(files.filter((f) => f.startsWith('data/leads/')).length).toBeGreaterThan(0);
    const crlf = (t: string) => t.replace(/\n/g, '\r\n');
    const changes = Object.fromEntries(files.map((f) => [f, (t: string) => (/\.(yaml|md)$/.test(f) ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(crlf(t))]) : crlf(t))]));
    await withFiles(dir, changes, async () => {
      expect(readFileSync(path.join(dir, SHEET)).subarray(0, 5)).toEqual(Buffer.from([0xef, 0xbb, 0xbf, 0x66, 0x61]));
      const check = await run(dir, ['check']);
      expect(check.stderr).toBe('');
      expect(check.code).toBe(0);
      const built = await run(dir, ['build', '--out', 'out-crlf', '--edition', '2023-03', '--now', NOW, '--html-only', '--templates', TEMPLATES]);
      expect(built.stderr).toBe('');
      expect(built.code).toBe(0);
      const html = (out: string) => Object.fromEntries(readdirSync(path.join(dir, out, '2023-03')).filter((f) => f.endsWith('.html')).map((f) => [f, readFileSync(path.join(dir, out, '2023-03', f), 'utf8')]));
      const plain = html('out');
      expect(Object.keys(plain)).toHaveLength(8);
      expect(html('out-crlf')).toEqual(plain);
      // A problem in such a file is reported at its line and column as in any other.
      const sheet = path.join(dir, SHEET);
      writeFileSync(sheet, readFileSync(sheet, 'utf8').replace('kind: milestone\r\n', 'kind: milestones\r\n'));
      await expectRefused(dir, [['check'], BUILD], [`${SHEET}:4:11: fact "tx-intercity-emu-launch": kind is "milestones", not one of the allowed values (use one of: metric, target, milestone, initiative)`]);
    });
    rmSync(path.join(dir, 'out-crlf'), { recursive: true, force: true });
  });

  it('source ids that lead out of the sources folder, in facts (source, also, conflict)', async () => {
    const hostile = ['../../etc/passwd', '/etc/passwd', 'a/b', '..', '%2e%2e%2fetc%2fpasswd', '..\\..\\windows\\win.ini', 'file:///etc/passwd'];
    await withFiles(dir, {
      [SHEET]: (t) => {
        const lines = t.split('\n');
        let n = 0;
        for (let i = 0; i < lines.length && n < hostile.length; i++) {
          if (lines[i]!.startsWith('      doc: ')) lines[i] = `      doc: ${JSON.stringify(hostile[n++])}`;
        }
        // And in `also` and `conflict.with` of the first fact.
        const at = lines.indexOf('  - id: tx-intercity-emu-daily-pairs');
        lines.splice(at, 0, '    also:', '      - { doc: ../sources.yaml, quote: 开通“太忻号”城际动车 }', '    conflict:', '      with: { doc: /dev/zero, quote: 开通“太忻号”城际动车 }', '      resolution: { zh: 采用本文, en: This text is adopted. }');
        return lines.join('\n');
      },
    }, async () => {
      const text = readFileSync(path.join(dir, SHEET), 'utf8').split('\n');
      const docLines = text.flatMap((l, i) => (l.startsWith('      doc: ') ? [i + 1] : [])).slice(0, hostile.length);
      const unknown = (line: number, col: number, id: string) => `${SHEET}:${line}:${col}: unknown source "${id}" (use an id from data/sources.yaml)`;
      const at = (id: string) => {
        const i = text.findIndex((l) => l.includes(`doc: ${id},`));
        return [i + 1, text[i]!.indexOf(id) + 1] as const;
      };
      await expectRefused(dir, [['check'], BUILD], [
        unknown(docLines[0]!, 12, hostile[0]!),
        unknown(...at('../sources.yaml'), '../sources.yaml'),
        unknown(...at('/dev/zero'), '/dev/zero'),
        ...hostile.slice(1).map((id, i) => unknown(docLines[i + 1]!, 12, id)),
      ]);
    });
  });

  it('source ids that lead out of the sources folder, in sources.yaml', async () => {
    const hostile = ['../../etc/passwd', '/etc/passwd', 'a/b', '%2e%2e', '..\\x'];
    const entry = (id: string) => `  - id: ${JSON.stringify(id)}\n    title: { zh: 标题, en: Title }\n    publisher: { zh: 报社, en: Daily }\n    published: 2022-11\n    zones: [taixin]\n`;
    const base = readFileSync(path.join(ROOT, 'data/sources.yaml'), 'utf8').split('\n').length;
    await withFiles(dir, { 'data/sources.yaml': (t) => t + hostile.map(entry).join('') }, async () => {
      await expectRefused(dir, [['check'], BUILD], hostile.map((id, i) => `data/sources.yaml:${base + 5 * i}:9: source ${JSON.stringify(id)}: id must be the file stem of a text in data/sources/ (see data/README.md)`));
    });
    // ".." is a name the pattern allows: it names data/sources/...txt, which is not there.
    await withFiles(dir, { 'data/sources.yaml': (t) => t + entry('..') }, async () => {
      await expectRefused(dir, [['check'], BUILD], [`data/sources.yaml:${base}:9: source text data/sources/...txt is missing (copy the text to data/sources/...txt or fix the id)`]);
    });
  });

  it('Handlebars in the data is printed as the text it is', async () => {
    const texts = {
      // English takes no straight quote (an editor's rule), so the quoted lookup rides in the Chinese.
      titleEn: '{{lookup . constructor}} {{{css}}} {{> cover}}',
      titleZh: "首发{{#each facts}}{{this}}{{/each}}{{> ../../etc/passwd}}{{lookup . 'constructor'}}",
      chartEn: '{{{fontFaces}}} {{@root.title}}',
    };
    await withFiles(dir, {
      [SHEET]: (t) => replaceOnce(replaceOnce(replaceOnce(t,
        'en: Taixin intercity EMU first run', `en: ${JSON.stringify(texts.titleEn)}`),
        'zh: “太忻号”城际动车首发\n', `zh: ${JSON.stringify(texts.titleZh)}\n`),
        'en: Road programme length by category }', `en: ${JSON.stringify(texts.chartEn)} }`),
    }, async () => {
      const r = await run(dir, ['build', '--out', 'out-hbs', '--edition', '2023-03', '--now', NOW, '--html-only', '--zone', 'taixin', '--theme', 'transport', '--templates', TEMPLATES]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const html = readFileSync(path.join(dir, 'out-hbs/2023-03/taixin-transport.html'), 'utf8');
      for (const [where, s] of Object.entries(texts)) expect(html, where).toContain(htmlText(s));
      // The page's own stylesheet once, not again where the title asked for it.
      expect(html.split('@page').length).toBe(readFileSync(path.join(dir, 'out/2023-03/taixin-transport.html'), 'utf8').split('@page').length);
    });
    rmSync(path.join(dir, 'out-hbs'), { recursive: true, force: true });
  });

  it('a theme accent that is not a colour', async () => {
    const accents = ['url(http://127.0.0.1:9/accent)', '#1f5fa8; background: url(http://127.0.0.1:9/x)', '#1f5fa8</style><script>alert(1)</script>', 'red'];
    for (const accent of accents) {
      await withFiles(dir, { 'data/themes.yaml': (t) => replaceOnce(t, 'accent: "#1f5fa8"', `accent: ${JSON.stringify(accent)}`) }, async () => {
        await expectRefused(dir, [['check'], BUILD], ['data/themes.yaml:6:13: theme "transport": accent must be a colour #rrggbb (see data/README.md)']);
      });
    }
  });
});

// ---------------------------------------------------------------------------------------------------
describe('URLs in a chart title and a fact title: printed as text, never loaded', () => {
  it('prints the briefing, and nothing reaches a listener on 127.0.0.1', { timeout: 30_000 }, async () => {
    const hits: string[] = [];
    const server = http.createServer((req, res) => {
      hits.push(req.url ?? '');
      res.end('x');
    });
    server.on('connection', () => hits.push('tcp connection'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const dir = project();
    try {
      const sheet = path.join(dir, SHEET);
      let text = readFileSync(sheet, 'utf8');
      text = replaceOnce(text, 'en: Road programme length by category }', `en: "${base}/chart-title" }`);
      text = replaceOnce(text, '      en: Expressways\n', `      en: "${base}/bar.png"\n`);
      // The title keeps the glossary's name for 太忻号 (the check asks for it) and gains the URL.
      text = replaceOnce(text, 'en: Taixin intercity EMU first run', `en: "Taixin intercity EMU run ${base}/fact-title.css"`);
      writeFileSync(sheet, text);
      const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [BIN, 'build', '--out', 'out', '--edition', '2023-03', '--now', NOW, '--zone', 'taixin', '--theme', 'transport', '--templates', TEMPLATES], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('exit', (code) => resolve({ code, stderr }));
      });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      // The build and its browser have exited: a connection of theirs is queued before this one, which the
      // server accepts after it (instead of waiting a second for stragglers).
      await fetch(`${base}/barrier`).then((res) => res.text());
      expect(hits).toEqual(['tcp connection', '/barrier']);
      const html = readFileSync(path.join(dir, 'out/2023-03/taixin-transport.html'), 'utf8');
      for (const p of ['chart-title', 'bar.png', 'fact-title.css']) expect(html).toContain(`${base}/${p}`);
      expect(html).not.toMatch(/(?:src|href)\s*=\s*["']?http|url\(\s*["']?http|@import/i);
      expect(existsSync(path.join(dir, 'out/2023-03/taixin-transport.pdf'))).toBe(true);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

// ---------------------------------------------------------------------------------------------------
describe('template includes outside the templates folder (a custom --templates copy)', () => {
  it('are refused in one line, and read nothing', async () => {
    const dir = project(['data', 'templates']);
    const tpl = ['--templates', 'templates'];
    expect((await run(dir, [...BUILD.slice(0, -2), ...tpl])).code).toBe(0);
    const includes: [string, string][] = [
      ['templates/briefing.hbs', '{{> ../../etc/passwd}}'],
      ['templates/briefing.hbs', '{{> /etc/passwd}}'],
      ['templates/briefing.hbs', '{{> "../../../../../../etc/passwd"}}'],
      ['templates/briefing.hbs', '{{> (lookup . "title")}}'],
      ['templates/partials/fact.hbs', '{{> ../../etc/passwd}}'],
      ['templates/partials/cover.hbs', '{{> ../partials/../../../../etc/hostname}}'],
    ];
    for (const [file, include] of includes) {
      await withFiles(dir, { [file]: (t) => (file.endsWith('briefing.hbs') ? t.replace('<meta name="generator" content="briefing">', `$&\n${include}`) : `${t}\n${include}\n`) }, async () => {
        const before = state(dir);
        const r = await run(dir, [...BUILD.slice(0, -2), ...tpl, '--force']);
        expect({ include, code: r.code, stdout: r.stdout }).toEqual({ include, code: 1, stdout: '' });
        // Told at the file and line of the include itself.
        const at = file.replace(/[/.]/g, '\\$&');
        expect(r.stderr, include).toMatch(new RegExp(`^${at}:\\d+:\\d+: (?:template includes (?:".+", which is not a partial of this folder|a partial whose name is computed) \\(include one of partials/\\*\\.hbs by its name: .+\\)|template error: (?:Parse error on line \\d+:.*|Invalid path: [^ ]+) \\(fix the Handlebars syntax\\))\\n$`));
        expect(r.stderr).not.toMatch(/root:|\n\s+at /);
        expect(state(dir)).toEqual(before);
      });
    }
  });
});

// ---------------------------------------------------------------------------------------------------
describe('concurrent builds into one --out', () => {
  it('one writes, the others exit 1 naming it; never a mix, nothing left over (also taking over a dead run’s lock)', { timeout: 30_000 }, async () => {
    const dir = project();
    const out = path.join(dir, 'out');
    const build = () => new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [BIN, ...BUILD.map((a) => (a === 'out' ? out : a)), '--force', '--zone', 'taiyuan-jinzhong'], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('exit', (code) => resolve({ code, stderr }));
    });
    for (const stale of [false, true]) {
      rmSync(out, { recursive: true, force: true });
      mkdirSync(out);
      if (stale) writeFileSync(path.join(out, '.briefing.lock'), JSON.stringify({ pid: 999_999_999, since: '2023-01-01T00:00:00.000Z' }));
      const results = await Promise.all([build(), build(), build()]);
      const won = results.filter((r) => r.code === 0);
      expect(won.length, JSON.stringify(results)).toBeGreaterThanOrEqual(1);
      for (const r of won) expect(r.stderr).toBe('');
      for (const r of results.filter((x) => x.code !== 0)) {
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(/^briefing: another briefing run \(process \d+, since [^)]+\) is writing to \S+ \(wait for it to finish; if no such process exists, remove \S+\.briefing\.lock\)\n$/);
      }
      const s = outputState(out);
      expect(consistent(s)).toBe(true);
      expect(Object.keys(s.files['2023-03'] ?? {}).filter((f) => f.endsWith('.html')).sort()).toEqual(['ecology', 'industry', 'public-services', 'transport'].map((t) => `taiyuan-jinzhong-${t}.html`).sort());
      expect(leftovers(out)).toEqual([]);
    }
  });
});

// ---------------------------------------------------------------------------------------------------
describe('a signal during a build', () => {
  let out: string;
  let before: ReturnType<typeof outputState>;
  beforeAll(() => {
    out = tempDir('briefing-held-signal-');
    scratch.push(out);
    // Built by a process, as the runs the signal stops are: the state they must leave is one their own code
    // wrote (in-process runs load src/, processes dist/, which may differ while src/ is being edited).
    const r = spawnSync(process.execPath, [BIN, 'build', '--out', out, '--edition', '2023-03', '--now', NOW, '--html-only', '--zone', 'taiyuan-jinzhong', '--theme', 'transport,ecology'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    before = outputState(out);
  });

  const cases: [NodeJS.Signals, 'launching' | 'printing', number][] = [
    ['SIGTERM', 'printing', 143],
    ['SIGINT', 'launching', 130],
  ];
  it.each(cases)('%s while the browser is %s: exit %i, the old edition whole, no staging left, no Chromium left', { timeout: 30_000 }, async (signal, when, exitCode) => {
    // All eight briefings one at a time: when the first PDF is printed seven remain, a second or more, so the
    // signal lands before the commit however late a busy machine delivers it or this process hears of the
    // PDF (with one left, it could land after the switch).
    const child = spawn(process.execPath, [BIN, 'build', '--out', out, '--edition', '2023-03', '--now', NOW, '--force', '--concurrency', '1'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const { seen, profiles, look, stop } = watchDescendants(child.pid!);
    try {
      await new Promise<void>((resolve, reject) => {
        void exited.then((code) => reject(new Error(`exited ${code} before the signal: ${stdout}${stderr}`)));
        if (when === 'printing') {
          child.stdout.on('data', (d: Buffer) => {
            stdout += d.toString();
            if (/\.pdf {2}\d+ pages/.test(stdout)) resolve();
          });
        } else {
          // As soon as Chromium runs: it is still starting.
          const wait = setInterval(() => {
            if (descendants(child.pid!).length) {
              clearInterval(wait);
              resolve();
            }
          }, 5);
        }
      });
      look();
      child.kill(signal);
      expect(await exited).toBe(exitCode);
    } finally {
      stop();
      child.kill('SIGKILL');
    }
    expect(stderr).toBe('');
    expect(seen.size).toBeGreaterThan(0);
    // Every process under the run has ended.
    expect(await stillRunning(seen)).toEqual([]);
    for (const profile of profiles) expect(existsSync(profile), profile).toBe(false);
    expect(sameState(outputState(out), before)).toBe(true);
    expect(leftovers(out)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------
describe('the preview against a greedy or crafty client', () => {
  let dir: string;
  let preview: Preview;
  const E = '2023-03';
  const up = async () => expect((await rawRequest(preview.url, '/')).status).toBe(200);

  beforeAll(async () => {
    dir = project(['data', 'templates']);
    preview = await startPreview(resolveConfig({ root: dir, edition: E, now: NOW, out: path.join(dir, 'output') }), { port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await preview?.close();
    await preview?.done;
  });

  it('refuses 36 more path-traversal variants (double-encoded, backslashes, NUL, overlong UTF-8), and stays up', async () => {
    const attempts = [
      `/draft/${E}/%252e%252e/%252e%252e/package.json`,
      '/%252e%252e/%252e%252e/etc/passwd',
      `/draft/${E}/..%252f..%252fpackage.json`,
      `/draft/${E}/%2e%2e%2f%2e%2e%2fpackage.json`,
      `/draft/${E}/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd`,
      '/draft/%2e%2e%5c%2e%2e%5cpackage.json',
      `/draft\\${E}\\..\\..\\package.json`,
      '/..\\..\\etc\\passwd',
      `/draft/${E}/taixin-transport.html%00.pdf`,
      `/draft/${E}/%00../../etc/passwd`,
      '/source/%00',
      `/draft/${E}/%c0%ae%c0%ae/%c0%ae%c0%ae/package.json`,
      '/%c0%ae%c0%ae%c0%af%c0%ae%c0%ae%c0%afetc%c0%afpasswd',
      '/%e0%80%ae%e0%80%ae/etc/passwd',
      '/%f0%80%80%ae%f0%80%80%ae/etc/passwd',
      '/%c1%9c..%c1%9cetc/passwd',
      `/draft/${E}/.%2e/.%2e/package.json`,
      `/draft/${E}/%2e./%2e./package.json`,
      `/./draft/${E}/taixin-transport.html`,
      `/draft/./${E}/../../../etc/passwd`,
      `/draft/${E}/fonts/../../../../etc/passwd`,
      `/draft/${E}/fonts/%2e%2e/%2e%2e/%2e%2e/etc/passwd`,
      `/pdf/${E}/..%2f..%2f..%2fetc%2fpasswd`,
      '/source/..%2f..%2fpackage.json',
      '/source/%2e%2e',
      '/source/..',
      '/file:///etc/passwd',
      '/source/C:%5cwindows%5cwin.ini',
      `/draft/${E}/%u002e%u002e/package.json`,
      `/draft/${E}/taixin-transport.html/..`,
      `/draft/${E}/%2e%2e%00/package.json`,
      '///etc/passwd',
      `/draft/${E}/....//....//package.json`,
      '/%ef%bc%8e%ef%bc%8e/%ef%bc%8e%ef%bc%8e/etc/passwd',
      `/draft//${E}/taixin-transport.html`,
      '*',
    ];
    expect(new Set(attempts).size).toBe(36);
    for (const attempt of attempts) {
      const res = await rawRequest(preview.url, attempt);
      expect([400, 403, 404], attempt).toContain(res.status);
      expect(res.body, attempt).not.toMatch(/root:x?:0|"name": "briefing"|\[extensions\]|<html/i);
    }
    await up();
  });

  it('answers a 1 MB URL with a 4xx and stays up', async () => {
    const answer = (request: string) => new Promise<string>((resolve) => {
      const { port } = new URL(preview.url);
      const socket = net.connect(Number(port), '127.0.0.1');
      let got = '';
      socket.on('data', (d) => (got += d.toString('latin1')));
      socket.on('error', () => undefined);
      socket.on('close', () => resolve(got));
      socket.write(request, () => socket.end());
    });
    for (const request of [`GET /${'a'.repeat(1_000_000)} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`, `GET /?edition=${'9'.repeat(1_000_000)} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`]) {
      const got = await answer(request);
      expect(got).toMatch(/^HTTP\/1\.1 4\d\d /);
      await up();
    }
  });

  it('answers 200 concurrent requests, all of them, and stays up', { timeout: 30_000 }, async () => {
    const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
    const paths = ['/', `/draft/${E}/taixin-transport.html`, `/draft/${E}/nowhere.html`, '/source/000_32369ebad8b3415c', '/%2e%2e/x'];
    const expected: Record<string, number> = { [paths[0]!]: 200, [paths[1]!]: 200, [paths[2]!]: 404, [paths[3]!]: 200, [paths[4]!]: 403 };
    const { port } = new URL(preview.url);
    const one = (p: string) => new Promise<number>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path: p, agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end();
    });
    try {
      const asked = Array.from({ length: 200 }, (_, i) => paths[i % paths.length]!);
      const statuses = await Promise.all(asked.map(one));
      expect(statuses).toEqual(asked.map((p) => expected[p]));
    } finally {
      agent.destroy();
    }
    await up();
  });

  it('keeps answering others while a client sends its headers byte by byte', { timeout: 20_000 }, async () => {
    const { port } = new URL(preview.url);
    const socket = net.connect(Number(port), '127.0.0.1');
    let got = '';
    socket.on('data', (d) => (got += d.toString()));
    socket.on('error', () => undefined);
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    const request = 'GET /?edition=2023-03 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n';
    const slow = (async () => {
      for (const ch of request) {
        socket.write(ch);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    })();
    const times: number[] = [];
    try {
      while (times.length < 20) {
        const t0 = performance.now();
        expect((await rawRequest(preview.url, `/draft/${E}/taixin-ecology.html`)).status).toBe(200);
        times.push(performance.now() - t0);
        await new Promise((resolve) => setTimeout(resolve, 40));
      }
      await slow;
      await closed;
    } finally {
      socket.destroy();
    }
    expect(Math.max(...times)).toBeLessThan(2000);
    // The slow client is answered as well, once its headers are complete.
    expect(got).toMatch(/^HTTP\/1\.1 200 /);
    await up();
  });
});

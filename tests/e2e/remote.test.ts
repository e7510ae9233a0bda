/**
 * Issue 15: printing on remote browsers, started as a container would start them (no project flags:
 * no --font-render-hinting=none, no --hide-scrollbars), prints the pages a local build prints.
 *   - a pool of three headless shells builds the eight briefings while one is killed and one stopped
 *     mid-run; every PDF has the suite's fonts (pdffonts) and pixels (the suite: the local build of
 *     tests/global-setup.ts, same inputs), and the run's log names both endpoints it dropped;
 *   - a missing or broken font fails the briefing that needed it, naming the file, locally and remotely;
 *   - the probe tells a browser that hints text, and `briefing doctor` reports each endpoint.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { ROOT, cli, tempDir } from '../helpers/cli.js';
import { SUITE_EDITION, SUITE_NOW, suitePdf } from '../suite.js';
import { DPI } from '../visual/compare.js';
import { EXPECTED_FONTS, versionWarnings } from '../../src/doctor.js';
import { createPrinter } from '../../src/print/printer.js';
import { connectTo } from '../../src/print/pool.js';
import { openPrintPage } from '../../src/print/pdf.js';
import { probeTextLayout } from '../../src/print/probe.js';

const SHELL = ['/usr/lib/chromium/chromium-headless-shell', '/usr/bin/chromium-headless-shell'].find((p) => existsSync(p));
const run = promisify(execFile);

interface Shell {
  process: ChildProcess;
  ws: string;
  port: number;
}

const started: ChildProcess[] = [];
afterAll(() => {
  for (const p of started) {
    p.kill('SIGCONT');
    p.kill('SIGKILL');
  }
});

/** A headless shell with only the flags a container image would give it; its port read from stderr. */
async function startShell(): Promise<Shell> {
  const profile = tempDir('briefing-shell-');
  const child = spawn(SHELL!, ['--remote-debugging-port=0', '--remote-debugging-address=127.0.0.1', '--no-sandbox', `--user-data-dir=${profile}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  started.push(child);
  const ws = await new Promise<string>((resolve, reject) => {
    let err = '';
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /DevTools listening on (ws:\/\/127\.0\.0\.1:\d+\/\S+)/.exec(err);
      if (m) resolve(m[1]!);
    });
    child.on('exit', () => reject(new Error(`the headless shell exited: ${err}`)));
  });
  return { process: child, ws, port: Number(new URL(ws).port) };
}

/** Every page of a PDF as pixels, at the visual test's resolution (PPM: raw pixels, eight times quicker than PNG). */
async function pages(pdf: string, dir: string): Promise<Buffer[]> {
  mkdirSync(dir, { recursive: true });
  await run('pdftoppm', ['-r', String(DPI), pdf, path.join(dir, 'p')]);
  return readdirSync(dir)
    .sort((a, b) => Number(/(\d+)\.ppm$/.exec(a)![1]) - Number(/(\d+)\.ppm$/.exec(b)![1]))
    .map((f) => readFileSync(path.join(dir, f)));
}

const pdffonts = (pdf: string) => execFileSync('pdffonts', [pdf], { encoding: 'utf8' });

describe.skipIf(!SHELL)('a pool of remote headless shells', () => {
  it('builds all eight briefings across three, one killed and one stopped mid-run: the local build’s fonts and pixels, both endpoints named in the log', { timeout: 90_000 }, async () => {
    const shells = await Promise.all([startShell(), startShell(), startShell()]);
    // The survivor is given as http://host:port, found through /json/version.
    const endpoints = [shells[0]!.ws, shells[1]!.ws, `http://127.0.0.1:${shells[2]!.port}`];
    const out = tempDir('briefing-pool-');
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/briefing.js'), 'build', '--edition', SUITE_EDITION, '--now', SUITE_NOW, '--out', out, '--concurrency', '2', '--browser-ws', endpoints.join(','), '--verbose'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let struck = false;
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      // After the first PDF every shell is printing two of the seven left.
      if (!struck && /\.pdf {2}\d+ pages/.test(stdout)) {
        struck = true;
        shells[0]!.process.kill('SIGKILL');
        shells[1]!.process.kill('SIGSTOP');
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(struck).toBe(true);
    expect(code, stderr).toBe(0);
    expect(stdout.match(/^browser: .*\(remote, /gm)).toHaveLength(3);
    expect(stderr.trim().split('\n').sort()).toEqual([
      `briefing: warning: ${endpoints[0]} dropped for this run: its connection closed (the browser exited, or the network failed) (2 left)`,
      `briefing: warning: ${endpoints[1]} dropped for this run: it stopped answering (no reply within 5 s) (1 left)`,
    ].sort());
    // The run's log, kept with the edition, names them too.
    const log = (JSON.parse(readFileSync(path.join(out, 'editions.json'), 'utf8')) as { editions: Record<string, { log: { event: string; endpoint?: string }[] }> }).editions[SUITE_EDITION]!.log;
    expect(log.filter((l) => l.event === 'browser-dropped').map((l) => l.endpoint).sort()).toEqual([endpoints[0], endpoints[1]].sort());

    const docs = readdirSync(path.join(inject('suiteDir'), SUITE_EDITION)).filter((f) => f.endsWith('.pdf')).map((f) => f.replace(/\.pdf$/, ''));
    expect(docs).toHaveLength(8);
    expect(readdirSync(path.join(out, SUITE_EDITION)).filter((f) => f.endsWith('.pdf')).sort()).toEqual(docs.map((d) => `${d}.pdf`).sort());
    const work = tempDir('briefing-pool-png-');
    await Promise.all(
      docs.map(async (doc) => {
        const remote = path.join(out, SUITE_EDITION, `${doc}.pdf`);
        const local = suitePdf(inject('suiteDir'), doc);
        const fonts = pdffonts(remote);
        expect(fonts, doc).toBe(pdffonts(local));
        expect(fonts).not.toContain('Type 3');
        for (const name of EXPECTED_FONTS) expect(fonts, doc).toMatch(new RegExp(`\\+${name} `));
        const [a, b] = await Promise.all([pages(remote, path.join(work, doc, 'remote')), pages(local, path.join(work, doc, 'local'))]);
        expect(a.length, `${doc}: pages`).toBe(b.length);
        const differing = a.map((px, i) => (px.equals(b[i]!) ? 0 : i + 1)).filter(Boolean);
        expect(differing, `${doc}: pages whose pixels differ from the local build`).toEqual([]);
      }),
    );
  });

  it('fails a briefing whose font file is missing or broken, naming the file, locally and in a remote browser', { timeout: 60_000 }, async () => {
    const shell = await startShell();
    const dir = tempDir('briefing-fonts-');
    const r = await cli(['build', '--html-only', '--zone', 'taiyuan-jinzhong', '--theme', 'ecology,transport', '--edition', SUITE_EDITION, '--now', SUITE_NOW, '--out', dir]);
    expect(r.code, r.stderr).toBe(0);
    const edition = path.join(dir, SUITE_EDITION);
    rmSync(path.join(edition, 'fonts/taiyuan-jinzhong-ecology.NotoSansSC-700.ttf'));
    writeFileSync(path.join(edition, 'fonts/taiyuan-jinzhong-transport.NotoSans-400.ttf'), 'not a font'.repeat(100));
    const missing = 'could not load fonts/taiyuan-jinzhong-ecology.NotoSansSC-700.ttf (font "Noto Sans SC" 700: no such file)';
    const broken = 'could not load fonts/taiyuan-jinzhong-transport.NotoSans-400.ttf (font "Noto Sans" 400: not a font the browser accepts)';
    for (const where of [{}, { endpoints: [shell.ws] }]) {
      const printer = createPrinter({ concurrency: 2, recycleAfter: 100, timeoutMs: 30_000, env: process.env, roots: [dir], ...where });
      try {
        const [ecology, transport] = await Promise.allSettled([printer.print(path.join(edition, 'taiyuan-jinzhong-ecology.html')), printer.print(path.join(edition, 'taiyuan-jinzhong-transport.html'))]);
        expect(ecology.status === 'rejected' && (ecology.reason as Error).message, JSON.stringify(where)).toBe(missing);
        expect(transport.status === 'rejected' && (transport.reason as Error).message, JSON.stringify(where)).toBe(broken);
      } finally {
        await printer.close();
      }
    }
    // And a build names the briefing: here a template declaring a font file that no build writes.
    const templates = path.join(dir, 'templates');
    cpSync(path.join(ROOT, 'templates'), templates, { recursive: true });
    const css = path.join(templates, 'styles/print.css');
    writeFileSync(css, `@font-face { font-family: "Extra"; src: url("fonts/extra.ttf"); }\n${readFileSync(css, 'utf8')}`);
    const built = await cli(['build', '--zone', 'taiyuan-jinzhong', '--theme', 'ecology', '--edition', SUITE_EDITION, '--now', SUITE_NOW, '--out', path.join(dir, 'out'), '--templates', templates]);
    expect(built.code).toBe(2);
    expect(built.stderr.trim().split('\n')).toEqual([
      'briefing: 1 briefing(s) failed; nothing of this run was written:',
      '  taiyuan-jinzhong-ecology: could not load fonts/extra.ttf (font "Extra" 400: no such file)',
    ]);
  });

  it('tells a browser that hints text from one that lays it out at the fonts’ own widths', async () => {
    const shell = await startShell();
    const cut = {};
    const browser = await connectTo(shell.ws, cut);
    try {
      const tab = await openPrintPage(browser, [ROOT]);
      // As printed (text-rendering: geometricPrecision), then as the shell lays text out by default.
      const printed = await probeTextLayout(tab);
      const hinted = await probeTextLayout(tab, { textRendering: 'auto' });
      expect(printed.ok, JSON.stringify(printed)).toBe(true);
      expect(hinted.ok, JSON.stringify(hinted)).toBe(false);
      expect(Math.abs(hinted.measured - hinted.expected)).toBeGreaterThan(1);
    } finally {
      await browser.disconnect();
    }
  });

  it('briefing doctor: each endpoint’s version, round trip and test page with the bundled fonts; one it cannot reach fails', async () => {
    const shell = await startShell();
    const r = await cli(['doctor', '--browser-ws', `http://127.0.0.1:${shell.port},http://127.0.0.1:1`]);
    expect(r.code, r.stderr).toBe(1);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe(`http://127.0.0.1:${shell.port}`);
    expect(lines[1]).toMatch(/^ {2}version {5}HeadlessChrome\/\d+\./);
    expect(lines[2]).toMatch(/^ {2}round trip {2}\d+\.\d ms \(median of 5\)$/);
    expect(lines[3]).toMatch(/^ {2}text layout [\d.]+ px for [\d.]+ px of the font's own advances$/);
    expect(lines[4]).toMatch(new RegExp(`^  test page   1 page, fonts ${EXPECTED_FONTS.map(() => '\\S+').join(', ')}, \\d+ ms$`));
    for (const name of EXPECTED_FONTS) expect(lines[4]).toContain(name);
    expect(lines.slice(5)).toEqual(['  ok', 'http://127.0.0.1:1', '  FAILED: could not reach it: http://127.0.0.1:1/json/version: connection refused (ECONNREFUSED)', '2 browsers: 1 ok, 1 failed']);
  });

  it('warns when browsers run different Chromium versions, or another than the baselines were made with', () => {
    const checks = [
      { name: 'ws://a', version: 'HeadlessChrome/156.0.8078.114' },
      { name: 'ws://b', version: 'Chrome/156.0.8078.114' },
      { name: 'ws://c', version: 'HeadlessChrome/155.0.7000.1' },
    ];
    const baseline = { version: 'HeadlessChrome/156.0.8078.114', file: path.join(ROOT, 'tests/visual/baselines/manifest.json') };
    expect(versionWarnings(checks.slice(0, 2), baseline)).toEqual([]);
    expect(versionWarnings(checks, baseline)).toEqual([
      'the browsers run different Chromium versions (156.0.8078.114: ws://a, ws://b; 155.0.7000.1: ws://c): their pages may differ; run one version everywhere',
      `ws://c runs Chromium 155.0.7000.1, but the visual baselines were made with 156.0.8078.114 (${path.relative(process.cwd(), baseline.file)}): pages may not match them`,
    ]);
  });
});

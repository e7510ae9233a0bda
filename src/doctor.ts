/**
 * `briefing doctor`: checks the browsers a build would print in: each endpoint of --browser-ws (or
 * BRIEFING_BROWSER_WS), else the browser a build would launch. For each: its version, the round trip
 * of a DevTools command, whether it lays text out at the fonts' own widths (print/probe.ts), and whether
 * it prints a one-page test document with the bundled fonts (the fonts embedded in the PDF are read back:
 * the four Noto faces and nothing else). Warns when the browsers' Chromium versions differ from each
 * other, or from the one the visual baselines were made with (tests/visual/baselines/manifest.json, in a
 * clone of the repository). A browser that fails a check makes the exit code 1.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'puppeteer';
import type { Config } from './config.js';
import type { Cut } from './print/pool.js';
import { FONT_FACES, FONT_PLACEHOLDER, embedFonts } from './render/fonts.js';

export interface BrowserCheck {
  /** The endpoint as given, or "local: <path> (<origin>)". */
  name: string;
  version?: string;
  /** Median round trip of a DevTools command, in ms. */
  roundTripMs?: number;
  /** The text-layout probe's width, in px, and the fonts' own. */
  textLayout?: { measured: number; expected: number };
  /** The test page: its pages, fonts and time to print. */
  page?: { pages: number; fonts: string[]; type3: number; ms: number };
  /** What failed, if anything. */
  problem?: string;
}

export interface DoctorReport {
  ok: boolean;
  browsers: BrowserCheck[];
  warnings: string[];
}

/** The fonts a test page must embed: the bundled faces' PostScript names (NotoSansSC-Bold, …). */
export const EXPECTED_FONTS = FONT_FACES.map((f) => `${f.family.replace(/\s+/g, '')}-${f.weight === 700 ? 'Bold' : 'Regular'}`);

const TEST_PAGE = `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>briefing doctor</title>
<style>${FONT_PLACEHOLDER}
@page { size: A4; margin: 20mm 16mm 18mm 16mm; }
html { font-family: "Noto Sans SC", sans-serif; font-size: 11pt; }
[lang="en"] { font-family: "Noto Sans", "Noto Sans SC", sans-serif; }
</style></head>
<body><h1>打印测试 <span lang="en">Print test</span></h1>
<p>太原晋中一体化，2023年3月。</p><p lang="en">Taiyuan–Jinzhong integration, March 2023: 1,234.5 km.</p></body></html>
`;

const versionOf = (product: string) => /(\d+\.\d+\.\d+\.\d+)/.exec(product)?.[1] ?? product;

/** Checks one browser, reached by `open`; never throws (a failure is the check's problem). */
type Opened = { browser: Browser; done(): Promise<void>; serveFiles: boolean };

async function checkBrowser(name: string, open: (cut: Cut) => Promise<Opened>, dir: string, timeoutMs: number): Promise<BrowserCheck> {
  const check: BrowserCheck = { name };
  const { CONNECT_MS, HANG_MS } = await import('./print/pool.js');
  const cut: Cut = {};
  let opened: Opened | undefined;
  // Each step within its own time: a browser that stopped answering must not hold the check.
  const step = async <T>(what: string, work: () => Promise<T>, ms = HANG_MS): Promise<T> => {
    try {
      return await withDeadline(work(), ms);
    } catch (e) {
      throw new Error(`${what}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
    }
  };
  try {
    opened = await step('could not reach it', () => open(cut), CONNECT_MS);
    const { browser, serveFiles } = opened;
    check.version = await step('it did not tell its version', () => browser.version());
    const trips: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      await step('it stopped answering', () => browser.version());
      trips.push(performance.now() - t0);
    }
    check.roundTripMs = trips.sort((a, b) => a - b)[2]!;
    const { openPrintPage, printPdf } = await import('./print/pdf.js');
    const { probeMismatch, probeTextLayout } = await import('./print/probe.js');
    const tab = await step('it could not open a tab', () => openPrintPage(browser, [dir]));
    try {
      const probe = await step('the text-layout probe failed', () => probeTextLayout(tab));
      check.textLayout = { measured: probe.measured, expected: probe.expected };
      if (!probe.ok) throw new Error(`text layout: ${probeMismatch(probe)}`);
      const t0 = performance.now();
      const { pdf } = await step('the test page did not print', () => printPdf(tab, path.join(dir, 'doctor.html'), { timeoutMs, serveFiles }), timeoutMs);
      const { names, type3 } = pdf.fonts();
      check.page = { pages: pdf.pages().length, fonts: names, type3, ms: Math.round(performance.now() - t0) };
      const missing = EXPECTED_FONTS.filter((f) => !names.includes(f));
      const others = names.filter((f) => !EXPECTED_FONTS.includes(f));
      if (missing.length || others.length || type3) {
        const parts = [missing.length ? `without ${missing.join(', ')}` : '', others.length ? `with ${others.join(', ')}` : '', type3 ? `with ${type3} Type 3 font(s)` : ''].filter(Boolean);
        throw new Error(`the test page printed ${parts.join(' and ')}: the bundled fonts did not load (does the browser reach this process's answers to its requests?)`);
      }
      if (check.page.pages !== 1) throw new Error(`the one-page test page printed on ${check.page.pages} pages`);
    } finally {
      await withDeadline(tab.close(), HANG_MS).catch(() => undefined);
    }
  } catch (e) {
    check.problem = e instanceof Error ? e.message : String(e);
  } finally {
    cut.now?.();
    await opened?.done().catch(() => undefined);
  }
  return check;
}

function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([work, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms)))]).finally(() => clearTimeout(timer));
}

/** The Chromium version the visual baselines were made with, when this is a clone that has them. */
function baselineVersion(packageRoot: string): { version: string; file: string } | undefined {
  const file = path.join(packageRoot, 'tests/visual/baselines/manifest.json');
  if (!existsSync(file)) return undefined;
  try {
    const chromium = (JSON.parse(readFileSync(file, 'utf8')) as { chromium?: unknown }).chromium;
    return typeof chromium === 'string' ? { version: chromium, file } : undefined;
  } catch {
    return undefined;
  }
}

/** Differences of version: between the browsers, and from the baselines'. */
export function versionWarnings(checks: BrowserCheck[], baseline: { version: string; file: string } | undefined): string[] {
  const warnings: string[] = [];
  const byVersion = new Map<string, string[]>();
  for (const c of checks) if (c.version) byVersion.set(versionOf(c.version), [...(byVersion.get(versionOf(c.version)) ?? []), c.name]);
  if (byVersion.size > 1) {
    warnings.push(`the browsers run different Chromium versions (${[...byVersion].map(([v, names]) => `${v}: ${names.join(', ')}`).join('; ')}): their pages may differ; run one version everywhere`);
  }
  if (baseline) {
    const expected = versionOf(baseline.version);
    for (const [v, names] of byVersion) {
      if (v !== expected) warnings.push(`${names.join(', ')} ${names.length > 1 ? 'run' : 'runs'} Chromium ${v}, but the visual baselines were made with ${expected} (${path.relative(process.cwd(), baseline.file) || baseline.file}): pages may not match them`);
    }
  }
  return warnings;
}

export async function runDoctor(config: Config, io: { out(line: string): void }): Promise<DoctorReport> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'briefing-doctor-'));
  try {
    const { html, fonts } = embedFonts(TEST_PAGE, 'doctor');
    for (const f of fonts) {
      mkdirSync(path.dirname(path.join(dir, f.name)), { recursive: true });
      writeFileSync(path.join(dir, f.name), f.data);
    }
    writeFileSync(path.join(dir, 'doctor.html'), html);
    const { findBrowser, launchBrowser, closeBrowser } = await import('./print/browser.js');
    const endpoints = config.browserWs ?? [];
    let checks: BrowserCheck[];
    if (endpoints.length) {
      const { connectTo } = await import('./print/pool.js');
      // One at a time: the round trips are not measured while another browser prints.
      checks = [];
      for (const given of endpoints) {
        checks.push(
          await checkBrowser(
            given,
            async (cut) => {
              const browser = await connectTo(given, cut);
              return { browser, serveFiles: true, done: () => browser.disconnect() };
            },
            dir,
            config.printTimeoutMs,
          ),
        );
      }
    } else {
      let name = 'local browser';
      try {
        const info = await findBrowser(config.env);
        name = `local: ${info.executablePath} (${info.origin})`;
        checks = [await checkBrowser(name, async () => {
          const browser = await launchBrowser(info);
          return { browser, serveFiles: false, done: () => closeBrowser(browser) };
        }, dir, config.printTimeoutMs)];
      } catch (e) {
        checks = [{ name, problem: e instanceof Error ? e.message.split('\n')[0]! : String(e) }];
      }
    }
    const warnings = versionWarnings(checks, baselineVersion(config.packageRoot));
    for (const c of checks) {
      io.out(`${c.name}`);
      if (c.version) io.out(`  version     ${c.version}`);
      if (c.roundTripMs !== undefined) io.out(`  round trip  ${c.roundTripMs.toFixed(1)} ms (median of 5)`);
      if (c.textLayout) io.out(`  text layout ${c.textLayout.measured.toFixed(2)} px for ${c.textLayout.expected.toFixed(2)} px of the font's own advances`);
      if (c.page) io.out(`  test page   ${c.page.pages} page${c.page.pages === 1 ? '' : 's'}, fonts ${c.page.fonts.join(', ') || 'none'}${c.page.type3 ? ` and ${c.page.type3} Type 3` : ''}, ${c.page.ms} ms`);
      io.out(c.problem ? `  FAILED: ${c.problem}` : '  ok');
    }
    for (const w of warnings) io.out(`warning: ${w}`);
    const failed = checks.filter((c) => c.problem).length;
    io.out(`${checks.length} browser${checks.length === 1 ? '' : 's'}: ${checks.length - failed} ok${failed ? `, ${failed} failed` : ''}${warnings.length ? `, ${warnings.length} warning${warnings.length === 1 ? '' : 's'}` : ''}`);
    return { ok: failed === 0, browsers: checks, warnings };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

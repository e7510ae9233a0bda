import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { ROOT, cli, tempDir } from '../helpers/cli.js';
import { FONT_PACKAGES } from '../../src/build.js';
import { SUITE_EDITION, SUITE_NOW, suitePdf } from '../suite.js';
import { DPI, MAX_DIFF_PIXELS, THRESHOLD, compareDocument, rasterize, rasterizePixels, writeReport, type PageResult } from './compare.js';

/**
 * Every page of every bilingual briefing against tests/visual/baselines/<zone>-<theme>/page-NN.png.
 * `npm run test:visual:update` rewrites the baselines (never in CI); see the README.
 */
const BASELINES = path.join(ROOT, 'tests/visual/baselines');
const MANIFEST = path.join(BASELINES, 'manifest.json');
const REPORT = path.join(ROOT, 'output/visual-report');
const UPDATE = process.env.UPDATE_BASELINES === '1';
const suiteDir = inject('suiteDir');
const browserVersion = inject('browserVersion');
const work = tempDir('briefing-visual-');
const docs = readdirSync(path.join(suiteDir, SUITE_EDITION)).filter((f) => f.endsWith('.pdf')).map((f) => f.replace(/\.pdf$/, '')).sort();

interface Manifest {
  chromium: string;
  fonts: Record<string, string>;
  dpi: number;
  edition: string;
  now: string;
  pages: Record<string, number>;
}

function fontVersions(): Record<string, string> {
  const require = createRequire(import.meta.url);
  return Object.fromEntries(FONT_PACKAGES.map((name) => [name, (require(`${name}/package.json`) as { version: string }).version]));
}

const major = (v: string) => /\/(\d+)\./.exec(v)?.[1] ?? v;
const manifest: Manifest | undefined = existsSync(MANIFEST) ? (JSON.parse(readFileSync(MANIFEST, 'utf8')) as Manifest) : undefined;
const versionNote =
  manifest && major(manifest.chromium) !== major(browserVersion)
    ? `The baselines were made with ${manifest.chromium}; this run printed with ${browserVersion}. A new Chromium major version moves pixels: review the report, then run npm run test:visual:update.`
    : '';

const failures: PageResult[] = [];

describe.skipIf(UPDATE)('visual regression', () => {
  it('has baselines for every briefing, made with the fonts in use', () => {
    expect(manifest, 'no tests/visual/baselines/manifest.json: run npm run test:visual:update').toBeDefined();
    expect(Object.keys(manifest!.pages).sort()).toEqual(docs);
    expect(manifest!.fonts).toEqual(fontVersions());
  });

  it.each(docs)('%s looks as it did', (doc) => {
    const actualDir = path.join(work, doc, 'actual');
    const results = compareDocument(doc, rasterizePixels(suitePdf(suiteDir, doc), actualDir), actualDir, path.join(BASELINES, doc), path.join(work, doc, 'diff'));
    const bad = results.filter((r) => r.problem);
    failures.push(...bad);
    expect(bad.map((r) => `page ${r.page}: ${r.problem}`), [versionNote, `report: ${REPORT}/index.html`].filter(Boolean).join(' ')).toEqual([]);
  });

  afterAll(() => {
    if (!failures.length) return;
    const file = writeReport(failures, REPORT, versionNote || `Pixels differing by more than threshold ${THRESHOLD}; a page fails above ${MAX_DIFF_PIXELS}.`);
    const worst = [...failures].sort((a, b) => b.diffPixels - a.diffPixels).slice(0, 5);
    console.error(`visual report: ${file}\nworst pages:\n${worst.map((w) => `  ${w.doc} page ${w.page}: ${w.problem}`).join('\n')}`);
  });
});

describe.skipIf(UPDATE)('printing one at a time', () => {
  it('gives the same pages as the parallel suite build', async () => {
    const out = tempDir('briefing-serial-');
    // Two of the shortest briefings: the second prints in the tab the first was printed in.
    const r = await cli(['build', '--zone', 'taiyuan-jinzhong', '--theme', 'transport,ecology', '--edition', SUITE_EDITION, '--now', SUITE_NOW, '--out', out, '--concurrency', '1']);
    expect(r.code, r.stderr).toBe(0);
    for (const doc of ['taiyuan-jinzhong-transport', 'taiyuan-jinzhong-ecology']) {
      const actualDir = path.join(out, 'actual', doc);
      const actual = rasterizePixels(path.join(out, SUITE_EDITION, `${doc}.pdf`), actualDir);
      expect(compareDocument(doc, actual, actualDir, path.join(BASELINES, doc), path.join(out, 'diff', doc)).filter((p) => p.problem)).toEqual([]);
    }
  });
});

describe.runIf(UPDATE)('updating the visual baselines', () => {
  it('rewrites every baseline and the manifest', () => {
    if (process.env.CI) throw new Error('baselines are never updated in CI');
    const pages: Record<string, number> = {};
    for (const doc of docs) {
      const dir = path.join(BASELINES, doc);
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      const actual = rasterize(suitePdf(suiteDir, doc), path.join(work, doc, 'actual'));
      for (const file of actual) cpSync(file, path.join(dir, path.basename(file)));
      pages[doc] = actual.length;
    }
    const next: Manifest = { chromium: browserVersion, fonts: fontVersions(), dpi: DPI, edition: SUITE_EDITION, now: SUITE_NOW, pages };
    writeFileSync(MANIFEST, `${JSON.stringify(next, null, 2)}\n`);
    console.log(`baselines written for ${docs.length} briefings, ${Object.values(pages).reduce((a, b) => a + b, 0)} pages`);
  });
});

describe.skipIf(UPDATE)('the visual comparison can fail', () => {
  const doc = 'taiyuan-jinzhong-ecology';
  const [zone, theme] = ['taiyuan-jinzhong', 'ecology'];

  /** Prints one briefing from a scratch copy of the templates with `css` appended, and compares it. */
  async function compareWithCss(css: string): Promise<PageResult[]> {
    const dir = tempDir('briefing-templates-');
    cpSync(path.join(ROOT, 'templates'), path.join(dir, 'templates'), { recursive: true });
    const style = path.join(dir, 'templates/styles/print.css');
    writeFileSync(style, `${readFileSync(style, 'utf8')}\n${css}\n`);
    const r = await cli(['build', '--zone', zone, '--theme', theme, '--edition', SUITE_EDITION, '--now', SUITE_NOW, '--out', path.join(dir, 'out'), '--templates', path.join(dir, 'templates')]);
    expect(r.stderr).toBe('');
    const actual = rasterizePixels(path.join(dir, 'out', SUITE_EDITION, `${doc}.pdf`), path.join(dir, 'actual'));
    return compareDocument(doc, actual, path.join(dir, 'actual'), path.join(BASELINES, doc), path.join(dir, 'diff'));
  }

  it('catches a 2 mm wider left margin on every page after the cover, with a readable report', async () => {
    const results = await compareWithCss('@page { margin-left: 18mm; }');
    const failed = results.filter((r) => r.problem);
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.map((r) => r.page)).toEqual(results.filter((r) => r.page > 1).map((r) => r.page));
    const report = writeReport(failed, tempDir('briefing-report-'), 'test');
    const html = readFileSync(report, 'utf8');
    expect(html).toContain(`${doc} page 2:`);
    expect(html.match(/<img /g)?.length).toBe(failed.length * 3);
  });

  it('catches a slightly different accent colour', async () => {
    const results = await compareWithCss(':root { --accent: #1b5e35 !important; }');
    expect(results.filter((r) => r.problem).length).toBeGreaterThan(0);
  });
});

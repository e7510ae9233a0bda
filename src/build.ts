/**
 * The build pipeline, one stage per module:
 *   1. load     data/*.yaml + sources → typed fact base          (data/load.ts)
 *   2. check    quotes, numbers, parity, conflicts               (check.ts)
 *   3. select   facts of (edition, zone, theme)                  (model/select.ts)
 *   4. format   view model for the printed languages             (model/format.ts)
 *   5. chart    Vega-Lite specs → SVG                             (charts/)
 *   6. render   Handlebars → HTML, written atomically             (render/html.ts)
 *   7. print    one Chromium for the run → PDF + metadata         (print/)
 *   8. write    PDF written atomically beside its HTML            (write.ts)
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { BriefingError, usageError, type Problem } from './errors.js';
import { loadFactBase, type FactBase } from './data/load.js';
import { checkFactBase } from './check.js';
import { selectBriefing } from './model/select.js';
import { formatBriefing } from './model/format.js';
import { currentEdition } from './model/edition.js';
import { renderChartSvg } from './charts/render.js';
import { loadTemplates } from './render/html.js';
import type { Lang } from './data/quantities.js';
import type { Config, LangMode } from './config.js';

export interface BuildEffects {
  writeFile(file: string, data: string | Uint8Array): void;
  log(line: string): void;
  progress?(done: number, total: number): void;
}

export interface BuiltFile {
  zone: string;
  theme: string;
  lang: LangMode;
  html: string;
  pdf?: string;
  pages?: number;
  ms: number;
}

export interface BuildResult {
  edition: string;
  files: BuiltFile[];
  browser?: string;
  ms: number;
}

const LANGS: Record<LangMode, Lang[]> = { bilingual: ['zh', 'en'], zh: ['zh'], en: ['en'] };

/** The fact base, loaded and checked: a build never prints a figure `briefing check` would refuse. */
export function loadCheckedFacts(dataDir: string): FactBase {
  const base = loadFactBase(dataDir);
  const report = checkFactBase(base);
  if (report.errors.length) throw new BriefingError(report.errors);
  return base;
}

/** The zones or themes asked for; unknown ids are added to `problems`. */
function pickIds<T extends { id: string }>(all: T[], wanted: string[] | undefined, what: 'zone' | 'theme', file: string, problems: Problem[]): T[] {
  if (!wanted?.length) return all;
  for (const id of wanted) {
    if (!all.some((x) => x.id === id)) {
      problems.push(...usageError(`unknown ${what} "${id}"`, `use one of: ${all.map((x) => x.id).join(', ')}, as defined in ${file}`).problems);
    }
  }
  return all.filter((x) => wanted.includes(x.id));
}

/** Noto Sans SC for Chinese; Noto Sans for English passages (proportional Latin punctuation). */
export const FONT_PACKAGES = ['@fontsource/noto-sans-sc', '@fontsource/noto-sans'] as const;

function fontStylesheets(): string[] {
  const require = createRequire(import.meta.url);
  return FONT_PACKAGES.flatMap((pkg) => {
    const dir = path.dirname(require.resolve(`${pkg}/package.json`));
    return ['400.css', '700.css'].map((f) => path.join(dir, f));
  });
}

/** Builds the selected briefings: HTML drafts always, PDFs unless htmlOnly. */
export async function buildBriefings(config: Config, effects: BuildEffects): Promise<BuildResult> {
  const started = performance.now();
  const base = loadCheckedFacts(config.dataDir);
  const problems: Problem[] = [];
  const zones = pickIds(base.zones, config.zones, 'zone', 'data/zones.yaml', problems);
  const themes = pickIds(base.themes, config.themes, 'theme', 'data/themes.yaml', problems);
  if (problems.length) throw new BriefingError(problems);
  const edition = config.edition ?? currentEdition(config.now, config.timeZone);
  const templates = loadTemplates(config.templatesDir);
  const langs = LANGS[config.lang];
  const suffix = config.lang === 'bilingual' ? '' : `.${config.lang}`;
  const dir = path.join(config.outDir, edition);
  const fonts = fontStylesheets();

  // Stages 3–6: every HTML draft first, so printing can start on a complete set.
  const drafts: BuiltFile[] = [];
  for (const zone of zones) {
    for (const theme of themes) {
      const t0 = performance.now();
      const model = selectBriefing(base, zone, theme, edition);
      const view = formatBriefing(model, { langs, generatedAt: config.now });
      const svgs = await Promise.all(view.charts.map((c) => renderChartSvg(c, langs, view.accent)));
      const html = path.join(dir, `${zone.id}-${theme.id}${suffix}.html`);
      const fontCss = fonts.map((f) => path.relative(dir, f).split(path.sep).join('/'));
      effects.writeFile(html, templates.render({ ...view, svgs, fontCss }));
      drafts.push({ zone: zone.id, theme: theme.id, lang: config.lang, html, ms: performance.now() - t0 });
    }
  }
  if (config.htmlOnly) {
    drafts.forEach((d, i) => {
      effects.log(`${d.html}  html  ${Math.round(d.ms)} ms`);
      effects.progress?.(i + 1, drafts.length);
    });
    return { edition, files: drafts, ms: performance.now() - started };
  }

  // Stages 7–8: one browser for the run, closed whatever happens.
  const { findBrowser, launchBrowser, closeBrowser } = await import('./print/browser.js');
  const { printPdf, withMetadata } = await import('./print/pdf.js');
  const info = await findBrowser(config.env);
  const browser = await launchBrowser(info);
  const browserName = `${await browser.version()} (${info.executablePath}, ${info.origin})`;
  if (config.verbose) effects.log(`browser: ${browserName}`);
  try {
    for (const [i, d] of drafts.entries()) {
      const t0 = performance.now();
      const zone = zones.find((z) => z.id === d.zone)!;
      const theme = themes.find((t) => t.id === d.theme)!;
      const { pdf: raw, layout } = await printPdf(browser, path.resolve(d.html), config.printTimeoutMs);
      if (layout.length) {
        throw new BriefingError(layout.map((message) => ({ file: path.relative(process.cwd(), d.html), line: 0, col: 0, message: `layout: ${message}`, hint: 'shorten the text or change the template so it fits the page' })));
      }
      const title = langs.includes('zh') ? `${zone.name.zh} · ${theme.name.zh} · ${edition}` : `${zone.name.en} · ${theme.name.en} · ${edition}`;
      const { bytes, pages } = await withMetadata(raw, {
        title,
        author: 'briefing',
        subject: `${zone.name.en}: ${theme.name.en}, edition ${edition}`,
        keywords: [zone.name.zh, zone.name.en, theme.name.zh, theme.name.en, edition],
        language: langs.includes('zh') ? 'zh-CN' : 'en',
        createdAt: config.now,
      });
      d.pdf = d.html.replace(/\.html$/, '.pdf');
      effects.writeFile(d.pdf, bytes);
      d.pages = pages;
      d.ms += performance.now() - t0;
      effects.log(`${d.pdf}  ${pages} pages  ${Math.round(d.ms)} ms`);
      effects.progress?.(i + 1, drafts.length);
    }
  } finally {
    await closeBrowser(browser);
  }
  return { edition, files: drafts, browser: browserName, ms: performance.now() - started };
}

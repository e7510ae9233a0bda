/**
 * The build pipeline, one stage per module:
 *   1. load     data/*.yaml + sources → typed fact base          (data/load.ts)
 *   2. check    quotes, numbers, parity, conflicts               (check.ts)
 *   3. select   facts of (edition, zone, theme)                  (model/select.ts)
 *   4. format   view model for the printed languages             (model/format.ts)
 *   5. chart    Vega-Lite specs → SVG                             (charts/)
 *   6. render   Handlebars → HTML                                 (render/html.ts)
 *   7. print    one Chromium for the run → PDF + metadata         (print/)
 *   8. write    staged beside the edition folder, moved into place when every file succeeded,
 *               recorded in <out>/editions.json                   (editions/)
 * One run at a time per output folder (editions/lock.ts).
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
import { acquireLock } from './editions/lock.js';
import { stageRun } from './editions/output.js';
import { recordRun, type LogLine } from './editions/manifest.js';
import { inputHash } from './editions/hash.js';
import type { Lang } from './data/quantities.js';
import type { ThemeSpec, ZoneSpec } from './data/schema.js';
import type { BriefingView } from './model/format.js';
import type { Config, LangMode } from './config.js';

export interface BuildEffects {
  writeFile(file: string, data: string | Uint8Array): void;
  /** Receives every event of the run; the CLI prints them for people, the scheduler as JSON lines. */
  log(line: LogLine): void;
  progress?(done: number, total: number): void;
  /** Wall-clock time for log lines (the build time itself is config.now). */
  clock?(): Date;
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
  inputHash: string;
  files: BuiltFile[];
  browser?: string;
  ms: number;
}

const LANGS: Record<LangMode, Lang[]> = { bilingual: ['zh', 'en'], zh: ['zh'], en: ['en'] };

/** Noto Sans SC for Chinese; Noto Sans for English passages (proportional Latin punctuation). */
export const FONT_PACKAGES = ['@fontsource/noto-sans-sc', '@fontsource/noto-sans'] as const;

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

function fontStylesheets(): string[] {
  const require = createRequire(import.meta.url);
  return FONT_PACKAGES.flatMap((pkg) => {
    const dir = path.dirname(require.resolve(`${pkg}/package.json`));
    return ['400.css', '700.css'].map((f) => path.join(dir, f));
  });
}

export interface DraftContext {
  base: FactBase;
  templates: ReturnType<typeof loadTemplates>;
  edition: string;
  langs: Lang[];
  now: Date;
  staleAfterMonths: number;
}

/** Stages 3–6 for one briefing: select, format, chart, render. `htmlDir` is where the HTML will live (for font links). */
export async function renderDraft(ctx: DraftContext, zone: ZoneSpec, theme: ThemeSpec, htmlDir: string): Promise<{ html: string; view: BriefingView }> {
  const model = selectBriefing(ctx.base, zone, theme, ctx.edition, { staleAfterMonths: ctx.staleAfterMonths });
  const view = formatBriefing(model, { langs: ctx.langs, generatedAt: ctx.now, staleAfterMonths: ctx.staleAfterMonths });
  const svgs = await Promise.all(view.charts.map((c) => renderChartSvg(c, ctx.langs, view.accent)));
  const fontCss = fontStylesheets().map((f) => path.relative(htmlDir, f).split(path.sep).join('/'));
  return { html: ctx.templates.render({ ...view, svgs, fontCss }), view };
}

export const langsOf = (mode: LangMode): Lang[] => LANGS[mode];

/** What a build of `config` would print: the edition, the briefings, and the hash of every input. */
export function planBuild(config: Config) {
  const base = loadCheckedFacts(config.dataDir);
  const problems: Problem[] = [];
  const zones = pickIds(base.zones, config.zones, 'zone', 'data/zones.yaml', problems);
  const themes = pickIds(base.themes, config.themes, 'theme', 'data/themes.yaml', problems);
  if (problems.length) throw new BriefingError(problems);
  const edition = config.edition ?? currentEdition(config.now, config.timeZone);
  const suffix = config.lang === 'bilingual' ? '' : `.${config.lang}`;
  const docs = zones.flatMap((zone) => themes.map((theme) => ({ zone, theme, name: `${zone.id}-${theme.id}${suffix}` })));
  const hash = inputHash({
    dataDir: config.dataDir,
    templatesDir: config.templatesDir,
    root: config.packageRoot,
    // The build time is not an input: it changes on every run.
    options: { edition, zones: zones.map((z) => z.id), themes: themes.map((t) => t.id), lang: config.lang, staleAfterMonths: config.staleAfterMonths, htmlOnly: config.htmlOnly },
  });
  return { base, edition, docs, inputHash: hash, names: docs.flatMap((d) => (config.htmlOnly ? [`${d.name}.html`] : [`${d.name}.html`, `${d.name}.pdf`])) };
}

/** Builds the selected briefings: HTML drafts always, PDFs unless htmlOnly. */
export async function buildBriefings(config: Config, effects: BuildEffects): Promise<BuildResult> {
  const started = performance.now();
  const clock = effects.clock ?? (() => new Date());
  const log: LogLine[] = [];
  const emit = (level: LogLine['level'], event: string, fields: Record<string, unknown> = {}) => {
    const line: LogLine = { time: clock().toISOString(), level, event, ...fields };
    log.push(line);
    effects.log(line);
  };

  const plan = planBuild(config);
  const { base, edition } = plan;
  const langs = LANGS[config.lang];
  const ctx: DraftContext = { base, templates: loadTemplates(config.templatesDir), edition, langs, now: config.now, staleAfterMonths: config.staleAfterMonths };
  const lock = acquireLock(config.outDir, clock());
  const run = stageRun(config.outDir, edition);
  try {
    // Stages 3–6: every HTML draft first, so printing can start on a complete set.
    const drafts: (BuiltFile & { staged: string; title: string; subject: string; keywords: string[] })[] = [];
    for (const { zone, theme, name } of plan.docs) {
      const t0 = performance.now();
      const staged = run.staged(`${name}.html`);
      // The staging folder sits at the same depth as the edition folder, so font links hold in both.
      const { html, view } = await renderDraft(ctx, zone, theme, path.dirname(staged));
      effects.writeFile(staged, html);
      drafts.push({
        zone: zone.id, theme: theme.id, lang: config.lang, html: run.final(`${name}.html`), staged, ms: performance.now() - t0,
        title: view.title,
        subject: `${zone.name.en}: ${theme.name.en}, edition ${edition}`,
        keywords: [zone.name.zh, zone.name.en, theme.name.zh, theme.name.en, edition],
      });
    }

    let browserName: string | undefined;
    if (config.htmlOnly) {
      drafts.forEach((d, i) => {
        emit('info', 'html', { file: d.html, ms: Math.round(d.ms) });
        effects.progress?.(i + 1, drafts.length);
      });
    } else {
      // Stages 7–8: one browser for the run, closed whatever happens.
      const { findBrowser, launchBrowser, closeBrowser } = await import('./print/browser.js');
      const { printPdf, withMetadata } = await import('./print/pdf.js');
      const info = await findBrowser(config.env);
      const browser = await launchBrowser(info);
      browserName = `${await browser.version()} (${info.executablePath}, ${info.origin})`;
      emit('info', 'browser', { browser: browserName });
      try {
        for (const [i, d] of drafts.entries()) {
          const t0 = performance.now();
          const { pdf: raw, layout } = await printPdf(browser, d.staged, config.printTimeoutMs);
          if (layout.length) {
            throw new BriefingError(layout.map((message) => ({ file: path.relative(process.cwd(), d.html), line: 0, col: 0, message: `layout: ${message}`, hint: 'shorten the text or change the template so it fits the page' })));
          }
          const { bytes, pages } = await withMetadata(raw, {
            title: d.title, author: 'briefing', subject: d.subject, keywords: d.keywords,
            language: langs.includes('zh') ? 'zh-CN' : 'en', createdAt: config.now,
          });
          effects.writeFile(d.staged.replace(/\.html$/, '.pdf'), bytes);
          d.pdf = d.html.replace(/\.html$/, '.pdf');
          d.pages = pages;
          d.ms += performance.now() - t0;
          emit('info', 'printed', { file: d.pdf, pages, ms: Math.round(d.ms) });
          effects.progress?.(i + 1, drafts.length);
        }
      } finally {
        await closeBrowser(browser);
      }
    }

    run.commit();
    const files = drafts.flatMap((d) => [{ path: d.html }, ...(d.pdf ? [{ path: d.pdf, pages: d.pages! }] : [])]);
    emit('info', 'built', { edition, files: files.length, pages: drafts.reduce((n, d) => n + (d.pages ?? 0), 0), ms: Math.round(performance.now() - started) });
    recordRun(config.outDir, edition, { builtAt: config.now, inputHash: plan.inputHash, files, log });
    const result: BuildResult = { edition, inputHash: plan.inputHash, files: drafts.map(({ staged: _s, title: _t, subject: _u, keywords: _k, ...f }) => f), ms: performance.now() - started };
    if (browserName) result.browser = browserName;
    return result;
  } catch (e) {
    run.abort();
    throw e;
  } finally {
    lock.release();
  }
}

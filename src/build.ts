/**
 * The build pipeline, one stage per module:
 *   1. load     data/*.yaml + sources → typed fact base          (data/load.ts)
 *   2. check    quotes, numbers, parity, conflicts               (check.ts)
 *   3. select   facts of (edition, zone, theme)                  (model/select.ts)
 *   4. format   view model for the printed languages             (model/format.ts)
 *   5. chart    Vega-Lite specs → SVG                             (charts/)
 *   6. render   Handlebars → HTML                                 (render/html.ts)
 *   7. print    one Chromium for the run → PDF + metadata         (print/)
 *   8. verify   every planned briefing written, every PDF whole   (editions/verify.ts)
 *   9. commit   a new version of the edition beside the current one, switched in with editions.json
 *               and `latest` in one rename                        (editions/output.ts, layout.ts)
 * One run at a time per output folder (editions/lock.ts). A run's own order is runBuild's, below.
 */
import path from 'node:path';
import { BriefingError, usageError, type Problem } from './errors.js';
import { loadFactBase, type FactBase } from './data/load.js';
import { checkFactBase } from './check.js';
import { checkMemo, type CheckMemo } from './check-cache.js';
import type { loadTemplates } from './render/html.js';
import type { FontFile } from './render/fonts.js';
import { acquireLock, type Lock } from './editions/lock.js';
import { stageRun, type FaultHook, type StagedRun } from './editions/output.js';
import { readManifest, type LogLine } from './editions/manifest.js';
import { editionProblems } from './editions/verify.js';
import { planBuild, settleUnchanged, type BuildPlan, type PlannedDoc } from './plan.js';
import { WorkQueue } from './queue.js';
import type { Printer } from './print/printer.js';
import type { Lang } from './data/quantities.js';
import type { ThemeSpec, ZoneSpec } from './data/schema.js';
import type { BriefingView } from './model/format.js';
import type { Config, LangMode } from './config.js';

export interface BuildEffects {
  writeFile(file: string, data: string | Uint8Array): void | Promise<void>;
  /** Receives every event of the run; the CLI prints them for people, the scheduler as JSON lines. */
  log(line: LogLine): void;
  progress?(done: number, total: number): void;
  /** Wall-clock time for log lines (the build time itself is config.now). */
  clock?(): Date;
  /**
   * Called before each change a run makes to the output folder (editions/output.ts COMMIT_STEPS), for
   * tests: throwing from it makes that change fail.
   */
  faultAt?: FaultHook;
  /**
   * A printer the caller keeps between runs (a long-lived process's: the preview's), made with openPrinter
   * for the same output folder: the run prints with it and leaves it open. Without one, the run starts a printer of its
   * own and closes it when done.
   */
  printer?: Printer;
}

export interface BuiltFile {
  /** The document's input hash. */
  hash: string;
  /** Its font subsets, beside the HTML. */
  fonts: string[];
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
  /** The briefings made by this run. */
  files: BuiltFile[];
  /** Briefings left alone because nothing they are made from changed. */
  unchanged: number;
  ms: number;
}

const LANGS: Record<LangMode, Lang[]> = { bilingual: ['zh', 'en'], zh: ['zh'], en: ['en'] };

/**
 * A point of a run's timeline (performance.mark 'briefing:<name>', its latest only, so a long-lived
 * process keeps none piling up); bench/timeline.mjs reads them to tell where a cold build's time goes.
 */
function mark(name: string): void {
  performance.clearMarks(`briefing:${name}`);
  performance.mark(`briefing:${name}`);
}

export { FONT_PACKAGES } from './render/fonts.js';

/**
 * The fact base, loaded and checked: a build never prints a figure `briefing check` would refuse. With a
 * memo of an earlier pass (check-cache.ts) for the data as it is, the check is not made again.
 */
export function loadCheckedFacts(dataDir: string, memo?: CheckMemo): FactBase {
  const base = loadFactBase(dataDir);
  mark('loaded');
  if (!memo?.passed) {
    const report = checkFactBase(base);
    if (report.errors.length) throw new BriefingError(report.errors);
    memo?.remember();
  }
  mark('checked');
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

export interface DraftContext {
  base: FactBase;
  templates: ReturnType<typeof loadTemplates>;
  edition: string;
  langs: Lang[];
  now: Date;
  /** The editions' time zone, in which the cover prints the time it was made. */
  timeZone?: string;
  staleAfterMonths: number;
  /** Where charts and font subsets made by earlier runs are kept (config.ts cacheFolder); none: made anew. */
  cacheDir?: string;
}

/**
 * Stages 3–6 for one briefing: select, format, chart, render. `name` is the document's file name
 * without extension; the HTML links its font subsets as fonts/<name>.<face>.ttf, returned in `fonts`.
 */
export async function renderDraft(ctx: DraftContext, zone: ZoneSpec, theme: ThemeSpec, name: string): Promise<{ html: string; view: BriefingView; fonts: FontFile[] }> {
  const { selectBriefing, formatBriefing, renderChartSvg, embedFonts } = await renderModules();
  const model = selectBriefing(ctx.base, zone, theme, ctx.edition, { staleAfterMonths: ctx.staleAfterMonths });
  const view = formatBriefing(model, { langs: ctx.langs, generatedAt: ctx.now, ...(ctx.timeZone ? { timeZone: ctx.timeZone } : {}), staleAfterMonths: ctx.staleAfterMonths });
  const svgs = await Promise.all(view.charts.map((c) => renderChartSvg(c, ctx.langs, view.accent, ctx.cacheDir)));
  const { html, fonts } = embedFonts(ctx.templates.render({ ...view, svgs }), name, ctx.cacheDir);
  return { html, view, fonts };
}

export const langsOf = (mode: LangMode): Lang[] => LANGS[mode];

/**
 * The modules of stages 4–6 (the model, charts, templates, fonts: Handlebars and Markdown among them),
 * loaded on first use: a run starts its browser before it spends time loading them.
 */
let rendering: Promise<typeof import('./model/select.js') & typeof import('./model/format.js') & typeof import('./charts/render.js') & typeof import('./render/html.js') & typeof import('./render/fonts.js')> | undefined;
const renderModules = () =>
  (rendering ??= Promise.all([import('./model/select.js'), import('./model/format.js'), import('./charts/render.js'), import('./render/html.js'), import('./render/fonts.js')]).then((ms) => Object.assign({}, ...ms) as Awaited<NonNullable<typeof rendering>>));

/**
 * Builds the selected briefings: HTML drafts always, PDFs unless htmlOnly, from `plan` (made once: by
 * the caller, or here). A briefing whose inputs and files are unchanged since it was made is left alone;
 * when nothing changed, nothing is loaded or launched.
 *
 * It settles, or the process goes on: if Node finds nothing left that could settle it (a promise of the
 * browser's that nothing will ever resolve, after Chromium died at the wrong moment), the run fails
 * naming every briefing not printed, rather than the process ending with exit code 0 and nothing written.
 */
export function buildBriefings(config: Config, effects: BuildEffects, plan: BuildPlan | undefined = planBuild(config)): Promise<BuildResult> {
  const progress: RunProgress = { planned: [], printed: new Set() };
  let onStall!: () => void;
  const stalled = new Promise<BuildResult>((resolve, reject) => {
    // Stalled after its edition was switched in (closing the browser, say): built all the same.
    onStall = () => (progress.committed ? resolve(progress.committed) : reject(stallFailure(progress)));
  });
  // 'beforeExit' is emitted only when the event loop has nothing left to do: a run still pending then can never finish.
  process.once('beforeExit', onStall);
  return Promise.race([runBuild(config, effects, progress, plan), stalled]).finally(() => process.off('beforeExit', onStall));
}

interface RunProgress {
  /** The briefings this run makes, by name, once planned. */
  planned: string[];
  /** Those written (and printed, unless HTML only) so far. */
  printed: Set<string>;
  /** Set once the run's edition is switched in. */
  committed?: BuildResult;
}

function stallFailure(progress: RunProgress): Error {
  const missing = progress.planned.filter((n) => !progress.printed.has(n));
  if (!missing.length) return new PrintFailure('the run stalled with nothing left to wait on before its files were switched in; nothing of this run was written');
  const why = 'not printed: the run stalled with nothing left to wait on (the browser stopped answering)';
  return new PrintFailure(`${missing.length} briefing(s) failed; nothing of this run was written:\n  ${missing.map((n) => `${n}: ${why}`).join('\n  ')}`);
}

/** The run's log: every line goes to the effects as it happens, and is kept to be stored with the edition. */
class RunLog {
  readonly lines: LogLine[] = [];
  constructor(private readonly effects: BuildEffects, readonly clock: () => Date) {}
  line(level: LogLine['level'], event: string, fields: Record<string, unknown> = {}): LogLine {
    return { time: this.clock().toISOString(), level, event, ...fields };
  }
  emit(level: LogLine['level'], event: string, fields: Record<string, unknown> = {}): void {
    this.record(this.line(level, event, fields));
  }
  record(l: LogLine): void {
    this.lines.push(l);
    this.effects.log(l);
  }
}

/**
 * The stages of a run, top to bottom:
 *   1. plan           given (or made once): the edition, each briefing's input hash, those out of date
 *   2. browser        started at once, so it starts up while this thread loads the data
 *   3. load, check    the fact base, proved like `briefing check`; the zones and themes asked for
 *   4. lock, stage    one run per output folder; a new version staged beside the current one
 *   5. render, print  each briefing rendered a few ahead of the printer, printed as soon as written
 *   6. commit         every briefing verified, the version switched in
 *   7. record         the edition's log and manifest; the result
 */
async function runBuild(config: Config, effects: BuildEffects, progress: RunProgress, plan: BuildPlan | undefined): Promise<BuildResult> {
  const started = performance.now();
  mark('build');
  const log = new RunLog(effects, effects.clock ?? (() => new Date()));
  if (plan && plan.todo.length === 0) {
    settleUnchanged(config);
    return { edition: plan.edition, inputHash: plan.inputHash, files: [], unchanged: plan.docs.length, ms: performance.now() - started };
  }
  const shared = effects.printer;
  const printerReady = config.htmlOnly ? undefined : shared ? shared.warm().then(() => shared) : startPrinter(config, log);
  let printer: Printer | undefined;
  let lock: Lock | undefined;
  let staging: StagedRun | undefined;
  try {
    // Chromium's process is started before the data is loaded, so it starts up while this thread is busy.
    await printerReady?.catch(() => undefined);
    const { base, zones, themes } = loadAndCheck(config);
    // Data that loaded and checked has readable zones and themes, so the plan exists.
    const { edition, todo } = plan!;
    lock = acquireLock(config.outDir, log.clock());
    staging = stageRun(config.outDir, edition, effects.faultAt);
    progress.planned = todo.map((d) => d.name);
    mark('staged');
    const { loadTemplates } = await renderModules();
    const ctx: DraftContext = { base, templates: loadTemplates(config.templatesDir), edition, langs: LANGS[config.lang], now: config.now, timeZone: config.timeZone, staleAfterMonths: config.staleAfterMonths, ...(config.cacheDir ? { cacheDir: config.cacheDir } : {}) };
    mark('templates');
    printer = await printerReady;
    mark('printer');
    const briefings = todo.map((doc) => ({ doc, zone: zones.find((z) => z.id === doc.zone)!, theme: themes.find((t) => t.id === doc.theme)! }));
    const built = await renderAndPrint(config, effects, log, { ctx, staging, printer, briefings, progress });
    mark('printed');
    // Nothing more to print: the browser closes while the files are moved into place (awaited below).
    if (!shared) void printer?.close();
    progress.committed = commitRun(config, effects, log, { plan: plan!, staging, built, started });
    mark('committed');
    return progress.committed;
  } catch (e) {
    staging?.abort();
    throw e;
  } finally {
    if (!shared) {
      printer ??= await printerReady?.catch(() => undefined);
      await printer?.close();
    }
    lock?.release();
  }
}

/**
 * A printer for runs of `config` (print/printer.ts): its browser, or the pool of `--browser-ws`, with the
 * run's concurrency and timeouts, loading files from the output folder only. Nothing starts until it is
 * used or warmed; the caller closes it.
 */
export async function openPrinter(config: Config, on: { warning(event: string, fields: Record<string, unknown>): void; browser(description: string): void }): Promise<Printer> {
  const { createPrinter } = await import('./print/printer.js');
  return createPrinter({
    concurrency: config.concurrency, recycleAfter: config.recycleAfter, timeoutMs: config.printTimeoutMs, env: config.env,
    ...(config.browserWs ? { endpoints: config.browserWs } : {}),
    ...(config.cacheDir ? { cacheDir: config.cacheDir } : {}),
    onWarning: on.warning,
    roots: [path.resolve(config.outDir)],
    onBrowser: on.browser,
  });
}

/** Stage 2: the run's own printer, its browser started now, in the background. */
async function startPrinter(config: Config, log: RunLog): Promise<Printer> {
  const p = await openPrinter(config, {
    warning: (event, fields) => log.emit('warn', event, fields),
    browser: (browser) => {
      mark('browser-ready');
      log.emit('info', 'browser', { browser });
    },
  });
  mark('printer-module');
  await p.warm();
  mark('browser-spawned');
  return p;
}

/** Stage 3: the fact base, loaded and checked, and the zones and themes asked for. */
function loadAndCheck(config: Config): { base: FactBase; zones: ZoneSpec[]; themes: ThemeSpec[] } {
  // Hashed before the data is read (see check-cache.ts): a fact base that passed as it is is not checked again.
  const base = loadCheckedFacts(config.dataDir, checkMemo(config.dataDir, config.packageRoot, config.cacheDir));
  const problems: Problem[] = [];
  const zones = pickIds(base.zones, config.zones, 'zone', 'data/zones.yaml', problems);
  const themes = pickIds(base.themes, config.themes, 'theme', 'data/themes.yaml', problems);
  if (problems.length) throw new BriefingError(problems);
  return { base, zones, themes };
}

/**
 * Stage 5: each briefing rendered and written, then printed as soon as its HTML is written; the printer
 * bounds how many print at once. Rendering stays a few documents ahead of printing (a work queue of
 * twice the printer's width), yielding between documents, so the browser has work from the first
 * document on and this process answers it while it renders the next. Every briefing is tried; any
 * failure fails the run, naming each.
 */
async function renderAndPrint(
  config: Config,
  effects: BuildEffects,
  log: RunLog,
  run: { ctx: DraftContext; staging: StagedRun; printer: Printer | undefined; briefings: { doc: PlannedDoc; zone: ZoneSpec; theme: ThemeSpec }[]; progress: RunProgress },
): Promise<BuiltFile[]> {
  const { ctx, staging, printer, briefings, progress } = run;
  const { withMetadata } = printer ? await import('./print/pdf.js') : { withMetadata: undefined };
  // Two documents ahead for each one that can print at once: --concurrency on each remote endpoint.
  const ahead = new WorkQueue(config.concurrency * (config.browserWs?.length ?? 1) * 2);
  const built: BuiltFile[] = [];
  const failures: { name: string; error: unknown }[] = [];
  const jobs: Promise<void>[] = [];
  let done = 0;
  const finished = (file: BuiltFile, name: string, event: string, fields: Record<string, unknown>) => {
    built.push(file);
    if (!done) mark('first-print');
    progress.printed.add(name);
    log.emit('info', event, fields);
    done++;
    effects.progress?.(done, briefings.length);
  };
  for (const { doc, zone, theme } of briefings) {
    await ahead.whenVacant();
    await new Promise<void>((resolve) => setImmediate(resolve));
    const t0 = performance.now();
    const staged = staging.staged(`${doc.name}.html`);
    const { html, view, fonts } = await renderDraft(ctx, zone, theme, doc.name);
    if (done === 0 && !jobs.length) mark('first-render');
    // Every write settles before a failure is told: the staging folder is removed on failure, and a
    // write still in flight would make that removal fail (ENOTEMPTY) in place of the real error.
    const writes = await Promise.allSettled([...fonts.map((font) => effects.writeFile(staging.staged(font.name), font.data)), effects.writeFile(staged, html)]);
    const failed = writes.find((w): w is PromiseRejectedResult => w.status === 'rejected');
    if (failed) throw failed.reason;
    const file: BuiltFile = { zone: zone.id, theme: theme.id, lang: config.lang, html: staging.final(`${doc.name}.html`), fonts: fonts.map((f) => staging.final(f.name)), ms: performance.now() - t0, hash: doc.hash };
    if (!printer || !withMetadata) {
      finished(file, doc.name, 'html', { file: file.html, ms: Math.round(file.ms) });
      continue;
    }
    const print = async () => {
      const t1 = performance.now();
      const { pdf: raw, layout, passes } = await printer.print(staged);
      if (layout.length) {
        // Told against the sheet the text comes from (the run's HTML is never written when it fails).
        const sheet = path.relative(process.cwd(), path.join(config.dataDir, 'facts', zone.id, `${theme.id}.yaml`));
        throw new BriefingError(layout.map((message) => layoutProblem(sheet, doc.name, message)));
      }
      const { bytes, pages } = withMetadata(raw, {
        title: view.title, author: 'briefing', subject: `${zone.name.en}: ${theme.name.en}, edition ${ctx.edition}`,
        keywords: [zone.name.zh, zone.name.en, theme.name.zh, theme.name.en, ctx.edition], language: ctx.langs.includes('zh') ? 'zh-CN' : 'en', createdAt: config.now,
      });
      await effects.writeFile(staging.staged(`${doc.name}.pdf`), bytes);
      file.pdf = staging.final(`${doc.name}.pdf`);
      file.pages = pages;
      file.ms += performance.now() - t1;
      finished(file, doc.name, 'printed', { file: file.pdf, pages, ms: Math.round(file.ms), ...(passes > 1 ? { passes } : {}) });
    };
    jobs.push(
      ahead.run(print).catch((error: unknown) => {
        failures.push({ name: doc.name, error });
        log.emit('error', 'print-failed', { document: doc.name, reason: error instanceof Error ? error.message : String(error) });
      }),
    );
  }
  await Promise.all(jobs);
  if (failures.length) throw runFailure(failures);
  // Every briefing planned must have been made: a print that vanished without an error is a failure too.
  const made = new Set(built.map((d) => path.basename(d.html, '.html')));
  const unmade = briefings.filter(({ doc }) => !made.has(doc.name));
  if (unmade.length) throw new PrintFailure(`${unmade.length} briefing(s) failed; nothing of this run was written:\n  ${unmade.map(({ doc }) => `${doc.name}: not printed, and no error was reported`).join('\n  ')}`);
  return built;
}

/**
 * Stages 6 and 7: every file of the run succeeded; the whole edition as it will be (this run's briefings
 * and those carried over) is verified, the new version switched in with its record, in the order the
 * briefings were planned, and the run's last log line reported once the edition is in place.
 */
function commitRun(config: Config, effects: BuildEffects, log: RunLog, run: { plan: BuildPlan; staging: StagedRun; built: BuiltFile[]; started: number }): BuildResult {
  const { plan, staging, built, started } = run;
  const { edition } = plan;
  const order = new Map(plan.todo.map((d, i) => [staging.final(`${d.name}.html`), i]));
  built.sort((a, b) => order.get(a.html)! - order.get(b.html)!);
  const rel = (file: string) => path.relative(path.join(config.outDir, edition), file).split(path.sep).join('/');
  const written = new Map<string, { pages?: number; docHash?: string }>();
  for (const d of built) {
    written.set(rel(d.html), { docHash: d.hash });
    for (const f of d.fonts) written.set(rel(f), { docHash: d.hash });
    if (d.pdf) written.set(rel(d.pdf), { pages: d.pages!, docHash: d.hash });
  }
  const pagesNow = new Map(built.map((d) => [path.basename(d.html, '.html'), d.pages]));
  const before = readManifest(config.outDir).editions[edition];
  const verify = (dir: string) => {
    const problems = editionProblems(dir, plan.docs.map((d) => d.name), {
      pdf: !config.htmlOnly,
      pages: (name) => pagesNow.get(name) ?? before?.files[`${name}.pdf`]?.pages,
    });
    if (problems.length) throw new PrintFailure(`${problems.length} briefing(s) failed verification; nothing of this run was written:\n  ${problems.join('\n  ')}`);
  };
  const unchanged = plan.docs.length - plan.todo.length;
  // The log stored with the edition ends with this line; it is reported once the edition is in place.
  const builtLine = log.line('info', 'built', { edition, briefings: built.length, files: written.size, pages: built.reduce((n, d) => n + (d.pages ?? 0), 0), unchanged, ms: Math.round(performance.now() - started) });
  const { warnings } = staging.commit({ builtAt: config.now, inputHash: plan.inputHash, log: [...log.lines, builtLine], written }, { fault: effects.faultAt, verify });
  log.record(builtLine);
  for (const warning of warnings) log.emit('warn', 'tidy-failed', { reason: warning });
  return { edition, inputHash: plan.inputHash, files: built, unchanged, ms: performance.now() - started };
}

/**
 * One error for every document that failed: a user error (exit 1) when all were layout problems,
 * otherwise an internal fault (exit 2) naming each document and what happened.
 */
function runFailure(failures: { name: string; error: unknown }[]): Error {
  if (failures.every((f) => f.error instanceof BriefingError)) return new BriefingError(failures.flatMap((f) => (f.error as BriefingError).problems));
  const lines = failures.map((f) => `${f.name}: ${f.error instanceof Error ? f.error.message : String(f.error)}`);
  return new PrintFailure(`${failures.length} briefing(s) failed; nothing of this run was written:\n  ${lines.join('\n  ')}`);
}

export class PrintFailure extends Error {
  override name = 'PrintFailure';
}

/**
 * A layout problem of a printed page as one located line. The editor's rules on the page (print/rules.ts)
 * say their own fix after a colon ("…: write “ and ” in the data"); the size rules (print/pdf.ts) all
 * have the same one.
 */
function layoutProblem(file: string, name: string, message: string): Problem {
  const own = / in the data$/.test(message) ? message.lastIndexOf(': ') : -1;
  return own > 0
    ? { file, line: 0, col: 0, message: `${name}.html: layout: ${message.slice(0, own)}`, hint: message.slice(own + 2) }
    : { file, line: 0, col: 0, message: `${name}.html: layout: ${message}`, hint: 'shorten the text or change the template so it fits the page' };
}

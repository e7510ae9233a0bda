/**
 * The command line: parses flags, calls the library, maps errors to exit codes. `run` is the command line
 * as a function (arguments and two output streams in, an exit code out: the tests call it in-process);
 * `main` wires it to the process (its streams, signals and exit). Only bin/briefing.js and tests import this.
 */
import path from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { BriefingError, cap, formatProblem, operationalProblem, usageError, type Problem } from './errors.js';
import { DEFAULT_LANG_MODE, DEFAULT_STALE_AFTER_MONTHS, LANG_MODES, resolveConfig, type ConfigInput } from './config.js';
import { writeFileAtomicAsync } from './write.js';
import type { LogLine } from './editions/manifest.js';
import { abortAllRuns } from './editions/output.js';
import { checkOutFolder } from './editions/outdir.js';
import { releaseAllLocks } from './editions/lock.js';

const rel = (p: string) => path.relative(process.cwd(), p) || p;
/** The options that were given, without the undefined ones (for exactOptionalPropertyTypes). */
const pickDefined = <T extends Record<string, unknown>>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };
const collect = (v: string, prev: string[] = []) => [...prev, ...v.split(',').map((s) => s.trim()).filter(Boolean)];
const BROWSER_WS_HELP = 'print in these running Chromiums instead of launching one: ws://… or http://host:port, comma-separated or the flag repeated; --concurrency applies to each (or BRIEFING_BROWSER_WS)';

/** Where a run writes: what the user asked for on stdout, problems and warnings on stderr. */
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** stderr is a terminal: a build draws its progress bar there. */
  readonly interactive?: boolean;
}

/** One run's state: what it says, the output folder named in a system error, the run a signal stops. */
interface RunContext {
  readonly io: CliIO;
  /** Prints one line on stdout. */
  readonly say: (line: string) => void;
  /** The exit code of a command that failed without an error (a failed scheduled run, a doctor's finding). */
  code: number;
  /** The output folder of the command running, for a system error that names no path (a full disk). */
  outDir?: string;
  /** Set while `schedule` runs: a signal stops the loop and logs one `interrupted` line. */
  interrupt?: (signal: NodeJS.Signals) => void;
}

function progressBar(io: CliIO): ((done: number, total: number) => void) | undefined {
  if (!io.interactive) return undefined;
  const width = 24;
  return (done, total) => {
    const filled = Math.round((done / total) * width);
    io.stderr(`\r[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${done}/${total}${done === total ? '\n' : ''}`);
  };
}

/** The options that say what to print and from where, shared by build and schedule. */
function withInputOptions(cmd: Command): Command {
  return cmd
    .option('--zone <id...>', 'zones to print (default: all)', collect)
    .option('--theme <id...>', 'themes to print (default: all)', collect)
    .addOption(new Option('--lang <mode>', 'languages').choices(LANG_MODES).default(DEFAULT_LANG_MODE))
    .option('--out <dir>', 'output folder', 'output')
    .option('--data <dir>', 'data folder', 'data')
    .option('--templates <dir>', 'templates folder', 'templates');
}

function program(ctx: RunContext): Command {
  const { io, say } = ctx;
  /** The output folder is usable (see editions/outdir.ts), and named in a later system error. */
  const checkOutDir = (outDir: string, opts: { write?: boolean } = {}) => {
    ctx.outDir = outDir;
    checkOutFolder(outDir, opts);
  };
  const cmd = new Command('briefing')
    .description('Bilingual (Chinese/English) PDF policy briefings from sourced YAML fact sheets')
    .version('0.1.0')
    .option('--verbose', 'more detail: the browser a build printed with, and the stack trace of an internal fault')
    .configureOutput({
      writeOut: io.stdout,
      writeErr: io.stderr,
      outputError: (str, write) => write(`${str.trim().replace(/^error: /, 'briefing: ')} (see briefing --help)\n`),
    })
    .exitOverride();

  withInputOptions(cmd.command('build').description('print one briefing per zone and theme into <out>/<edition>/'))
    .option('--edition <YYYY-MM>', 'edition month (default: this month in --tz)')
    .option('--html-only', 'write the HTML drafts, print no PDF')
    .option('--now <iso-date>', 'pin the build time (or set SOURCE_DATE_EPOCH)')
    .option('--tz <zone>', 'time zone for the default edition (default: BRIEFING_TZ or Asia/Shanghai)')
    .option('--stale-after <months>', 'mark measured figures older than this as stale', String(DEFAULT_STALE_AFTER_MONTHS))
    .option('--force', 'rebuild every briefing, even those whose inputs did not change')
    .option('--concurrency <n>', 'briefings printing at once (on each --browser-ws browser; default: the number of cores)')
    .option('--recycle-after <n>', 'relaunch the browser after this many briefings', '200')
    .option('--print-timeout <seconds>', 'fail a briefing whose printing takes longer', '30')
    .option('--browser-ws <url>', BROWSER_WS_HELP, collect)
    .option('--verbose', 'say which browser printed (and print the stack trace of an internal fault)')
    .action(async (opts: ConfigInput, command: Command) => {
      // --verbose is also an option of the program, which takes it wherever it is written.
      const config = resolveConfig({ ...opts, verbose: !!(opts.verbose ?? command.optsWithGlobals<{ verbose?: boolean }>().verbose) });
      checkOutDir(config.outDir);
      await checkDataFiles(config.dataDir);
      // The run is planned once, from file contents alone, before the pipeline loads; nothing changed
      // is answered from the plan.
      const { planBuild, settleUnchanged } = await import('./plan.js');
      const plan = planBuild(config);
      if (plan && plan.todo.length === 0) {
        settleUnchanged(config);
        return say(`0 briefings, ${plan.docs.length} unchanged, edition ${plan.edition}`);
      }
      const { buildBriefings } = await import('./build.js');
      const result = await buildBriefings(config, { writeFile: writeFileAtomicAsync, log: (line) => printEvent(io, line, config.verbose), ...pickDefined({ progress: progressBar(io) }) }, plan);
      const pages = result.files.reduce((n, f) => n + (f.pages ?? 0), 0);
      const unchanged = result.unchanged ? `, ${result.unchanged} unchanged` : '';
      say(`${result.files.length} briefings, ${pages} pages${unchanged}, edition ${result.edition}, ${(result.ms / 1000).toFixed(1)} s`);
    });

  withInputOptions(cmd.command('schedule').description('build the new edition on a schedule, in the foreground (JSON log lines on stdout)'))
    .option('--cron <expr>', 'when to build, five cron fields', '0 8 1 * *')
    .option('--tz <zone>', 'time zone of the schedule and the edition (default: BRIEFING_TZ or Asia/Shanghai)')
    .option('--once', 'build the current edition now and exit')
    .option('--catch-up', 'on start, build an edition whose run was missed')
    .option('--force', 'build even when the edition was built from the same inputs')
    .option('--print-crontab', 'print a crontab entry that runs briefing build, and exit')
    .option('--print-systemd', 'print a systemd service and timer that run briefing build, and exit')
    .option('--now <iso-date>', 'pin the clock (for --once)')
    .option('--concurrency <n>', 'briefings printing at once, on each browser (default: the number of cores)')
    .option('--browser-ws <url>', BROWSER_WS_HELP, collect)
    .action(async (opts: ConfigInput & { cron: string; once?: boolean; catchUp?: boolean; force?: boolean; printCrontab?: boolean; printSystemd?: boolean }) => {
      const cron = await import('./cron.js');
      const config = resolveConfig(opts);
      if (!opts.printCrontab && !opts.printSystemd) checkOutDir(config.outDir);
      cron.parseCron(opts.cron, config.timeZone);
      const args = ['--out', config.outDir, '--tz', config.timeZone, '--lang', config.lang, ...(config.zones ?? []).flatMap((z) => ['--zone', z]), ...(config.themes ?? []).flatMap((t) => ['--theme', t]), ...(opts.concurrency ? ['--concurrency', String(config.concurrency)] : []), ...(opts.browserWs !== undefined && config.browserWs ? ['--browser-ws', config.browserWs.join(',')] : [])];
      if (opts.printCrontab) return say(cron.crontabLine(config, { cron: opts.cron, args }));
      if (opts.printSystemd) {
        const units = cron.systemdUnits(config, { cron: opts.cron, args });
        return say(`${units.service}\n${units.timer}`);
      }
      // The build loads only for a run.
      const schedule = await import('./schedule.js');
      const clock = opts.now ? () => config.now : () => new Date();
      const effects = { writeFile: writeFileAtomicAsync, log: (line: LogLine) => say(JSON.stringify(line)), clock };
      if (opts.once) {
        await checkDataFiles(config.dataDir);
        const run = schedule.runOnce(config, effects, { force: !!opts.force });
        ctx.interrupt = run.interrupt;
        const outcome = await run.done;
        if (outcome.status === 'failed') ctx.code = outcome.exitCode;
        return;
      }
      const scheduler = schedule.startScheduler(config, effects, { cron: opts.cron, force: !!opts.force, catchUp: !!opts.catchUp });
      ctx.interrupt = scheduler.interrupt;
      await scheduler.done;
    });

  cmd
    .command('check')
    .description('prove the fact base against its sources')
    .option('--coverage', 'list source sentences holding a figure that back no fact')
    .option('--edition <YYYY-MM>', 'also report figures that are stale at this edition')
    .option('--stale-after <months>', 'age in months after which a measured figure is stale', String(DEFAULT_STALE_AFTER_MONTHS))
    .option('--data <dir>', 'data folder', 'data')
    .action(async (opts: { coverage?: boolean; data: string; edition?: string; staleAfter: string }) => {
      const { loadFactBase, placeOf } = await import('./data/load.js');
      const { checkFactBase } = await import('./check.js');
      const config = resolveConfig({ data: opts.data, staleAfter: opts.staleAfter, ...(opts.edition ? { edition: opts.edition } : {}) });
      const base = loadFactBase(config.dataDir);
      const report = checkFactBase(base);
      for (const note of report.notes) say(`note: ${note}`);
      if (config.edition) {
        const { isStale } = await import('./model/select.js');
        const { knownBy } = await import('./model/edition.js');
        const stale = base.sheets.flatMap((s) => s.facts).filter((f) => knownBy(base.sources.get(f.source.doc)?.published ?? '9999', config.edition!) && isStale(f, config.edition!, config.staleAfterMonths));
        for (const f of stale) say(`stale: ${f.file}:${placeOf(f).line}:${placeOf(f).col}: "${f.id}" dates from ${f.period?.to ?? f.as_of}, more than ${config.staleAfterMonths} months before edition ${config.edition}`);
        say(`${stale.length} stale figure${stale.length === 1 ? '' : 's'} at edition ${config.edition}`);
      }
      if (opts.coverage) {
        let total = 0;
        let covered = 0;
        for (const c of report.coverage) {
          total += c.sentences;
          covered += c.covered;
          say(`${c.file}: ${c.covered}/${c.sentences} sentences with figures back a fact (${pct(c.covered, c.sentences)})`);
          for (const s of c.uncovered) say(`  not covered: ${s}`);
        }
        say(`coverage: ${covered}/${total} (${pct(covered, total)})`);
      }
      const { loadDrafts, pendingWork } = await import('./data/drafts.js');
      const { checkDrafts } = await import('./check.js');
      const draftProblems: Problem[] = [];
      const drafts = loadDrafts(config.dataDir, draftProblems);
      draftProblems.push(...checkDrafts(base, drafts));
      for (const d of drafts) {
        const ready = d.facts.filter((f) => !pendingWork(f).length).length;
        if (d.facts.length) say(`drafts: ${rel(d.file)}: ${d.facts.length} drafted fact${d.facts.length === 1 ? '' : 's'} wait for review (${ready} ready to accept)`);
      }
      if (report.errors.length || draftProblems.length) throw new BriefingError([...report.errors, ...draftProblems]);
      const perSheet = base.sheets.map((s) => `${s.zone}/${s.theme} ${s.facts.length}`).join(', ');
      say(`ok: ${report.factCount} facts (${perSheet}), ${base.sources.size} sources`);
    });

  const source = cmd.command('source').description('bring source documents into the fact base');
  source
    .command('add <file>')
    .description('store a new document (text or saved web page) in data/sources/ and list it in data/sources.yaml; prints the new id last')
    .option('--title <text>', 'the Chinese title (default: from the page)')
    .option('--title-en <text>', 'the English title')
    .option('--publisher <text>', 'the Chinese name of the publisher (default: from the page)')
    .option('--publisher-en <text>', 'the English name of the publisher')
    .option('--date <YYYY-MM-DD|YYYY-MM>', 'publication date (default: from the page)')
    .option('--zone <id...>', 'zones the document covers', collect, [])
    .option('--url <url>', 'where the document was saved from')
    .option('--force', 'add it even when it repeats a source already in the base')
    .option('--data <dir>', 'data folder', 'data')
    .action(async (file: string, opts: { title?: string; titleEn?: string; publisher?: string; publisherEn?: string; date?: string; zone: string[]; url?: string; force?: boolean; data: string }) => {
      const { addSource } = await import('./sources/add.js');
      const { writeFileAtomic } = await import('./write.js');
      const config = resolveConfig({ data: opts.data });
      await checkDataFiles(config.dataDir);
      const added = addSource(config.dataDir, { file, ...pickDefined(opts), zones: opts.zone }, { writeFile: writeFileAtomic });
      for (const line of added.found) say(`found ${line}`);
      say(`read ${file} (${added.encoding}${added.html ? ', a web page' : ''})`);
      say(`added "${added.title}" (${added.published}) as ${rel(added.file)} and to ${rel(path.join(config.dataDir, 'sources.yaml'))}`);
      say(`next: briefing draft ${added.id}`);
      say(added.id);
    });

  cmd
    .command('draft [source-id]')
    .description('draft candidate facts from a source into data/drafts/<source-id>.yaml, or accept reviewed ones')
    .option('--accept <fact-id...>', 'move reviewed drafts into their fact sheets', collect)
    .option('--force', 'replace a draft file that already exists')
    .option('--data <dir>', 'data folder', 'data')
    .action(async (sourceId: string | undefined, opts: { accept?: string[]; force?: boolean; data: string }) => {
      const config = resolveConfig({ data: opts.data });
      const { writeFileAtomic } = await import('./write.js');
      if (opts.accept?.length) {
        if (sourceId) throw usageError(`give either a source id to draft or --accept, not both`, 'briefing draft <source-id>, then briefing draft --accept <fact-id...>');
        const { acceptDrafts } = await import('./draft/accept.js');
        for (const a of acceptDrafts(config.dataDir, opts.accept, { writeFile: writeFileAtomic })) {
          const what = a.how === 'known' ? `recorded its source as "also" on "${a.fact}"` : a.how === 'update' ? `added as a newer observation of "${a.fact}" (one series)` : 'added';
          say(`${a.id}: ${what} in ${rel(a.file)}`);
        }
        return;
      }
      if (!sourceId) throw usageError('no source id given', 'briefing draft <source-id> (the ids are in data/sources.yaml), or briefing draft --accept <fact-id...>');
      const { loadFactBase } = await import('./data/load.js');
      const { draftSource, draftYaml } = await import('./draft/draft.js');
      const { draftFile } = await import('./data/drafts.js');
      const { existsSync } = await import('node:fs');
      const base = loadFactBase(config.dataDir);
      const file = draftFile(config.dataDir, sourceId);
      if (existsSync(file) && !opts.force && base.sources.has(sourceId)) throw usageError(`${rel(file)} exists already, perhaps with your review in it`, 'accept or delete its facts first, or add --force to draft it anew');
      const { sheet, summary } = draftSource(base, sourceId);
      writeFileAtomic(file, draftYaml(sheet, base.sources.get(sourceId)!));
      const rows: [string, number][] = [
        ['clauses with figures', summary.clauses],
        ['figures drafted', summary.figures],
        ['already known', summary.known],
        ['to review', summary.review],
        ['  of which updates', summary.updates],
        ['  of which conflicts', summary.conflicts],
      ];
      for (const [label, n] of rows) say(`${label.padEnd(22)} ${String(n).padStart(4)}`);
      say(`wrote ${rel(file)}: ${sheet.facts.length} drafted facts; review them, then briefing draft --accept <fact-id...>`);
    });

  cmd
    .command('list')
    .description('list zones, themes and the editions the data supports')
    .option('--data <dir>', 'data folder', 'data')
    .action(async (opts: { data: string }) => {
      const { listText } = await import('./list.js');
      const config = resolveConfig({ data: opts.data });
      await checkDataFiles(config.dataDir);
      io.stdout(await listText(config.dataDir, config.packageRoot, config.cacheDir));
    });

  cmd
    .command('doctor')
    .description('check the browsers a build would print in (the local one, or each --browser-ws): version, a test page with the bundled fonts, round trip')
    .option('--browser-ws <url>', 'check these running Chromiums instead of the local browser: ws://… or http://host:port, comma-separated or the flag repeated (or BRIEFING_BROWSER_WS)', collect)
    .option('--print-timeout <seconds>', 'fail a browser whose test page takes longer', '30')
    .action(async (opts: ConfigInput) => {
      const { runDoctor } = await import('./doctor.js');
      const report = await runDoctor(resolveConfig(opts), { out: say });
      if (!report.ok) ctx.code = 1;
    });

  cmd
    .command('preview')
    .description('serve the HTML drafts as printed pages on a local server, reloading when data/ or templates/ change')
    .option('--port <n>', 'port to listen on (0: any free port)', '4173')
    .option('--host <addr>', 'address to listen on', '127.0.0.1')
    .option('--open', 'open the index in the system browser')
    .option('--edition <YYYY-MM>', 'edition the index opens on (default: this month in --tz)')
    .option('--now <iso-date>', 'pin the build time shown on the covers (or set SOURCE_DATE_EPOCH)')
    .option('--tz <zone>', 'time zone for the default edition (default: BRIEFING_TZ or Asia/Shanghai)')
    .option('--data <dir>', 'data folder', 'data')
    .option('--templates <dir>', 'templates folder', 'templates')
    .option('--out <dir>', 'output folder; PDFs printed on request go to <out>/.preview', 'output')
    .action(async (opts: ConfigInput & { port: string; host: string; open?: boolean }) => {
      const { startPreview, previewOptions } = await import('./preview/server.js');
      const config = resolveConfig(opts);
      checkOutDir(config.outDir, { write: false });
      const preview = await startPreview(config, { ...previewOptions(opts), log: say });
      say(`briefing preview: ${preview.url}  (Ctrl-C to stop)`);
      await preview.done;
    });
  return cmd;
}

/** A build event as a person reads it: one line per file. */
function printEvent(io: CliIO, line: LogLine, verbose: boolean): void {
  if (line.event === 'printed') io.stdout(`${rel(String(line.file))}  ${String(line.pages)} pages  ${String(line.ms)} ms\n`);
  else if (line.event === 'html') io.stdout(`${rel(String(line.file))}  html  ${String(line.ms)} ms\n`);
  else if (line.event === 'browser' && verbose) io.stdout(`browser: ${String(line.browser)}\n`);
  else if (line.event === 'browser-dropped') io.stderr(`briefing: warning: ${String(line.endpoint)} dropped for this run: ${String(line.reason)} (${String(line.left)} left)\n`);
}

const pct = (a: number, b: number) => (b ? `${((100 * a) / b).toFixed(1)}%` : 'n/a');

/**
 * Runs one command line (`args` without node and the script) and returns its exit code: 0 success, 1 the
 * user's input is wrong, 2 an internal fault; 128 + the signal's number when `signal` aborted the run.
 * Nothing is written but through `io`, and the process is left as it was: no exit, no handlers.
 */
export async function run(args: string[], io: CliIO, signal?: AbortSignal): Promise<number> {
  const ctx: RunContext = { io, say: (line) => io.stdout(`${line}\n`), code: 0 };
  signal?.addEventListener('abort', () => ctx.interrupt?.(signal.reason as NodeJS.Signals), { once: true });
  try {
    await program(ctx).parseAsync(args, { from: 'user' });
    return ctx.code;
  } catch (e) {
    // A run cut short by a signal fails as a consequence (its browser closed under it): no error to report.
    if (signal?.aborted) return signalExitCode(signal.reason as NodeJS.Signals);
    return exitCodeFor(e, io, ctx.outDir, verboseIn(args));
  }
}

const signalExitCode = (signal: NodeJS.Signals) => (signal === 'SIGINT' ? 130 : 143);

/** Runs the command line of this process, then ends it. */
export async function main(argv: string[]): Promise<void> {
  const interrupted = new AbortController();
  const onSignal = async (signal: NodeJS.Signals) => {
    interrupted.abort(signal);
    try {
      const { closeAllBrowsers } = await import('./print/browser.js');
      await closeAllBrowsers();
    } finally {
      process.exit(signalExitCode(signal));
    }
  };
  // However the process ends, no staging folder and no lock are left behind.
  process.once('exit', () => {
    abortAllRuns();
    releaseAllLocks();
  });
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const io: CliIO = { stdout: (t) => void process.stdout.write(t), stderr: (t) => void process.stderr.write(t), interactive: !!process.stderr.isTTY };
  const code = await run(argv.slice(2), io, interrupted.signal);
  // The signal's handler ends the process once the browser is closed.
  if (interrupted.signal.aborted) return;
  process.exitCode = code;
  // A failed run has said what went wrong, and its own cleanup (browser, lock, staging) is done: end now.
  // Something a library left pending must not hold the exit (Puppeteer waits 30 s for tabs that were
  // opening when a data error closed the browser, see print/printer.ts).
  if (code !== 0) process.exit();
}

/** --verbose anywhere before a `--`, even when the command line fails to parse. */
function verboseIn(args: string[]): boolean {
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).includes('--verbose');
}

/**
 * Exit codes: 1 for whatever the user can fix (the data, a flag, the machine: a full disk, a read-only
 * folder), each as one line; 2 for a fault of briefing itself, one line too, with the stack under --verbose.
 */
function exitCodeFor(e: unknown, io: CliIO, outDir: string | undefined, verbose: boolean): number {
  const tell = (line: string) => io.stderr(`${line}\n`);
  if (e instanceof CommanderError) {
    // Commander has printed its message already; help and version are not errors.
    return e.exitCode === 0 ? 0 : 1;
  }
  if (e instanceof BriefingError) {
    for (const p of e.problems) tell(formatProblem(p));
    return 1;
  }
  const operational = operationalProblem(e, outDir);
  if (operational) {
    tell(formatProblem(operational));
    if (verbose) tell(stackOf(e));
    return 1;
  }
  if (e instanceof Error && e.name === 'PrintFailure') {
    tell(`briefing: ${e.message}`);
    return 2;
  }
  const what = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  tell(`briefing: internal error: ${cap(what.split('\n')[0] ?? what, 300)} (a bug in briefing, not in your data: please report it with the command you ran${verbose ? '' : '; --verbose prints the stack trace'})`);
  if (verbose) tell(stackOf(e));
  return 2;
}

/** The frames of an error's stack, without its message (already printed, and perhaps long). */
function stackOf(e: unknown): string {
  const frames = e instanceof Error ? (e.stack ?? '').split('\n').filter((l) => /^\s+at /.test(l)) : [];
  return frames.length ? frames.join('\n') : '    (no stack trace)';
}

/**
 * Data files that are links, pipes, devices or far too large, refused before a command that hashes or
 * scans the data (build, schedule --once, list, source add) reads any.
 */
async function checkDataFiles(dataDir: string): Promise<void> {
  const { dataFileProblems } = await import('./data/yaml.js');
  const problems = dataFileProblems(dataDir);
  if (problems.length) throw new BriefingError(problems);
}


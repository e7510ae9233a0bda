/**
 * `briefing schedule`: builds the current edition on a cron expression, in the foreground.
 * Each run is idempotent (skipped when the edition was already built from the same inputs), one run at
 * a time (the build's lock), atomic (the build's staging), and logged as JSON lines.
 * It sits above the build (it calls buildBriefings), beside the CLI and the preview: nothing under
 * editions/, print/, data/ or model/ imports build.ts.
 */
import { Cron } from 'croner';
import { BriefingError, formatProblem } from './errors.js';
import { buildBriefings, type BuildEffects } from './build.js';
import { currentEdition } from './model/edition.js';
import type { LogLine } from './editions/manifest.js';
import type { Config } from './config.js';
import { CRON_OPTIONS, missedEdition, parseCron } from './cron.js';

export interface ScheduleEffects extends BuildEffects {
  clock(): Date;
}

export type RunOutcome = { status: 'built' | 'skipped'; edition: string } | { status: 'failed'; edition: string; exitCode: number; reason: string };

/**
 * Builds the edition of `now` unless the manifest shows it built from the same inputs with every file
 * intact (or `force`). Never throws: a failure is logged and returned.
 */
export async function runEdition(config: Config, effects: ScheduleEffects, opts: { force: boolean }): Promise<RunOutcome> {
  const now = effects.clock();
  const cfg: Config = { ...config, now, edition: config.edition ?? currentEdition(now, config.timeZone) };
  const edition = cfg.edition!;
  const log = (level: LogLine['level'], event: string, fields: Record<string, unknown> = {}) => effects.log({ time: effects.clock().toISOString(), level, event, edition, ...fields });
  try {
    // The build itself leaves alone every briefing whose inputs and files are unchanged.
    const result = await buildBriefings({ ...cfg, force: opts.force }, effects);
    if (result.files.length === 0) {
      log('info', 'skipped', { reason: 'already built from the same inputs', inputHash: result.inputHash });
      return { status: 'skipped', edition };
    }
    return { status: 'built', edition };
  } catch (e) {
    const exitCode = e instanceof BriefingError ? 1 : 2;
    const reason = e instanceof BriefingError ? e.problems.map(formatProblem).join('; ') : e instanceof Error ? e.message : String(e);
    log('error', 'run-failed', { reason, exitCode });
    return { status: 'failed', edition, exitCode, reason };
  }
}

/**
 * A process's runs, which a signal may cut short. The process then closes its browsers and exits (cli.ts),
 * so the build in flight fails under it: those failures (print-failed, run-failed) are the signal's doing,
 * not the build's. `interrupt` logs one `interrupted` line (warn) naming the signal and the edition whose
 * run it cut short, and nothing is logged after it.
 */
class Runs {
  #interrupted = false;
  #inFlight: string | undefined;
  readonly effects: ScheduleEffects;

  constructor(private readonly outer: ScheduleEffects) {
    this.effects = { ...outer, log: (line) => void (this.#interrupted || outer.log(line)) };
  }

  /** runEdition, its edition noted as in flight until it ends. */
  async run(config: Config, opts: { force: boolean }): Promise<RunOutcome> {
    const edition = config.edition ?? currentEdition(this.effects.clock(), config.timeZone);
    this.#inFlight = edition;
    try {
      return await runEdition({ ...config, edition }, this.effects, opts);
    } finally {
      if (this.#inFlight === edition) this.#inFlight = undefined;
    }
  }

  interrupt(signal: NodeJS.Signals): void {
    if (this.#interrupted) return;
    this.#interrupted = true;
    this.outer.log({ time: this.outer.clock().toISOString(), level: 'warn', event: 'interrupted', signal, ...(this.#inFlight ? { edition: this.#inFlight } : {}) });
  }
}

/** One run now (`schedule --once`); `interrupt` as for startScheduler. */
export function runOnce(config: Config, effects: ScheduleEffects, opts: { force: boolean }): { done: Promise<RunOutcome>; interrupt(signal: NodeJS.Signals): void } {
  const runs = new Runs(effects);
  return { done: runs.run(config, opts), interrupt: (signal) => runs.interrupt(signal) };
}

/**
 * Runs until stopped: builds on every tick; a failed run is logged and retried at the next tick.
 * `interrupt` is for a signal that ends the process: it stops the schedule and logs the one line of Runs.
 */
export function startScheduler(config: Config, effects: ScheduleEffects, opts: { cron: string; force: boolean; catchUp: boolean }): { stop(): void; interrupt(signal: NodeJS.Signals): void; done: Promise<void> } {
  const cron = parseCron(opts.cron, config.timeZone, effects.clock());
  const runs = new Runs(effects);
  let running: Promise<unknown> = Promise.resolve();
  const log = (event: string, fields: Record<string, unknown>) => runs.effects.log({ time: effects.clock().toISOString(), level: 'info', event, ...fields });
  if (opts.catchUp) {
    const missed = missedEdition(cron, config, effects.clock());
    if (missed) {
      log('catch-up', { edition: missed });
      running = runs.run({ ...config, edition: missed }, opts);
    }
  }
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  const job = new Cron(opts.cron.trim().split(/\s+/).join(' '), { ...CRON_OPTIONS, timezone: config.timeZone, protect: true }, async () => {
    await running;
    running = runs.run(config, opts);
    await running;
    log('next-run', { at: job.nextRun()?.toISOString() ?? null });
  });
  log('scheduler-started', { cron: opts.cron, tz: config.timeZone, next: job.nextRun()?.toISOString() ?? null, out: config.outDir });
  const stop = () => {
    job.stop();
    void running.then(() => resolveDone());
  };
  return {
    stop,
    interrupt(signal) {
      job.stop();
      runs.interrupt(signal);
    },
    done,
  };
}

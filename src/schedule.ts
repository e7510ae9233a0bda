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

/** Runs until stopped: builds on every tick; a failed run is logged and retried at the next tick. */
export function startScheduler(config: Config, effects: ScheduleEffects, opts: { cron: string; force: boolean; catchUp: boolean }): { stop(): void; done: Promise<void> } {
  const cron = parseCron(opts.cron, config.timeZone, effects.clock());
  let running: Promise<unknown> = Promise.resolve();
  const log = (event: string, fields: Record<string, unknown>) => effects.log({ time: effects.clock().toISOString(), level: 'info', event, ...fields });
  if (opts.catchUp) {
    const missed = missedEdition(cron, config, effects.clock());
    if (missed) {
      log('catch-up', { edition: missed });
      running = runEdition({ ...config, edition: missed }, effects, opts);
    }
  }
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  const job = new Cron(opts.cron.trim().split(/\s+/).join(' '), { ...CRON_OPTIONS, timezone: config.timeZone, protect: true }, async () => {
    await running;
    running = runEdition(config, effects, opts);
    await running;
    log('next-run', { at: job.nextRun()?.toISOString() ?? null });
  });
  log('scheduler-started', { cron: opts.cron, tz: config.timeZone, next: job.nextRun()?.toISOString() ?? null, out: config.outDir });
  return {
    stop() {
      job.stop();
      void running.then(() => resolveDone());
    },
    done,
  };
}


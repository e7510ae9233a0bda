/**
 * `briefing schedule`: builds the current edition on a cron expression, in the foreground.
 * Each run is idempotent (skipped when the edition was already built from the same inputs), one run at
 * a time (the build's lock), atomic (the build's staging), and logged as JSON lines.
 */
import { Cron } from 'croner';
import path from 'node:path';
import { BriefingError, formatProblem, usageError } from '../errors.js';
import { buildBriefings, type BuildEffects } from '../build.js';
import { currentEdition } from '../model/edition.js';
import { readManifest, type LogLine } from './manifest.js';
import type { Config } from '../config.js';

export interface ScheduleEffects extends BuildEffects {
  clock(): Date;
}

export type RunOutcome = { status: 'built' | 'skipped'; edition: string } | { status: 'failed'; edition: string; exitCode: number; reason: string };

/**
 * How croner reads a schedule here: exactly five fields (minute hour day-of-month month day-of-week, no
 * seconds or year field, no @nicknames), and day-of-month and day-of-week OR-ed when both are
 * restricted, as Vixie cron does (`0 8 1 * MON`: the 1st, and every Monday).
 */
export const CRON_OPTIONS = { mode: '5-part', domAndDow: false } as const;

/** A schedule that fires less often than this is refused as never firing (`0 8 31 2 *`, `0 8 30 2 *`). */
export const CRON_HORIZON_YEARS = 5;

const CRON_HINT = 'use five fields, minute hour day-of-month month day-of-week, e.g. "0 8 1 * *"';

/**
 * The schedule, checked: five fields that croner reads, with a run within CRON_HORIZON_YEARS of `from`.
 * A user's mistake is a BriefingError in one line.
 */
export function parseCron(expr: string, tz: string, from: Date = new Date()): Cron {
  const fields = expr.trim().split(/\s+/).filter(Boolean);
  // Quoted and escaped: a newline in the expression stays on the one line of the message.
  const shown = JSON.stringify(expr);
  if (fields.length !== 5) {
    const seconds = fields.length === 6 ? '; a sixth field is not read as seconds' : '';
    throw usageError(`--cron ${shown} has ${fields.length} field${fields.length === 1 ? '' : 's'}, not five${seconds}`, CRON_HINT);
  }
  let cron: Cron;
  try {
    cron = new Cron(fields.join(' '), { ...CRON_OPTIONS, timezone: tz, paused: true });
  } catch (e) {
    throw usageError(`--cron ${shown} is not a cron expression: ${e instanceof Error ? e.message.replace(/^CronPattern: /, '') : String(e)}`, CRON_HINT);
  }
  const next = cron.nextRun(from);
  const horizon = new Date(from);
  horizon.setUTCFullYear(horizon.getUTCFullYear() + CRON_HORIZON_YEARS);
  if (!next || next > horizon) {
    throw usageError(`--cron ${shown} never fires${next ? ` within ${CRON_HORIZON_YEARS} years (next: ${next.toISOString()})` : ''}`, 'check the days against the months: there is no 30 or 31 February');
  }
  return cron;
}

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

/** The edition whose scheduled run was missed: the last scheduled time before `now`, if never built. */
export function missedEdition(cron: Cron, config: Config, now: Date): string | undefined {
  const previous = cron.previousRuns(1, now)[0];
  if (!previous) return undefined;
  const edition = currentEdition(previous, config.timeZone);
  return readManifest(config.outDir).editions[edition] ? undefined : edition;
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

/** A crontab entry that runs `briefing build` for the current edition. */
export function crontabLine(config: Config, opts: { cron: string; args: string[] }): string {
  const bin = path.join(config.packageRoot, 'bin', 'briefing.js');
  const logFile = path.join(config.outDir, 'schedule.log');
  return [
    `# briefing: print the new edition (${opts.cron}, ${config.timeZone}). CRON_TZ is honoured by cronie and systemd-cron;`,
    `# with Debian's cron, convert the time to the machine's zone instead.`,
    `CRON_TZ=${config.timeZone}`,
    `${opts.cron} mkdir -p ${shellQuote(config.outDir)} && cd ${shellQuote(config.root)} && ${shellQuote(process.execPath)} ${shellQuote(bin)} build ${opts.args.map(shellQuote).join(' ')} >> ${shellQuote(logFile)} 2>&1`,
  ].join('\n');
}

/** A systemd service and timer pair that run `briefing build` on the same schedule. */
export function systemdUnits(config: Config, opts: { cron: string; args: string[] }): { service: string; timer: string } {
  const bin = path.join(config.packageRoot, 'bin', 'briefing.js');
  const service = `# briefing.service: print the new edition of the briefings
[Unit]
Description=Print the new edition of the briefings

[Service]
Type=oneshot
WorkingDirectory=${config.root}
Environment=BRIEFING_TZ=${config.timeZone}
ExecStart=${process.execPath} ${bin} build ${opts.args.map(shellQuote).join(' ')}
`;
  const timer = `# briefing.timer: ${opts.cron} in ${config.timeZone}
[Unit]
Description=Print the new edition of the briefings on schedule

[Timer]
OnCalendar=${cronToOnCalendar(opts.cron, config.timeZone)}
Persistent=true

[Install]
WantedBy=timers.target
`;
  return { service, timer };
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** "0 8 1 * *" in Asia/Shanghai → "*-*-01 08:00:00 Asia/Shanghai". Numbers, lists, ranges and steps. */
export function cronToOnCalendar(expr: string, tz: string): string {
  const fields = expr.trim().split(/\s+/);
  if (fields.length !== 5) throw usageError(`--cron "${expr}" has ${fields.length} fields; a systemd timer needs the five-field form`, 'use minute hour day-of-month month day-of-week');
  const [min, hour, dom, mon, dow] = fields as [string, string, string, string, string];
  const conv = (f: string, pad: number) =>
    f === '*'
      ? '*'
      : f
          .split(',')
          .map((part) => {
            const [range, step] = part.split('/');
            const r = range === '*' ? (pad === 2 && step ? '00' : '*') : range!.split('-').map((n) => n.padStart(pad, '0')).join('..');
            return step ? `${r}/${step}` : r;
          })
          .join(',');
  const weekday =
    dow === '*'
      ? ''
      : `${dow
          .split(',')
          .map((p) => p.split('-').map((d) => DAYS[Number(d) % 7] ?? d).join('..'))
          .join(',')} `;
  return `${weekday}*-${conv(mon, 2)}-${conv(dom, 2)} ${conv(hour, 2)}:${conv(min, 2)}:00 ${tz}`;
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}


/**
 * Cron expressions as `briefing schedule` reads them (croner, five fields), and what it prints for system
 * cron and systemd. Plain functions of the expression, the configuration and the manifest: no build.
 */
import { Cron } from 'croner';
import path from 'node:path';
import { usageError } from './errors.js';
import { currentEdition } from './model/edition.js';
import { readManifest } from './editions/manifest.js';
import type { Config } from './config.js';

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

/** The edition whose scheduled run was missed: the last scheduled time before `now`, if never built. */
export function missedEdition(cron: Cron, config: Config, now: Date): string | undefined {
  const previous = cron.previousRuns(1, now)[0];
  if (!previous) return undefined;
  const edition = currentEdition(previous, config.timeZone);
  return readManifest(config.outDir).editions[edition] ? undefined : edition;
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


import { usageError } from '../errors.js';

/** An edition is a month, YYYY-MM. */
export function parseEdition(value: string): string {
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(value)) {
    throw usageError(`--edition "${value}" is not a month`, 'write it as YYYY-MM with the month 01–12, e.g. --edition 2022-11');
  }
  return value;
}

/**
 * The month `now` falls in, in the given IANA time zone (one resolveConfig accepted). Read with Date's
 * own local-time rules under TZ=timeZone (the same ICU zone data) rather than with Intl.DateTimeFormat,
 * whose first use loads ICU's locale data: a fifth of a run with nothing to do (docs/performance.md).
 * TZ is put back before anything else can run.
 */
export function currentEdition(now: Date, timeZone: string): string {
  const saved = process.env.TZ;
  process.env.TZ = timeZone;
  try {
    return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}`;
  } finally {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  }
}

/** Is a date (YYYY-MM or YYYY-MM-DD) on or before the end of the edition's month? */
export function knownBy(date: string, edition: string): boolean {
  return date.slice(0, 7) <= edition;
}

/** The month before an edition: 2023-01 → 2022-12. */
export function previousMonth(edition: string): string {
  const [y, m] = edition.split('-').map(Number) as [number, number];
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}

/** Whole months from a date's month to an edition: (2022-09, 2023-11) → 14. */
export function monthsBetween(date: string, edition: string): number {
  const [y1, m1] = date.split('-').map(Number) as [number, number];
  const [y2, m2] = edition.split('-').map(Number) as [number, number];
  return (y2 - y1) * 12 + (m2 - m1);
}

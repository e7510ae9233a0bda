/**
 * The printed suite: every bilingual briefing built once, deterministically (fixed edition and clock),
 * into a temporary folder shared by the structure, reader, contents and visual tests; and the same
 * briefings at a late edition, years after the newest data (global-setup.ts).
 */
import path from 'node:path';

export const SUITE_EDITION = '2023-03';
export const SUITE_NOW = '2023-03-31T08:00:00Z';
export const LATE_EDITION = '2026-12';
/** 21:56 in Beijing. */
export const LATE_NOW = '2026-12-01T13:56:00Z';

export function suitePdf(dir: string, name: string): string {
  return path.join(dir, SUITE_EDITION, `${name}.pdf`);
}

export function latePdf(dir: string, name: string): string {
  return path.join(dir, LATE_EDITION, `${name}.pdf`);
}

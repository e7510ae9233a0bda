/**
 * The printed suite: every bilingual briefing built once, deterministically (fixed edition and clock),
 * into a temporary folder shared by the structure and visual tests.
 */
import path from 'node:path';

export const SUITE_EDITION = '2023-03';
export const SUITE_NOW = '2023-03-31T08:00:00Z';

export function suitePdf(dir: string, name: string): string {
  return path.join(dir, SUITE_EDITION, `${name}.pdf`);
}

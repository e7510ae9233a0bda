import { describe, expect, it } from 'vitest';
import { cli, tempDir } from '../helpers/cli.js';

/**
 * A run with nothing to make prints nothing and says so, whatever mix of languages and HTML-only runs
 * came before (an English build's font subsets, fonts/<name>.en.*, were once taken for the bilingual
 * briefing's, and --html-only was an input of every document: both made every later build reprint all).
 */
describe('a no-change rebuild', () => {
  it('prints nothing after any mix of --lang and --html-only builds', async () => {
    const out = tempDir('briefing-unchanged-');
    const build = async (...args: string[]) => {
      const r = await cli(['build', '--out', out, '--edition', '2023-03', '--zone', 'taiyuan-jinzhong', '--theme', 'transport', ...args]);
      expect(r.code, r.stderr).toBe(0);
      return r.stdout.trim().split('\n').pop()!;
    };
    expect(await build()).toMatch(/^1 briefings, \d+ pages, edition 2023-03/);
    expect(await build()).toBe('0 briefings, 1 unchanged, edition 2023-03');
    expect(await build('--lang', 'en')).toMatch(/^1 briefings, \d+ pages, edition 2023-03/);
    expect(await build()).toBe('0 briefings, 1 unchanged, edition 2023-03');
    expect(await build('--lang', 'en')).toBe('0 briefings, 1 unchanged, edition 2023-03');
    expect(await build('--html-only')).toBe('0 briefings, 1 unchanged, edition 2023-03');
    expect(await build()).toBe('0 briefings, 1 unchanged, edition 2023-03');
  });
});

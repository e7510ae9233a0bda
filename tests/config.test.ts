import { describe, expect, it } from 'vitest';
import { DEFAULT_LANG_MODE, DEFAULT_STALE_AFTER_MONTHS, LANG_MODES, resolveConfig } from '../src/config.js';
import { BriefingError } from '../src/errors.js';

const clock = () => new Date('2023-03-15T00:00:00Z');

describe('resolveConfig', () => {
  it('defaults the language mode and the stale age from their one definition', () => {
    const config = resolveConfig({}, {}, clock);
    expect(config.lang).toBe(DEFAULT_LANG_MODE);
    expect(config.staleAfterMonths).toBe(DEFAULT_STALE_AFTER_MONTHS);
    expect([DEFAULT_LANG_MODE, DEFAULT_STALE_AFTER_MONTHS]).toEqual(['bilingual', 12]);
  });

  it('takes every language mode, and names them all when given another', () => {
    for (const lang of LANG_MODES) expect(resolveConfig({ lang }, {}, clock).lang).toBe(lang);
    let error: unknown;
    try {
      resolveConfig({ lang: 'fr' }, {}, clock);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BriefingError);
    expect((error as BriefingError).message).toBe('briefing: --lang "fr" is not a language mode (use bilingual, zh or en)');
    expect(() => resolveConfig({ staleAfter: '0' }, {}, clock)).toThrow('--stale-after "0" is not a number of months (use a whole number such as 12)');
  });
});

import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFactBase } from '../../src/data/load.js';
import { isStale, selectBriefing, supportedEditions } from '../../src/model/select.js';
import { currentEdition, monthsBetween, previousMonth } from '../../src/model/edition.js';
import { ROOT } from '../helpers/cli.js';

const base = loadFactBase(path.join(ROOT, 'data'));
const zone = base.zones.find((z) => z.id === 'taixin')!;
const theme = base.themes.find((t) => t.id === 'transport')!;
const select = (edition: string) => selectBriefing(base, zone, theme, edition);

describe('editions', () => {
  it('takes the current month in the configured time zone', () => {
    // 16:30 UTC on 31 Oct is already 1 Nov in Shanghai.
    expect(currentEdition(new Date('2022-10-31T16:30:00Z'), 'Asia/Shanghai')).toBe('2022-11');
    expect(currentEdition(new Date('2022-10-31T16:30:00Z'), 'UTC')).toBe('2022-10');
    expect(previousMonth('2023-01')).toBe('2022-12');
    expect(monthsBetween('2022-09', '2023-11')).toBe(14);
  });

  it('reads the month as Intl does, in every zone, and leaves TZ as it was', () => {
    const viaIntl = (now: Date, timeZone: string) => {
      const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit' }).formatToParts(now);
      return `${parts.find((p) => p.type === 'year')!.value}-${parts.find((p) => p.type === 'month')!.value}`;
    };
    const zones = [...Intl.supportedValuesOf('timeZone'), 'UTC', 'US/Eastern'];
    const before = process.env.TZ;
    let compared = 0;
    // Instants near a month's start in UTC, where the month differs by zone (offsets from −12 to +14, halves
    // and quarters), in spring and autumn (daylight saving on and off), and at a new year.
    for (const at of ['2026-03-31T22:00:00Z', '2026-04-01T02:15:00Z', '2026-10-31T23:30:00Z', '2026-11-01T10:00:00Z', '2026-12-31T13:00:00Z', '2027-01-01T11:45:00Z']) {
      const now = new Date(at);
      for (const zone of zones) {
        expect(currentEdition(now, zone), `${at} in ${zone}`).toBe(viaIntl(now, zone));
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(2000);
    expect(process.env.TZ).toBe(before);
  });

  it('uses only the facts known by the end of the edition month', () => {
    const may = select('2022-05');
    const nov = select('2022-11');
    expect(may.facts.length).toBeGreaterThan(0);
    expect(nov.facts.length).toBeGreaterThan(may.facts.length);
    for (const f of may.facts) expect(base.sources.get(f.source.doc)!.published.slice(0, 7) <= '2022-05').toBe(true);
    expect(may.facts.map((f) => f.id)).not.toContain('tx-xiongxin-hsr-investment');
    expect(nov.facts.map((f) => f.id)).toContain('tx-xiongxin-hsr-investment');
    expect(select('2022-04').facts).toEqual([]);
  });

  it("lists what is new since the previous month's edition", () => {
    expect(select('2022-05').whatsNew.since).toBeNull();
    const nov = select('2022-11');
    const oct = select('2022-10');
    expect(nov.whatsNew.since).toBe('2022-10');
    expect(nov.whatsNew.facts.map((f) => f.id).sort()).toEqual(nov.facts.filter((f) => !oct.facts.some((o) => o.id === f.id)).map((f) => f.id).sort());
    expect(nov.whatsNew.facts.map((f) => f.id)).toContain('tx-xiongxin-hsr-investment');
    expect(select('2022-12').whatsNew).toEqual({ since: '2022-11', facts: [] });
  });

  it('marks measured figures stale after the configured number of months', () => {
    const late = selectBriefing(base, zone, theme, '2023-12', { staleAfterMonths: 12 });
    const fact = late.facts.find((f) => f.id === 'tx-xiongxin-hsr-investment')!;
    expect(fact.as_of).toBe('2022-11');
    expect(late.stale.has(fact.id)).toBe(true);
    expect(selectBriefing(base, zone, theme, '2023-11', { staleAfterMonths: 12 }).stale.has(fact.id)).toBe(false);
    // Targets are plans, never stale.
    for (const f of late.facts.filter((x) => x.kind === 'target')) expect(isStale(f, '2030-01', 12)).toBe(false);
  });

  it('knows the editions the data supports and what each adds', () => {
    const editions = supportedEditions(base);
    expect(editions.map((e) => e.edition)).toEqual(expect.arrayContaining(['2022-05', '2022-11', '2023-03']));
    const total = editions.flatMap((e) => e.adds).reduce((n, a) => n + a.count, 0);
    expect(total).toBe(base.sheets.reduce((n, s) => n + s.facts.length, 0));
  });
});

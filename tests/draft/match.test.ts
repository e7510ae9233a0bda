import { describe, expect, it } from 'vitest';
import { loadFactBase } from '../../src/data/load.js';
import { draftSource } from '../../src/draft/draft.js';

/** Drafts a new source of the Taiyuan–Xinzhou zone, published on `published`, against the real fact base. */
function draft(text: string, published = '2023-10-18') {
  const base = loadFactBase('data');
  const id = '999_0000000000000000';
  base.sources.set(id, { id, title: { zh: '测试', en: 'Test' }, publisher: { zh: '测试', en: 'Test' }, published, zones: ['taixin'], file: `data/sources/${id}.txt`, text });
  return draftSource(base, id).sheet.facts;
}

describe('a drafted figure and the facts of the base', () => {
  it('names a fact that may state an earlier figure for the same indicator, where it is not sure enough to propose an update', () => {
    const [fact] = draft('太原至忻州间日均开行动车组列车18对。');
    expect(fact!.review!.status).toBe('new');
    expect(fact!.review!.note).toMatch(/18对 may be another figure for "tx-intercity-emu-daily-pairs" \(data\/facts\/taixin\/transport\.yaml:\d+\), which states 12 as of 2022-11: if so, set review\.status to update and review\.fact to tx-intercity-emu-daily-pairs/);
  });

  it('names none for another indicator in the same unit and measure word', () => {
    const [fact] = draft('全区新增结对帮扶企业18对。');
    expect(fact!.review!.note ?? '').not.toContain('may be another figure');
  });
});

describe('a drafted percentage that is a change', () => {
  it('carries the words that make it one as its label, as the base writes them', () => {
    const [fact] = draft('交通方面，城际公交累计运送旅客42万人次，比去年同期增长35%。');
    expect(fact!.values.map((v) => v.label?.zh)).toEqual([undefined, '比去年同期增长']);
    const [infrastructure] = draft('1—9月，基础设施投资同比增长76.3%。');
    expect(infrastructure!.values.map((v) => [v.value, v.unit, v.label?.zh])).toEqual([[76.3, '%', '同比增长']]);
    // A share is no change.
    const [share] = draft('流域水质优良断面比例达到90%。');
    expect(share!.values[0]!.label).toBeUndefined();
  });
});

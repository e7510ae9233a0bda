/** The preview's page per source: every figure of the text marked used (linked to its fact), drafted or not used. */
import { describe, expect, it } from 'vitest';
import { loadFactBase } from '../../src/data/load.js';
import { draftSource } from '../../src/draft/draft.js';
import { sourceUsage } from '../../src/draft/usage.js';
import { sourcePage } from '../../src/preview/pages.js';
import type { DraftSheet } from '../../src/data/drafts.js';

const state = { serverId: 's', generation: 1, problems: [], links: { index: '/' } };

describe('source usage', () => {
  const base = loadFactBase('data');
  it('marks the figures of a seed that facts use, and links each to its fact in its briefing', () => {
    const usage = sourceUsage(base, [], '000_32369ebad8b3415c')!;
    expect(usage.counts.used).toBeGreaterThan(20);
    const total = usage.counts.used + usage.counts.drafted + usage.counts.unused;
    expect(total).toBe(usage.marks.length);
    const hsr = usage.marks.find((m) => usage.text.slice(m.from, m.to) === '591亿元')!;
    expect(hsr.status).toBe('used');
    expect(hsr.fact?.id).toBe('tx-xiongxin-hsr-investment');
    const html = sourcePage(state as never, { id: '000_32369ebad8b3415c', title: 't', published: '2022-11', edition: '2022-11', usage });
    expect(html).toContain('<a class="fig used" href="/draft/2022-11/taixin-transport.html#fact-tx-xiongxin-hsr-investment"');
  });

  it('marks drafted figures as drafted, and escapes the text it shows', () => {
    const source = base.sources.get('004_3fd6a3c8a5be216f')!;
    const hostile = { ...base, sources: new Map([...base.sources, ['x', { ...source, id: 'x', text: '截至2月底，新开工项目12个。增速<5&"\'%”' }]]) };
    const { sheet } = draftSource(hostile, 'x');
    const drafts: DraftSheet[] = [{ source: 'x', file: 'd.yaml', yaml: undefined as never, facts: sheet.facts.map((f, index) => ({ ...f, index })) }];
    const usage = sourceUsage(hostile, drafts, 'x')!;
    expect(usage.counts).toEqual({ used: 0, drafted: 1, unused: 0 });
    const html = sourcePage(state as never, { id: 'x', title: '<b>', published: '2023-03', edition: '2023-03', usage });
    expect(html).toContain('增速&#60;5&#38;&#34;&#39;%');
    expect(html).toContain('&#60;b&#62;');
    expect(html).toContain('<mark class="fig drafted"');
  });
});

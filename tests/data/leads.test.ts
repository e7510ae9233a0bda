import { describe, expect, it } from 'vitest';
import { parseLead } from '../../src/data/leads.js';
import { leadHtml } from '../../src/render/lead.js';
import type { Problem } from '../../src/errors.js';

const lead = (zh: string, en: string) => `## 中文\n\n${zh}\n\n## English\n\n${en}\n`;

describe('a lead file', () => {
  it('gives both languages and every citation with its line and column', () => {
    const problems: Problem[] = [];
    const got = parseLead('x.md', lead('投资{{rail-investment}}，里程{{road:2}}。', 'It costs {{rail-investment}} over {{road:2}}.'), problems);
    expect(problems).toEqual([]);
    expect(got!.text.zh).toBe('投资{{rail-investment}}，里程{{road:2}}。');
    expect(got!.cites.map((c) => [c.lang, c.fact, c.value, c.line, c.col])).toEqual([
      ['zh', 'rail-investment', 0, 3, 3],
      ['zh', 'road', 1, 3, 25],
      ['en', 'rail-investment', 0, 7, 10],
      ['en', 'road', 1, 7, 35],
    ]);
  });

  it('refuses Chinese in the English section and private-use characters anywhere', () => {
    const problems: Problem[] = [];
    parseLead('x.md', lead('好\uE000', 'Good 好'), problems);
    expect(problems.map((p) => `${p.line}:${p.col} ${p.message}`)).toEqual([
      '3:2 the lead holds the character U+E000',
      '7:6 the English lead contains Chinese characters',
    ]);
  });
});

describe('a lead on the page', () => {
  it('prints Markdown with its figures and source markers, and nothing of the text as markup or a link', () => {
    const html = leadHtml({
      markdown: 'Up to \uE0000\uE001 **trips**. <img src=x onerror=alert(1)> [site](http://example.com) <http://example.com>',
      figures: [{ text: '224,000 person-times', refs: [2, 5] }],
    });
    expect(html).toContain('<span class="figure">224,000 person-times</span><span class="ref">[<a href="#source-2">2</a>, <a href="#source-5">5</a>]</span>');
    expect(html).toContain('<strong>trips</strong>');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toMatch(/<a href="http|<img/);
    expect(html).toContain('[site](http://example.com)');
  });
});


import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, cli, tempDir } from '../helpers/cli.js';

/** The layout rules are measured in the browser before printing; a violation fails the build and names the element. */
async function buildWithCss(css: string, theme = 'transport') {
  const dir = tempDir('briefing-layout-');
  cpSync(path.join(ROOT, 'templates'), path.join(dir, 'templates'), { recursive: true });
  const style = path.join(dir, 'templates/styles/print.css');
  writeFileSync(style, `${readFileSync(style, 'utf8')}\n${css}\n`);
  const out = path.join(dir, 'out');
  const r = await cli(['build', '--zone', 'taiyuan-jinzhong', '--theme', theme, '--edition', '2023-03', '--out', out, '--templates', path.join(dir, 'templates')]);
  return { ...r, pdf: path.join(out, '2023-03', `taiyuan-jinzhong-${theme}.pdf`) };
}

describe('layout rules', () => {
  it('refuse an element wider than the page, naming it', async () => {
    const r = await buildWithCss('#fact-tj-15-minute-traffic-circle { width: 240mm; }');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/taiyuan-jinzhong-transport\.html: layout: #fact-tj-15-minute-traffic-circle ".*" is wider than the page/);
    expect(existsSync(r.pdf)).toBe(false);
  });

  it('refuse a block taller than a page, which would be split', async () => {
    // Taiyuan–Jinzhong's transport sheet has no chart: its ecology sheet has one.
    const r = await buildWithCss('.chart { height: 280mm; }', 'ecology');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/layout: #chart-[a-z0-9-]+ ".*" is taller than a page/);
  });

  it('refuse a cover that runs onto a second page', async () => {
    const r = await buildWithCss('.cover-band { height: 250mm; }');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('layout: the cover holds more than one page');
  });
});

import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, cli, tempDir } from '../helpers/cli.js';

/**
 * The editor's rules on the laid-out page (src/print/rules.ts), measured in Chromium with the layout
 * rules before printing: a page breaking one fails the build and names the element. The page is the
 * base fixture's briefing, printed with templates that add what breaks a rule.
 */
async function buildWithBody(html: string) {
  const dir = tempDir('briefing-editorial-layout-');
  cpSync(path.join(ROOT, 'tests/fixtures/base/data'), path.join(dir, 'data'), { recursive: true });
  cpSync(path.join(ROOT, 'templates'), path.join(dir, 'templates'), { recursive: true });
  const page = path.join(dir, 'templates/briefing.hbs');
  const template = readFileSync(page, 'utf8');
  expect(template).toContain('</body>');
  writeFileSync(page, template.replace('</body>', `${html}</body>`));
  const out = path.join(dir, 'out');
  const r = await cli(['build', '--data', path.join(dir, 'data'), '--templates', path.join(dir, 'templates'), '--edition', '2022-11', '--out', out], { cwd: dir });
  return { ...r, pdf: path.join(out, '2022-11', 'zone-a-transport.pdf') };
}

describe('the editor\'s rules on the printed page', () => {
  it('pass the base fixture\'s briefing', async () => {
    const r = await buildWithBody('');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(existsSync(r.pdf)).toBe(true);
  });

  it('refuse Chinese characters in English text, naming the element', async () => {
    const r = await buildWithBody('<p class="probe" lang="en">Taiyuan 太原</p><p lang="en"><span lang="zh-CN">太原</span> is told in Chinese</p>');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('zone-a-transport.html: layout: English text p.probe "Taiyuan 太原" holds Chinese characters');
    // Chinese marked as Chinese inside English text is no English text.
    expect(r.stderr.match(/holds Chinese characters/g)).toHaveLength(1);
    expect(existsSync(r.pdf)).toBe(false);
  });

  it('refuse a straight double quote in English text, and a value chip whose noun repeats its label', async () => {
    const r = await buildWithBody('<p class="probe" lang="en">the "Four Good" roads</p><ul class="values"><li data-value><span lang="zh-CN">平台数：77个</span><span lang="en">Platforms: 77 platforms</span></li></ul>');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('layout: English text p.probe "the "Four Good" roads" holds a straight double quote');
    expect(r.stderr).toContain('layout: value span "Platforms: 77 platforms" repeats its label in its noun');
    expect(existsSync(r.pdf)).toBe(false);
  });
});

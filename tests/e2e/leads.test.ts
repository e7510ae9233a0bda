import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, cli, tempDir } from '../helpers/cli.js';

const lead = (zh: string, en: string) => `## 中文\n\n${zh}\n\n## English\n\n${en}\n`;

describe('a lead citing an unknown fact', () => {
  it('fails the build with file:line:col and writes nothing', async () => {
    const dir = tempDir('briefing-lead-');
    cpSync(path.join(ROOT, 'tests/fixtures/base'), dir, { recursive: true });
    const file = path.join(dir, 'data/leads/zone-a/transport/2022-11.md');
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, lead('全长{{avenue-lenght}}。', 'It is {{avenue-lenght}} long.'));
    const r = await cli(['build', '--html-only', '--edition', '2022-11', '--out', 'out'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([
      'data/leads/zone-a/transport/2022-11.md:3:3: the lead cites unknown fact "avenue-lenght" (cite the id of a fact in data/facts/)',
      'data/leads/zone-a/transport/2022-11.md:7:7: the lead cites unknown fact "avenue-lenght" (cite the id of a fact in data/facts/)',
    ]);
  });

  it('once fixed, prints the figure in each language with its source marker', async () => {
    const dir = tempDir('briefing-lead-');
    cpSync(path.join(ROOT, 'tests/fixtures/base'), dir, { recursive: true });
    cpSync(path.join(ROOT, 'templates'), path.join(dir, 'templates'), { recursive: true });
    const file = path.join(dir, 'data/leads/zone-a/transport/2022-11.md');
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, lead('全长{{avenue-length}}。', 'It is {{avenue-length}} long.'));
    const r = await cli(['build', '--html-only', '--edition', '2022-11', '--out', 'out'], { cwd: dir });
    expect(r.stderr).toBe('');
    const html = readFileSync(path.join(dir, 'out/2022-11/zone-a-transport.html'), 'utf8');
    expect(html).toContain('全长<span class="figure">41公里</span><span class="ref">[<a href="#source-1">1</a>]</span>');
    expect(html).toContain('It is <span class="figure">41 km</span><span class="ref">[<a href="#source-1">1</a>]</span> long.');
    // An edition before the lead's month has no lead.
    expect((await cli(['build', '--html-only', '--edition', '2022-10', '--out', 'out'], { cwd: dir })).code).toBe(0);
    expect(readFileSync(path.join(dir, 'out/2022-10/zone-a-transport.html'), 'utf8')).not.toContain('class="lead"');
  });
});

describe('a lead with inline code', () => {
  it('prints in the bundled fonts (the browser’s monospace once failed the PDF’s font check)', async () => {
    const dir = tempDir('briefing-lead-');
    cpSync(path.join(ROOT, 'tests/fixtures/base'), dir, { recursive: true });
    cpSync(path.join(ROOT, 'templates'), path.join(dir, 'templates'), { recursive: true });
    const file = path.join(dir, 'data/leads/zone-a/transport/2022-11.md');
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, lead('全长{{avenue-length}}，代号`G5`。', 'It is {{avenue-length}} long, code `G5`.'));
    const r = await cli(['build', '--edition', '2022-11', '--out', 'out'], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(readFileSync(path.join(dir, 'out/2022-11/zone-a-transport.html'), 'utf8')).toContain('<code>G5</code>');
  });
});

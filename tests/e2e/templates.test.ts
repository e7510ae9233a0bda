import { readFileSync, cpSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPdf } from '../helpers/pdf.js';
import { ROOT, cli, tempDir } from '../helpers/cli.js';

/**
 * Templates own their page: a second template set (tests/fixtures/templates-minimal: A5 landscape, other
 * margins, none of the default templates' classes) prints with print/ untouched: its page box is laid out
 * and measured, its contents numbered in one pass, its layout rules held to the elements it marks.
 */
const TEMPLATES = path.join(ROOT, 'tests/fixtures/templates-minimal');
const build = (templates: string, out: string) =>
  cli(['build', '--templates', templates, '--out', out, '--edition', '2023-03', '--now', '2023-03-31T08:00:00Z', '--zone', 'taixin', '--theme', 'public-services']);

describe('a second template set', () => {
  it('prints on its own page box, with its contents numbered in one pass', async () => {
    const out = tempDir('briefing-tpl-');
    const r = await build(TEMPLATES, out);
    expect(r.code, r.stderr).toBe(0);
    const file = path.join(out, '2023-03', 'taixin-public-services.pdf');
    const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
    const doc = await pdfjs.getDocument({ data: new Uint8Array(readFileSync(file)), verbosity: 0 }).promise;
    const [, , w, h] = (await doc.getPage(2)).view;
    // A5 landscape: 210 × 148 mm, in points.
    expect([Math.round(w!), Math.round(h!)]).toEqual([595, 420]);
    const pdf = await readPdf(file);
    const manifest = JSON.parse(readFileSync(path.join(out, 'editions.json'), 'utf8')) as { editions: Record<string, { log: { event: string; passes?: number }[] }> };
    expect(manifest.editions['2023-03']!.log.find((l) => l.event === 'printed')!.passes ?? 1).toBe(1);
    // Each contents number is the page its section's heading is printed on.
    const cover = pdf.pages[0]!;
    const entries = [...cover.matchAll(/(发展目标|进展与现状)[^\d]*?(\d+)/g)].map((m) => [m[1]!, Number(m[2])] as const);
    expect(entries).toHaveLength(2);
    for (const [heading, page] of entries) {
      expect(pdf.pages.findIndex((p, i) => i > 0 && p.includes(heading)) + 1, heading).toBe(page);
    }
  });

  it('holds the elements it marks to a page', async () => {
    const templates = tempDir('briefing-tpl-tall-');
    cpSync(TEMPLATES, templates, { recursive: true });
    const css = path.join(templates, 'styles/page.css');
    writeFileSync(css, `${readFileSync(css, 'utf8')}\n.item { min-height: 200mm; }\n`);
    const r = await build(templates, tempDir('briefing-tpl-out-'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/taixin-public-services\.html: layout: div\.item "[^"]*" is taller than a page \(\d+ px of 4\d\d\) and would be split/);
  });
});

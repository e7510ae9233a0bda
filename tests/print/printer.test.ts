import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrinter, type Printer } from '../../src/print/printer.js';
import { removeAbandonedProfiles } from '../../src/print/browser.js';
import { tempDir } from '../helpers/cli.js';
import { readPdf } from '../helpers/pdf.js';

/**
 * A cover (page 1, with contents) and sections after it, on pages of `size` with `pageMargin`. The
 * printer predicts with the page box the document's @page declares; `namedPage` puts the sections on a
 * named page with other margins, which the prediction does not follow (so the real numbers need a second pass).
 */
function contentsDocument(pageMargin: string, sections: number, opts: { size?: string; namedPage?: string } = {}): string {
  const body = Array.from({ length: sections }, (_, i) =>
    `<section id="s${i}"><h2>Section ${i}</h2>${'<p style="break-inside: avoid">Filler paragraph long enough to take some room on the page.</p>'.repeat(12)}</section>`,
  ).join('');
  const toc = Array.from({ length: sections }, (_, i) => `<li>Section ${i} … page <span data-toc="s${i}">00</span></li>`).join('');
  return `<!doctype html><html><head><style>
    @page { size: ${opts.size ?? 'A4'}; margin: ${pageMargin}; }
    @page :first { margin: 0; }
    ${opts.namedPage ? `@page other { margin: ${opts.namedPage}; } section[id^="s"] { page: other; }` : ''}
    body { margin: 0; font: 12pt sans-serif; }
    * { box-sizing: border-box; }
    .cover { height: 100vh; break-after: page; padding: 10mm; }
    h2 { break-after: avoid; }
    .last { break-before: page; }
  </style></head><body><section class="cover" data-layout="cover"><h1>Cover</h1><ol>${toc}</ol></section>${body}<section id="end" class="last"><h2>Last</h2></section></body></html>`;
}

/** The page each "Section N" heading sits on, from the PDF's text. */
function sectionPages(pages: string[]): Record<string, number> {
  const found: Record<string, number> = {};
  pages.forEach((text, i) => {
    if (i === 0) return;
    for (const m of text.matchAll(/Section (\d+)/g)) found[`s${m[1]}`] ??= i + 1;
  });
  return found;
}

/** The numbers the cover's contents print, per section. */
function contentsNumbers(cover: string): Record<string, number> {
  return Object.fromEntries([...cover.matchAll(/Section (\d+) … page (\d+)/g)].map((m) => [`s${m[1]}`, Number(m[2])]));
}

describe('the printer', () => {
  const dir = tempDir('briefing-printer-');
  let printer: Printer;
  beforeAll(() => {
    printer = createPrinter({ concurrency: 1, recycleAfter: 100, timeoutMs: 30_000, env: process.env, roots: [dir] });
  });
  afterAll(() => printer.close());

  async function print(name: string, html: string) {
    const file = path.join(dir, `${name}.html`);
    writeFileSync(file, html);
    const result = await printer.print(file);
    const pdfFile = path.join(dir, `${name}-${Date.now()}.pdf`);
    writeFileSync(pdfFile, result.pdf.bytes);
    return { ...result, content: await readPdf(pdfFile) };
  }

  it('prints documents one after another in one tab, each with only its own content', async () => {
    const a = await print('a', '<!doctype html><title>A</title><p>first document alpha</p>');
    const b = await print('b', '<!doctype html><title>B</title><p>second document beta</p>');
    expect(a.content.text).toContain('first document alpha');
    expect(b.content.text).toContain('second document beta');
    expect(b.content.text).not.toContain('alpha');
    // The same file, changed, is read again.
    const a2 = await print('a', '<!doctype html><title>A</title><p>first document changed</p>');
    expect(a2.content.text).toContain('first document changed');
    expect(a2.content.text).not.toContain('alpha');
  });

  it('prints the contents’ page numbers in one pass when its prediction is right', async () => {
    const r = await print('toc-right', contentsDocument('20mm 16mm 18mm 16mm', 8));
    expect(r.passes).toBe(1);
    const pages = sectionPages(r.content.pages);
    expect(Object.keys(pages)).toHaveLength(8);
    expect(new Set(Object.values(pages)).size).toBeGreaterThan(2);
    expect(contentsNumbers(r.content.pages[0]!)).toEqual(pages);
  });

  it('predicts with the page box the document declares, whatever its size and margins', async () => {
    const r = await print('toc-a5', contentsDocument('12mm 14mm', 8, { size: 'A5 landscape' }));
    expect(r.passes).toBe(1);
    const pages = sectionPages(r.content.pages);
    expect(Object.keys(pages)).toHaveLength(8);
    expect(contentsNumbers(r.content.pages[0]!)).toEqual(pages);
  });

  it('prints again with the real numbers when the prediction is wrong', async () => {
    // The sections sit on a named page far shorter than the declared one: the predicted numbers are wrong.
    const r = await print('toc-wrong', contentsDocument('20mm 16mm 18mm 16mm', 8, { namedPage: '80mm 16mm 80mm 16mm' }));
    expect(r.passes).toBe(2);
    const pages = sectionPages(r.content.pages);
    expect(Object.keys(pages)).toHaveLength(8);
    expect(contentsNumbers(r.content.pages[0]!)).toEqual(pages);
  });
});

/** Processes this test process started (its browsers). */
function childProcesses(): number {
  try {
    return execFileSync('pgrep', ['-P', String(process.pid)], { encoding: 'utf8' }).split('\n').filter(Boolean).length;
  } catch {
    return 0; // pgrep exits 1 when it finds none
  }
}

describe('recycling the browser', () => {
  it('starts a new browser every few documents while the old one finishes, and leaves none behind', async () => {
    const dir = tempDir('briefing-recycle-');
    const browsers: string[] = [];
    const printer = createPrinter({ concurrency: 2, recycleAfter: 3, timeoutMs: 30_000, env: process.env, roots: [dir], onBrowser: (b) => browsers.push(b) });
    const before = childProcesses();
    try {
      const files = Array.from({ length: 8 }, (_, i) => {
        const file = path.join(dir, `doc-${i}.html`);
        writeFileSync(file, `<!doctype html><p>document number ${i}</p>`);
        return file;
      });
      const results = await Promise.all(files.map((f) => printer.print(f)));
      for (const [i, r] of results.entries()) {
        const pdf = path.join(dir, `doc-${i}.pdf`);
        writeFileSync(pdf, r.pdf.bytes);
        expect((await readPdf(pdf)).text).toContain(`document number ${i}`);
      }
      // 8 documents, 3 per browser: 3 browsers.
      expect(browsers).toHaveLength(3);
    } finally {
      await printer.close();
    }
    expect(childProcesses()).toBe(before);
  });

  it('closes a browser that was still starting, and prints nothing once closed', async () => {
    const dir = tempDir('briefing-close-');
    const file = path.join(dir, 'doc.html');
    writeFileSync(file, '<!doctype html><p>never printed</p>');
    const before = childProcesses();
    const printer = createPrinter({ concurrency: 1, recycleAfter: 10, timeoutMs: 30_000, env: process.env, roots: [dir] });
    void printer.warm();
    await printer.close();
    await expect(printer.print(file)).rejects.toThrow('closed');
    expect(childProcesses()).toBe(before);
  });

  it('removes the profile folders of killed runs, and only those', () => {
    const tmp = tempDir('briefing-profiles-');
    const folder = (name: string, lock?: string, hoursOld = 0) => {
      const f = path.join(tmp, `briefing-chromium-${name}`);
      mkdirSync(f);
      if (lock) symlinkSync(lock, path.join(f, 'SingletonLock'));
      const t = new Date(Date.now() - hoursOld * 3_600_000);
      utimesSync(f, t, t);
      return f;
    };
    const running = folder('running', `vm-${process.pid}`, 5);
    const dead = folder('dead', 'vm-999999999');
    const oldUnlocked = folder('old', undefined, 2);
    const newUnlocked = folder('new');
    const other = path.join(tmp, 'something-else');
    mkdirSync(other);
    utimesSync(other, new Date(0), new Date(0));
    removeAbandonedProfiles(tmp);
    expect([running, dead, oldUnlocked, newUnlocked, other].map(existsSync)).toEqual([true, false, false, true, true]);
  });
});

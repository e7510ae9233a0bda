import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readPdf, type PdfContent } from '../helpers/pdf.js';
import { cli, runCli, runCliTracked, tempDir } from '../helpers/cli.js';

describe('briefing build, end to end', () => {
  const out = tempDir('briefing-out-');
  let result: Awaited<ReturnType<typeof runCliTracked>>;
  let pdf: PdfContent;

  // A process of its own: the test below counts the browsers it started and checks none outlives it.
  beforeAll(async () => {
    result = await runCliTracked(['build', '--zone', 'taixin', '--theme', 'transport', '--edition', '2022-11', '--out', out, '--now', '2022-11-30T08:00:00Z', '--verbose']);
    pdf = await readPdf(path.join(out, '2022-11', 'taixin-transport.pdf'));
  });

  it('exits 0 and reports the file, its pages and the browser', () => {
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/taixin-transport\.pdf {2}\d+ pages {2}\d+ ms/);
    expect(result.stdout).toMatch(/browser: (Headless)?Chrome\/\d+/);
    expect(readdirSync(path.join(out, '2022-11')).sort()).toEqual(['fonts', 'taixin-transport.html', 'taixin-transport.pdf']);
    expect(readdirSync(path.join(out, '2022-11', 'fonts')).sort()).toEqual([
      'taixin-transport.NotoSans-400.ttf', 'taixin-transport.NotoSans-700.ttf', 'taixin-transport.NotoSansSC-400.ttf', 'taixin-transport.NotoSansSC-700.ttf',
    ]);
  });

  it('prints at least two pages in both languages', () => {
    expect(pdf.pages.length).toBeGreaterThanOrEqual(2);
    expect(pdf.text).toContain('太忻一体化经济区');
    expect(pdf.text).toContain('Taiyuan–Xinzhou Integrated Economic Zone');
  });

  it('prints a figure from the data in each language’s formatting', () => {
    const text = pdf.text.replace(/\s+/g, ' ');
    expect(text).toContain('591亿元');
    expect(text).toContain('CNY 59.1 billion');
    expect(text).toContain('22.4万人次');
    expect(text).toContain('224,000');
  });

  it('quotes its sources', () => {
    expect(pdf.text.replace(/\s+/g, '')).toContain('总投资591亿元');
    // By its title and publisher, as a reader knows it; never by the base's internal id.
    expect(pdf.text.replace(/\s+/g, '')).toContain('山西推进太忻一体化经济区建设打造新引擎');
    expect(pdf.text).not.toContain('000_32369ebad8b3415c');
  });

  it('sets the document title and language, and the pinned creation date', () => {
    expect(pdf.info.Title).toBe('太忻一体化经济区 · 交通 · 2022-11');
    // The catalogue's /Lang, which screen readers and pdf.js read (the document information has no language).
    expect(pdf.lang).toBe('zh-CN');
    expect(String(pdf.info.CreationDate)).toContain('20221130080000');
  });

  it('launches one browser and leaves no Chromium behind', () => {
    expect(result.children.length).toBe(1);
    for (const pid of result.children) expect(existsSync(`/proc/${pid}`), `process ${pid} still running`).toBe(false);
  });

  it('prints the same pages with the full Chromium as with its headless shell', async () => {
    // In a process of its own: Puppeteer reads PUPPETEER_EXECUTABLE_PATH once, when it loads, so in this
    // worker every later print (of this file and the next ones) would find the full Chromium too.
    const full = tempDir('briefing-full-');
    const r = runCli(['build', '--zone', 'taixin', '--theme', 'transport', '--edition', '2022-11', '--out', full, '--now', '2022-11-30T08:00:00Z', '--verbose'], {
      env: { PUPPETEER_EXECUTABLE_PATH: '/usr/lib/chromium/chromium' },
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/browser: Chrome\/\d+/);
    const other = await readPdf(path.join(full, '2022-11', 'taixin-transport.pdf'));
    expect(other.pages).toEqual(pdf.pages);
  });

  // Merged from reader.test.ts, which printed this same briefing (edition, clock) a second time.
  it('never runs the two languages together in What’s new', () => {
    const text = pdf.pages.slice(1).join('\n');
    const section = text.slice(text.indexOf('本期新增'), text.indexOf('关键数据'));
    expect(section.split('\n').length).toBeGreaterThan(10);
    // "截至2022年9月as of Sep 2022", "6条6 roads": a Chinese figure or date straight before its English.
    expect(section).not.toMatch(/月as of|\d\p{Script=Han}+\d[\d,.]* ?[a-z]/u);
    expect(section).toMatch(/截至2022年11月 as of Nov 2022/);
  });

  // Which facts an edition holds is the draft's to say: no PDF needed (--html-only).
  it('leaves out facts published after the edition', async () => {
    const early = tempDir('briefing-early-');
    const r = await cli(['build', '--html-only', '--zone', 'taixin', '--theme', 'transport', '--edition', '2022-05', '--out', early, '--now', '2022-05-31T08:00:00Z']);
    expect(r.code, r.stderr).toBe(0);
    const text = readFileSync(path.join(early, '2022-05', 'taixin-transport.html'), 'utf8').replace(/<[^>]*>/g, '').replace(/\s+/g, '');
    expect(text).toContain('4.9公里/百平方公里'); // announced on 18 May 2022
    expect(text).not.toContain('591亿元'); // reported in November 2022
  });
});

describe('bad flags', () => {
  it.each([
    [['build', '--zone', 'nowhere'], /^briefing: unknown zone "nowhere" \(use one of: taixin, taiyuan-jinzhong/],
    [['build', '--edition', '2022-13'], /^briefing: --edition "2022-13" is not a month \(write it as YYYY-MM/],
    [['build', '--lang', 'fr'], /^briefing: option '--lang <mode>' argument 'fr' is invalid/],
  ])('%j gives one clear line and exit code 1', async (args, message) => {
    const out = tempDir();
    const r = await cli([...args, '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
    // Refused before anything is written: the output folder stays empty.
    expect(readdirSync(out)).toEqual([]);
  });
});

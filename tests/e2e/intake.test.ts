/**
 * Next month's documents, as an analyst brings them in: source add → draft → review → accept → build,
 * on a scratch copy of the data, with two articles written for these tests (tests/fixtures/intake/).
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import jsyaml from 'js-yaml';
import { ROOT, cli, copyProject } from '../helpers/cli.js';
import { sameNumber } from '../../src/data/quantities.js';

const FIX = path.join(ROOT, 'tests/fixtures/intake');
const PROGRESS = path.join(FIX, 'taixin-2023-progress.txt');
const REVIEW = path.join(FIX, 'taixin-2023-review.txt');
const PAGE = path.join(FIX, 'taixin-2023-progress.gb18030.html');

interface KeyFigure { text: string; value: number; unit: string; qualifier?: string; noun?: string }
const load = (text: string) => jsyaml.load(text, { schema: jsyaml.CORE_SCHEMA });
const KEY = load(readFileSync(path.join(FIX, 'answer-key.yaml'), 'utf8')) as Record<string, { figures: KeyFigure[]; repeats?: { text: string; fact: string }[]; updates?: { text: string; fact: string; old: number; new: number }[] }>;

interface DraftFile { source: string; facts: { id: string; kind: string; values: { value: number; unit: string; qualifier?: string; noun?: { zh: string } }[]; source: { quote: string }; review: { status: string; fact?: string } }[] }
const readDrafts = (dir: string, id: string) => load(readFileSync(path.join(dir, 'data/drafts', `${id}.yaml`), 'utf8')) as DraftFile;

/** Every file under data/ with its content, to prove a refused command wrote nothing. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(path.relative(dir, p), readFileSync(p, 'latin1'));
    }
  };
  walk(path.join(dir, 'data'));
  return out;
}

/** The command line in this process, on the scratch copy's data. */
const inDir = (dir: string, args: string[]) => cli([...args, '--data', path.join(dir, 'data')]);
const lastLine = (s: string) => s.trim().split('\n').pop() ?? '';

/** Share of an answer key's figures that a draft states exactly: value, unit and qualifier. */
function parsedShare(drafts: DraftFile, key: KeyFigure[]): { share: number; misses: string[] } {
  const values = drafts.facts.flatMap((f) => f.values);
  const misses = key.filter((k) => !values.some((v) => v.unit === k.unit && sameNumber(v.value, k.value) && (v.qualifier ?? '') === (k.qualifier ?? ''))).map((k) => `${k.text}: ${k.value} ${k.unit} ${k.qualifier ?? ''}`);
  return { share: 1 - misses.length / key.length, misses };
}

describe('source add → draft → accept → build', () => {
  let dir: string;
  let progressId: string;
  let reviewId: string;
  const sourcesBefore = readFileSync(path.join(ROOT, 'data/sources.yaml'), 'utf8');

  beforeAll(() => {
    dir = copyProject(['data']);
  });

  it('adds a plain-text article, reading its title and date, and prints the new id last', async () => {
    const r = await inDir(dir, ['source', 'add', PROGRESS, '--zone', 'taixin', '--title-en', 'Taixin zone: key projects speed up', '--publisher-en', 'Shanxi Daily']);
    expect(r.code, r.stderr).toBe(0);
    progressId = lastLine(r.stdout);
    expect(progressId).toMatch(/^005_[0-9a-f]{16}$/);
    expect(r.stdout).toContain('date 2023-09-18');
    const sources = readFileSync(path.join(dir, 'data/sources.yaml'), 'utf8');
    // Appended: the file's comments and entries stand as they were.
    expect(sources.startsWith(sourcesBefore)).toBe(true);
    const entry = (load(sources) as { sources: { id: string; published: string; zones: string[]; publisher: { zh: string } }[] }).sources.at(-1)!;
    expect(entry).toMatchObject({ id: progressId, published: '2023-09-18', zones: ['taixin'] });
    expect(entry.publisher.zh).toBe('山西日报');
    expect(readFileSync(path.join(dir, 'data/sources', `${progressId}.txt`), 'utf8')).toBe(readFileSync(PROGRESS, 'utf8'));
  });

  it('refuses the same article again, and its GB18030 web page as a reprint, naming the existing id and writing nothing', async () => {
    const before = snapshot(dir);
    const again = await inDir(dir, ['source', 'add', PROGRESS, '--zone', 'taixin']);
    expect(again.code).toBe(1);
    expect(again.stderr.trim().split('\n')).toHaveLength(1);
    expect(again.stderr).toContain(progressId);
    const page = await inDir(dir, ['source', 'add', PAGE, '--zone', 'taixin']);
    expect(page.code).toBe(1);
    expect(page.stderr.trim().split('\n')).toHaveLength(1);
    expect(page.stderr).toContain(`repeats ${progressId}`);
    expect(snapshot(dir)).toEqual(before);
  });

  it('drafts a candidate for every figure clause of the new article, ≥ 90% of its figures parsed exactly', async () => {
    const r = await inDir(dir, ['draft', progressId]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/clauses with figures\s+\d+/);
    const drafts = readDrafts(dir, progressId);
    const { share, misses } = parsedShare(drafts, KEY['taixin-2023-progress']!.figures);
    expect(share, misses.join('\n')).toBeGreaterThanOrEqual(0.9);
    // The later passenger count revises the base's 22.4万人次.
    const passengers = drafts.facts.find((f) => f.values.some((v) => v.unit === 'person-times' && v.value === 1_000_000));
    expect(passengers?.review).toMatchObject({ status: 'update', fact: 'tx-intercity-emu-passengers' });
  });

  it('matches each repeated figure of the second article to its existing fact', async () => {
    const add = await inDir(dir, ['source', 'add', REVIEW, '--zone', 'taixin']);
    expect(add.code, add.stderr).toBe(0);
    reviewId = lastLine(add.stdout);
    expect((await inDir(dir, ['draft', reviewId])).code).toBe(0);
    const drafts = readDrafts(dir, reviewId);
    const key = KEY['taixin-2023-review']!;
    expect(parsedShare(drafts, key.figures).share).toBeGreaterThanOrEqual(0.9);
    for (const rep of key.repeats ?? []) {
      const holder = drafts.facts.find((f) => f.source.quote.includes(rep.text.replace(/\s/g, '')));
      expect(holder, rep.text).toBeDefined();
      expect(holder!.review.status === 'known' || holder!.review.fact === rep.fact || JSON.stringify(holder!.review).includes(rep.fact), `${rep.text} → ${rep.fact}: ${JSON.stringify(holder!.review)}`).toBe(true);
    }
  });

  it('proves the drafts in check and counts them in check and list, without failing on them', async () => {
    const check = await inDir(dir, ['check']);
    expect(check.code, check.stderr).toBe(0);
    expect(check.stdout).toMatch(new RegExp(`drafts: .*${progressId}\\.yaml: \\d+ drafted facts wait for review`));
    expect(check.stdout).toContain('7 sources');
    const list = await inDir(dir, ['list']);
    expect(list.stdout).toMatch(/drafts: \d+ drafted facts wait for review/);
  });

  it('refuses to accept a draft whose English is missing, saying what to write, and writes nothing', async () => {
    const before = snapshot(dir);
    const id = readDrafts(dir, progressId).facts.find((f) => f.review.status === 'update')!.id;
    const r = await inDir(dir, ['draft', '--accept', id]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`drafts/${progressId}\\.yaml:\\d+:\\d+: cannot accept "${id}": it is not reviewed yet \\(write title.en, summary.en`));
    expect(snapshot(dir)).toEqual(before);
  });

  it('accepts reviewed drafts into their sheets, keeping both files\' comments, and the next build shows them', async () => {
    const file = path.join(dir, 'data/drafts', `${progressId}.yaml`);
    const doc = parseDocument(readFileSync(file, 'utf8'));
    const facts = doc.get('facts') as { items: { get(k: string): unknown; setIn(p: unknown[], v: unknown): void }[] };
    const passengers = facts.items.find((f) => JSON.stringify(f).includes('"person-times"'))!;
    passengers.setIn(['id'], 'tx-intercity-emu-passengers-2023');
    passengers.setIn(['title', 'en'], 'Intercity EMU passenger trips');
    passengers.setIn(['summary', 'zh'], '截至2023年8月底，“太忻号”城际动车累计运送旅客突破100万人次。');
    passengers.setIn(['summary', 'en'], 'By the end of August 2023 the Taixin intercity EMU service had carried over 1 million passenger trips.');
    writeFileSync(file, doc.toString({ lineWidth: 0 }));
    const sheet = path.join(dir, 'data/facts/taixin/transport.yaml');
    const sheetBefore = readFileSync(sheet, 'utf8');
    const r = await inDir(dir, ['draft', '--accept', 'tx-intercity-emu-passengers-2023']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('added as a newer observation of "tx-intercity-emu-passengers"');
    const after = readFileSync(sheet, 'utf8');
    // Every line of the sheet stands; the old fact gained its series id, the new fact came at the end of the facts.
    const kept = sheetBefore.split('\n').filter((l) => !after.includes(l));
    expect(kept).toEqual([]);
    expect(after).toContain('# ── Intercity trains');
    expect(after).toMatch(/- id: tx-intercity-emu-passengers\n\s+kind: metric\n\s+series: tx-intercity-emu-passengers\n/);
    expect(after).toMatch(/- id: tx-intercity-emu-passengers-2023\n\s+kind: metric\n\s+series: tx-intercity-emu-passengers\n/);
    expect(readFileSync(file, 'utf8')).not.toContain('tx-intercity-emu-passengers-2023');
    expect(readFileSync(file, 'utf8').startsWith('# Drafted by')).toBe(true);
    expect((await inDir(dir, ['check'])).code).toBe(0);

    const out = path.join(dir, 'out');
    const build = await cli(['build', '--html-only', '--edition', '2023-09', '--zone', 'taixin', '--theme', 'transport', '--data', path.join(dir, 'data'), '--out', out, '--now', '2023-09-30T00:00:00Z']);
    expect(build.code, build.stderr).toBe(0);
    const html = readFileSync(path.join(out, '2023-09', 'taixin-transport.html'), 'utf8');
    // The newest figure with the earlier one beside it; "What's new" shows old → new; a trend chart.
    expect(html).toContain('超过100万人次');
    expect(html).toContain('此前数据：22.4万人次（2022年7—9月） [2]');
    expect(html).toContain('Earlier figure: 224,000 person-times (Jul–Sep 2022) [2]');
    expect(html).toContain('22.4万人次 → 超过100万人次');
    expect(html).toContain('224,000 person-times → over 1 million person-times');
    expect(html).toContain('chart-series-tx-intercity-emu-passengers');
    // The superseded figure is not printed as a fact of its own.
    expect(html).not.toContain('id="fact-tx-intercity-emu-passengers"');
  });

  it('records a repeated figure as "also" on the fact that holds it', async () => {
    const drafts = readDrafts(dir, reviewId);
    const known = drafts.facts.find((f) => f.review.status === 'known' && f.review.fact === 'tx-xiongxin-hsr-length')!;
    expect(known).toBeDefined();
    const refused = await inDir(dir, ['draft', '--accept', known.id]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`cannot accept "${known.id}": its source ${reviewId} has no English title yet`);
    const sources = path.join(dir, 'data/sources.yaml');
    const text = readFileSync(sources, 'utf8');
    const at = text.indexOf(`id: ${reviewId}`);
    writeFileSync(sources, text.slice(0, at) + text.slice(at).replace('en: ""', 'en: Xinzhou integration halfway through 2023').replace('en: ""', 'en: Xinzhou city media'));
    const r = await inDir(dir, ['draft', '--accept', known.id]);
    expect(r.code, r.stderr).toBe(0);
    const sheet = load(readFileSync(path.join(dir, 'data/facts/taixin/transport.yaml'), 'utf8')) as { facts: { id: string; also?: { doc: string; quote: string }[] }[] };
    expect(sheet.facts.find((f) => f.id === 'tx-xiongxin-hsr-length')!.also).toContainEqual({ doc: reviewId, quote: known.source.quote });
  });
});

describe('source add: bad input gets one line and exit 1, and nothing is written', () => {
  let dir: string;
  beforeAll(() => {
    dir = copyProject(['data']);
    writeFileSync(path.join(dir, 'empty.txt'), '');
    writeFileSync(path.join(dir, 'binary.bin'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]));
  });
  const cases: [string, (dir: string) => string[], RegExp][] = [
    ['a missing file', (d) => ['source', 'add', path.join(d, 'nope.txt'), '--zone', 'taixin'], /file not found/],
    ['an empty file', (d) => ['source', 'add', path.join(d, 'empty.txt'), '--zone', 'taixin'], /empty/],
    ['binary data', (d) => ['source', 'add', path.join(d, 'binary.bin'), '--zone', 'taixin'], /binary|image/i],
    ['a file in an unknown encoding', () => ['source', 'add', path.join(FIX, 'decode-article-traditional.big5.txt'), '--zone', 'taixin'], /iconv/],
    ['a zone that does not exist', () => ['source', 'add', REVIEW, '--zone', 'datong'], /unknown zone "datong"/],
    ['a date that is not a date', () => ['source', 'add', REVIEW, '--zone', 'taixin', '--date', '2023-02-30'], /--date "2023-02-30" is not a date/],
    ['the same document twice', () => ['source', 'add', path.join(ROOT, 'data/sources/002_b1665f918e888616.txt'), '--zone', 'taixin'], /already in the base as 002_b1665f918e888616/],
  ];
  for (const [what, args, message] of cases) {
    it(`refuses ${what}`, async () => {
      const before = snapshot(dir);
      const r = await inDir(dir, args(dir));
      expect(r.code, r.stdout).toBe(1);
      const lines = r.stderr.trim().split('\n');
      expect(lines, r.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(message);
      // No stack trace: its frames name src/*.ts in this process, dist/*.js from bin/briefing.js.
      expect(r.stderr).not.toMatch(/\bat .*\.[cm]?[jt]s:\d+/);
      expect(snapshot(dir)).toEqual(before);
    });
  }
  it('has a drafts folder nowhere after refusals', () => {
    expect(existsSync(path.join(dir, 'data/drafts'))).toBe(false);
  });
});

describe('drafts never change a build', () => {
  it('leaves every briefing unchanged when drafts are written, and check passes with them', async () => {
    const dir = copyProject(['data']);
    const out = path.join(dir, 'out');
    const build = () => cli(['build', '--html-only', '--edition', '2022-11', '--now', '2022-11-30T00:00:00Z', '--data', path.join(dir, 'data'), '--out', out]);
    expect((await build()).code).toBe(0);
    const html = readFileSync(path.join(out, '2022-11', 'taixin-transport.html'), 'utf8');
    expect((await inDir(dir, ['draft', '000_32369ebad8b3415c'])).code).toBe(0);
    expect((await inDir(dir, ['draft', '002_b1665f918e888616'])).code).toBe(0);
    const again = await build();
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('0 briefings, 8 unchanged');
    expect(readFileSync(path.join(out, '2022-11', 'taixin-transport.html'), 'utf8')).toBe(html);
    const check = await inDir(dir, ['check']);
    expect(check.code, check.stderr).toBe(0);
    // Every draft of 000 needs its English first. The figures of facts that already cite 000 (as their
    // source or an also: the 10 measures, the Dayu waste-transfer capacity) are not drafted again at all.
    expect(check.stdout).toMatch(/drafts: .*000_32369ebad8b3415c\.yaml: \d+ drafted facts wait for review/);
    expect(check.stdout).toMatch(/000_32369ebad8b3415c\.yaml: \d+ drafted facts wait for review \(0 ready to accept\)/);
  });
});

describe('source add: a saved web page in GB18030', () => {
  it('reads its title, publisher and date from the page and drafts the article, not the page around it', async () => {
    const dir = copyProject(['data']);
    const r = await inDir(dir, ['source', 'add', PAGE, '--zone', 'taixin']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('(gb18030, a web page)');
    expect(r.stdout).toContain('found date 2023-09-18 from the page');
    expect(r.stdout).toContain('found publisher "山西日报" from the page');
    const id = lastLine(r.stdout);
    expect((await inDir(dir, ['draft', id])).code).toBe(0);
    const drafts = readDrafts(dir, id);
    // The same figures as the plain-text article: the footer's year and licence number are not figures.
    expect(parsedShare(drafts, KEY['taixin-2023-progress']!.figures).share).toBe(1);
    expect(drafts.facts.flatMap((f) => f.values)).toHaveLength(KEY['taixin-2023-progress']!.figures.length);
  });
});

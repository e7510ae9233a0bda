/** The base guards itself: what a new user drops in by hand is reported, not silently ignored or printed twice. */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, cli, copyProject } from '../helpers/cli.js';

const check = (dir: string) => cli(['check', '--data', path.join(dir, 'data')]);

describe('check guards the base', () => {
  it('reports a text in sources/ that has no entry in sources.yaml', async () => {
    const dir = copyProject(['data']);
    copyFileSync(path.join(ROOT, 'tests/fixtures/intake/taixin-2023-review.txt'), path.join(dir, 'data/sources/new-article.txt'));
    const r = await check(dir);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(/data\/sources\/new-article\.txt: source text has no entry in data\/sources\.yaml \(bring it in with `briefing source add/);
  });

  it('reports a second fact stating a figure another fact already holds for the same indicator', async () => {
    const dir = copyProject(['data']);
    const sheet = path.join(dir, 'data/facts/taixin/transport.yaml');
    const text = readFileSync(sheet, 'utf8');
    // The length of the railway again, from source 003's neighbour 001, under another id.
    const twin = `  - id: tx-xiongxin-length-again
    kind: metric
    title: { zh: 雄忻高铁正线全长, en: Xiong'an–Xinzhou railway main line length }
    summary: { zh: 雄忻高铁正线全长342公里。, en: The main line of the Xiong'an–Xinzhou railway is 342 km long. }
    values:
      - value: 342
        unit: km
    as_of: 2022-10
    source: { doc: 000_32369ebad8b3415c, quote: 正线全长342公里 }
`;
    writeFileSync(sheet, text.replace('\ncharts:', `\n${twin}\ncharts:`));
    const r = await check(dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/"tx-xiongxin-length-again" states 342 km, as "tx-xiongxin-hsr-length" \(.*transport\.yaml:\d+\) already does for the same indicator/);
  });

  it('accepts the same figure twice in one series, and refuses a series that mixes units', async () => {
    const dir = copyProject(['data']);
    const sheet = path.join(dir, 'data/facts/taixin/transport.yaml');
    let text = readFileSync(sheet, 'utf8');
    text = text.replace('  - id: tx-intercity-emu-passengers\n    kind: metric\n', '  - id: tx-intercity-emu-passengers\n    kind: metric\n    series: emu-passengers\n');
    text = text.replace('  - id: tx-intercity-emu-trains-run\n    kind: metric\n', '  - id: tx-intercity-emu-trains-run\n    kind: metric\n    series: emu-passengers\n');
    writeFileSync(sheet, text);
    const r = await check(dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/series "emu-passengers" is measured in count \("tx-intercity-emu-trains-run"\) but "tx-intercity-emu-passengers" in person-times|series "emu-passengers" is measured in person-times \("tx-intercity-emu-passengers"\) but "tx-intercity-emu-trains-run" in count/);
  });
});

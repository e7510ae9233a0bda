import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileCache, cacheKey } from '../src/file-cache.js';
import { ownClipIds } from '../src/charts/render.js';
import { tempDir } from './helpers/cli.js';

describe('results kept between runs (file-cache.ts)', () => {
  const key = cacheKey('a', 'b');

  it('gives back what was kept, by key, and nothing without a folder', () => {
    const cache = new FileCache(tempDir('briefing-cache-'), 'things', { max: 10, maxBytes: 1000 });
    expect(cache.get(key)).toBeUndefined();
    cache.set(key, 'hello');
    expect(cache.get(key)?.toString()).toBe('hello');
    expect(cache.get(cacheKey('a', 'c'))).toBeUndefined();
    const none = new FileCache(undefined, 'things', { max: 10, maxBytes: 1000 });
    none.set(key, 'hello');
    expect(none.get(key)).toBeUndefined();
  });

  it('keys differ with every part and with how the parts are cut', () => {
    expect(cacheKey('ab', 'c')).not.toBe(cacheKey('a', 'bc'));
    expect(cacheKey('a')).not.toBe(cacheKey('a', ''));
  });

  it('takes a torn or edited result, a link or a named pipe for none', () => {
    const dir = tempDir('briefing-cache-');
    const cache = new FileCache(dir, 'things', { max: 10, maxBytes: 1000 });
    cache.set(key, 'hello world');
    const file = path.join(dir, 'things', key);
    const whole = readFileSync(file);
    writeFileSync(file, whole.subarray(0, whole.length - 3));
    expect(cache.get(key)).toBeUndefined();
    writeFileSync(file, Buffer.concat([whole.subarray(0, whole.length - 1), Buffer.from('D')]));
    expect(cache.get(key)).toBeUndefined();
    const other = cacheKey('link');
    const elsewhere = path.join(tempDir('briefing-elsewhere-'), 'x');
    writeFileSync(elsewhere, whole);
    symlinkSync(elsewhere, path.join(dir, 'things', other));
    expect(cache.get(other)).toBeUndefined();
    const piped = cacheKey('pipe');
    execFileSync('mkfifo', [path.join(dir, 'things', piped)]);
    expect(cache.get(piped)).toBeUndefined();
  });

  it('keeps no result larger than its bound, and removes the least recently used beyond its count', () => {
    const dir = tempDir('briefing-cache-');
    const cache = new FileCache(dir, 'things', { max: 4, maxBytes: 10 });
    cache.set(key, 'x'.repeat(11));
    expect(cache.get(key)).toBeUndefined();
    const keys = ['1', '2', '3', '4'].map((k) => cacheKey(k));
    keys.forEach((k, i) => {
      cache.set(k, k.slice(0, 5));
      utimesSync(path.join(dir, 'things', k), 1000 + i, 1000 + i);
    });
    // The oldest is read: used now, it is kept over the next oldest.
    expect(cache.get(keys[0]!)).toBeDefined();
    cache.set(cacheKey('5'), 'five');
    const left = readdirSync(path.join(dir, 'things'));
    expect(left.length).toBe(3);
    expect(left).toContain(keys[0]);
    expect(left).not.toContain(keys[1]);
  });

  it('a folder that cannot be written is no cache, and no failure', () => {
    const file = path.join(tempDir('briefing-cache-'), 'file');
    writeFileSync(file, '');
    const cache = new FileCache(file, 'things', { max: 4, maxBytes: 10 });
    expect(() => cache.set(key, 'x')).not.toThrow();
    expect(cache.get(key)).toBeUndefined();
  });
});

describe("a chart's clip ids are its own (charts/render.ts ownClipIds)", () => {
  const chart = (a: number, b: number) =>
    `<svg><defs><clipPath id="clip${a}"><rect width="3"/></clipPath><clipPath id="clip${b}"><rect width="4"/></clipPath></defs><g clip-path="url(#clip${b})"></g><g clip-path="url(#clip${a})"></g></svg>`;

  it('numbers them from 1 after a hash of the chart, whatever Vega numbered them', () => {
    expect(ownClipIds(chart(7, 8))).toBe(ownClipIds(chart(1, 2)));
    expect(ownClipIds(chart(7, 8))).toMatch(/id="clip-[0-9a-f]{12}-1".*id="clip-[0-9a-f]{12}-2".*url\(#clip-[0-9a-f]{12}-2\).*url\(#clip-[0-9a-f]{12}-1\)/);
  });

  it('gives different charts different ids, and leaves a chart without clips as it is', () => {
    const other = chart(1, 2).replace('width="4"', 'width="5"');
    const ids = (svg: string) => [...ownClipIds(svg).matchAll(/id="([^"]+)"/g)].map((m) => m[1]);
    expect(ids(chart(1, 2)).some((id) => ids(other).includes(id))).toBe(false);
    expect(ownClipIds('<svg><g/></svg>')).toBe('<svg><g/></svg>');
  });
});

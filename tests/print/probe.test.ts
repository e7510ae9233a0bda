import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../helpers/cli.js';

/** The probe's font and expected width as a new process makes or reads them, with `cacheDir` (print/probe.ts). */
function probeIn(cacheDir: string): { expected: number; fontLength: number } {
  const script = `
    const { probeTextLayout } = await import(${JSON.stringify(path.join(ROOT, 'dist/print/probe.js'))});
    let fontLength = 0;
    const r = await probeTextLayout({ evaluate: async (_f, font) => { fontLength = font.length; return 0; } }, { cacheDir: ${JSON.stringify(cacheDir)} });
    console.log(JSON.stringify({ expected: r.expected, fontLength }));`;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })) as { expected: number; fontLength: number };
}

describe('the text-layout probe of remote browsers', () => {
  it('keeps its font and expected width in the cache folder, and a later process reads them from there', () => {
    const cache = tempDir('briefing-probe-cache-');
    const made = probeIn(cache);
    expect(made.expected).toBeGreaterThan(1000);
    expect(made.fontLength).toBeGreaterThan(1000);
    const [key] = readdirSync(path.join(cache, 'probes'));
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    // Read, not made again: a kept result changed (and whole, its hash with it) is what the next process uses.
    const file = path.join(cache, 'probes', key!);
    const kept = JSON.parse(readFileSync(file, 'utf8').split('\n').slice(1).join('\n')) as { font: string; expected: number };
    const changed = JSON.stringify({ ...kept, expected: 1234.5 });
    writeFileSync(file, `${createHash('sha256').update(changed).digest('hex')}\n${changed}`);
    expect(probeIn(cache)).toEqual({ expected: 1234.5, fontLength: made.fontLength });
    // A torn one is made anew.
    writeFileSync(file, `${createHash('sha256').update(changed).digest('hex')}\n${changed.slice(0, -3)}`);
    expect(probeIn(cache)).toEqual(made);
  });
});

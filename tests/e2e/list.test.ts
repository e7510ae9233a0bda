import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyProject, runCli } from '../helpers/cli.js';

describe('briefing list', () => {
  it('lists zones, themes and what each edition adds, and answers anew when the data changes', () => {
    const dir = copyProject();
    const data = path.join(dir, 'data');
    const first = runCli(['list', '--data', data]);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('taixin             太忻一体化经济区 / Taiyuan–Xinzhou Integrated Economic Zone');
    expect(first.stdout).toMatch(/2022-05 {2}adds 83 facts; sources 002_b1665f918e888616, 003_466644770ae55d01/);
    expect(first.stdout).toMatch(/2023-03 {2}adds 35 facts; sources 004_3fd6a3c8a5be216f/);
    // The second answer comes from the cache, and is the same.
    expect(runCli(['list', '--data', data]).stdout).toBe(first.stdout);
    const zones = path.join(data, 'zones.yaml');
    writeFileSync(zones, readFileSync(zones, 'utf8').replace('en: Taiyuan–Jinzhong Integration', 'en: Taiyuan–Jinzhong Integration Area'));
    expect(runCli(['list', '--data', data]).stdout).toContain('太原晋中一体化 / Taiyuan–Jinzhong Integration Area');
  });
});

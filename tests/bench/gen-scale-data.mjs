#!/usr/bin/env node
/**
 * Generates a large data set for the benchmark: N zones × 4 themes, each zone a copy of the
 * Taiyuan–Jinzhong fact sheets (ids renamed so they stay unique), all quoting the same source text.
 * Usage: node tests/bench/gen-scale-data.mjs <out-dir> [zones=200]
 */
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export function generateScaleData(outDir, zones = 200) {
  const data = path.join(outDir, 'data');
  mkdirSync(path.join(data, 'sources'), { recursive: true });
  const src = path.join(ROOT, 'data');
  cpSync(path.join(src, 'themes.yaml'), path.join(data, 'themes.yaml'));
  cpSync(path.join(src, 'sources/004_3fd6a3c8a5be216f.txt'), path.join(data, 'sources/004_3fd6a3c8a5be216f.txt'));
  const ids = Array.from({ length: zones }, (_, i) => `zone-${String(i + 1).padStart(3, '0')}`);
  writeFileSync(
    path.join(data, 'zones.yaml'),
    `zones:\n${ids.map((id, i) => `  - id: ${id}\n    name: { zh: 测试区${i + 1}, en: Test Zone ${i + 1} }\n    short: { zh: 测试${i + 1}, en: Zone ${i + 1} }\n`).join('')}`,
  );
  const sources = readFileSync(path.join(src, 'sources.yaml'), 'utf8');
  const entry = sources.slice(sources.indexOf('  - id: 004_3fd6a3c8a5be216f'));
  writeFileSync(path.join(data, 'sources.yaml'), `sources:\n${entry.replace('zones: [taiyuan-jinzhong]', `zones: [${ids.join(', ')}]`)}`);
  for (const theme of ['transport', 'ecology', 'industry', 'public-services']) {
    const sheet = readFileSync(path.join(src, 'facts/taiyuan-jinzhong', `${theme}.yaml`), 'utf8');
    ids.forEach((id, i) => {
      mkdirSync(path.join(data, 'facts', id), { recursive: true });
      writeFileSync(path.join(data, 'facts', id, `${theme}.yaml`), sheet.replace(/\btj-/g, `z${i + 1}-`));
    });
  }
  return data;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [out, n] = process.argv.slice(2);
  if (!out) {
    console.error('usage: gen-scale-data.mjs <out-dir> [zones]');
    process.exit(1);
  }
  console.log(generateScaleData(out, Number(n ?? 200)));
}

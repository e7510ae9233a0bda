import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { inputHash } from '../../src/editions/hash.js';
import { tempDir } from '../helpers/cli.js';

describe('inputHash', () => {
  it('changes with the data, the templates, briefing’s own code, the package lock and the options', () => {
    const root = tempDir('briefing-hash-');
    for (const d of ['data', 'templates', 'dist']) mkdirSync(path.join(root, d));
    const write = (file: string, text: string) => writeFileSync(path.join(root, file), text);
    write('data/zones.yaml', 'a');
    write('templates/briefing.hbs', 'b');
    write('dist/build.js', 'c');
    write('dist/build.js.map', 'x');
    write('package-lock.json', 'd');
    const hash = (options: unknown = {}) => inputHash({ dataDir: path.join(root, 'data'), templatesDir: path.join(root, 'templates'), root, options });
    const seen = new Set([hash()]);
    for (const [file, text] of [['data/zones.yaml', 'a2'], ['templates/briefing.hbs', 'b2'], ['dist/build.js', 'c2'], ['package-lock.json', 'd2']] as const) {
      write(file, text);
      expect(seen.has(hash()), file).toBe(false);
      seen.add(hash());
    }
    expect(seen.has(hash({ lang: 'en' }))).toBe(false);
    // Source maps do not change what is printed.
    const before = hash();
    write('dist/build.js.map', 'y');
    expect(hash()).toBe(before);
  });
});

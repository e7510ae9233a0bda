import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTemplates, type Templates } from '../../src/render/html.js';
import { tempDir } from '../helpers/cli.js';

/** A template set of the test's own: a page, one partial, one style sheet. */
function templateSet(note: string): string {
  const dir = tempDir('briefing-templates-');
  mkdirSync(path.join(dir, 'partials'));
  mkdirSync(path.join(dir, 'styles'));
  writeFileSync(path.join(dir, 'briefing.hbs'), '<style>{{{css}}}</style><h1>{{title.en}}</h1>{{> note}}');
  writeFileSync(path.join(dir, 'partials/note.hbs'), note);
  writeFileSync(path.join(dir, 'styles/page.css'), 'h1 { color: #123456; }');
  return dir;
}

const render = (t: Templates) =>
  t.render({ title: { en: 'A & B' }, langs: ['en'], zone: { en: 'Z' }, theme: { en: 'T' }, edition: { en: 'E' }, charts: [], svgs: [] } as unknown as Parameters<Templates['render']>[0]);

describe('loadTemplates', () => {
  it('compiles a set once per process while its files are unchanged, and again after any byte changed', () => {
    const dir = templateSet('<p>{{title.en}} one</p>');
    const first = loadTemplates(dir);
    expect(render(first)).toBe('<style>h1 { color: #123456; }</style><h1>A &amp; B</h1><p>A &amp; B one</p>');
    expect(loadTemplates(dir)).toBe(first);
    // A partial changed: a set of its own, rendering the change.
    writeFileSync(path.join(dir, 'partials/note.hbs'), '<p>{{title.en}} two</p>');
    const second = loadTemplates(dir);
    expect(second).not.toBe(first);
    expect(render(second)).toContain('<p>A &amp; B two</p>');
    // A style changed, or a partial added: the same.
    writeFileSync(path.join(dir, 'styles/page.css'), 'h1 { color: #654321; }');
    const third = loadTemplates(dir);
    expect(render(third)).toContain('#654321');
    writeFileSync(path.join(dir, 'partials/extra.hbs'), '');
    expect(loadTemplates(dir)).not.toBe(third);
    // Back as it first was: the first set again.
    writeFileSync(path.join(dir, 'partials/note.hbs'), '<p>{{title.en}} one</p>');
    writeFileSync(path.join(dir, 'styles/page.css'), 'h1 { color: #123456; }');
    rmSync(path.join(dir, 'partials/extra.hbs'));
    expect(loadTemplates(dir)).toBe(first);
  });

  it('refuses a set that does not compile every time, remembering only sets that did', () => {
    const dir = templateSet('<p>{{title.en}}</p>');
    const good = loadTemplates(dir);
    writeFileSync(path.join(dir, 'partials/note.hbs'), '<p>{{#if title}}</p>');
    for (let i = 0; i < 2; i++) expect(() => loadTemplates(dir)).toThrow(/template error/);
    writeFileSync(path.join(dir, 'partials/note.hbs'), '<p>{{title.en}}</p>');
    expect(loadTemplates(dir)).toBe(good);
  });

  it('compiles a set of the same bytes in another folder on its own (its errors name its own files)', () => {
    const a = templateSet('<p>same</p>');
    const b = templateSet('<p>same</p>');
    expect(loadTemplates(a)).not.toBe(loadTemplates(b));
    expect(render(loadTemplates(b))).toBe(render(loadTemplates(a)));
  });
});

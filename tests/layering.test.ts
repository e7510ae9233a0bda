/**
 * The layers of src/: data loading, the model, printing and the output folder sit below the build, which
 * calls them; the scheduler, the preview and the CLI sit above it. An upward import (one of those four
 * folders reaching build.ts, directly or through other modules) would make a cycle of the pipeline.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(import.meta.dirname, '../src');
const BELOW_THE_BUILD = ['editions', 'print', 'data', 'model'];

/** Every module of src/ (relative path, .ts) and the modules of src/ it imports, statically, dynamically or for types. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of readdirSync(SRC, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'))) {
    const text = readFileSync(path.join(SRC, file), 'utf8');
    const specifiers = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => m[1]!);
    graph.set(file, specifiers.map((s) => path.join(path.dirname(file), s).replace(/\.js$/, '.ts')));
  }
  return graph;
}

/** The chain of imports from `from` to `to`, if there is one. */
function chain(graph: Map<string, string[]>, from: string, to: string): string[] | undefined {
  const seen = new Set<string>();
  const visit = (file: string, trail: string[]): string[] | undefined => {
    if (file === to) return trail;
    if (seen.has(file)) return undefined;
    seen.add(file);
    for (const next of graph.get(file) ?? []) {
      const found = visit(next, [...trail, next]);
      if (found) return found;
    }
    return undefined;
  };
  return visit(from, [from]);
}

describe('layers', () => {
  it('nothing under src/editions, src/print, src/data or src/model reaches build.ts', () => {
    const graph = importGraph();
    expect(graph.has('build.ts')).toBe(true);
    const below = [...graph.keys()].filter((f) => BELOW_THE_BUILD.includes(f.split(path.sep)[0]!));
    expect(below.length).toBeGreaterThan(20);
    const upward = below.map((f) => chain(graph, f, 'build.ts')).filter((c) => c !== undefined).map((c) => c.join(' → '));
    expect(upward).toEqual([]);
  });

  it('finds an upward import when there is one', () => {
    const graph = new Map([['editions/a.ts', ['model/b.ts']], ['model/b.ts', ['build.ts']], ['build.ts', []]]);
    expect(chain(graph, 'editions/a.ts', 'build.ts')).toEqual(['editions/a.ts', 'model/b.ts', 'build.ts']);
  });
});

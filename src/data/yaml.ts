import { createRequire } from 'node:module';
import jsyaml from 'js-yaml';
import type { Node } from 'yaml';
import type { Problem } from '../errors.js';

/** The `yaml` package, loaded on the first parse for positions (most runs need none). */
const require = createRequire(import.meta.url);
let yamlPackage: typeof import('yaml') | undefined;
const positionsParser = () => (yamlPackage ??= require('yaml') as typeof import('yaml'));

/** A parsed YAML file that can say where any path inside it is. */
export interface YamlFile {
  file: string;
  data: unknown;
  locate(path: readonly PropertyKey[], opts?: { key?: boolean }): { line: number; col: number };
  problem(path: readonly PropertyKey[], message: string, hint?: string, opts?: { key?: boolean }): Problem;
}

type Parsed = { yaml?: YamlFile; problems: Problem[] };

/**
 * The last parse of each file, reused while its text is unchanged: a process that loads the data again
 * after one file changed (the preview, on every save) parses only that file. Callers never mutate it.
 */
const lastParse = new Map<string, { text: string; parsed: Parsed }>();

export function parseYaml(file: string, text: string): Parsed {
  const last = lastParse.get(file);
  if (last?.text === text) return last.parsed;
  const parsed = parseText(file, text);
  lastParse.set(file, { text, parsed });
  return parsed;
}

/** A YAML text's data, with YAML 1.2's core schema (dates stay strings). Throws on a syntax error. */
export const readYaml = (text: string, file?: string): unknown => jsyaml.load(text, { schema: jsyaml.CORE_SCHEMA, ...(file ? { filename: file } : {}) });

/**
 * Two parsers, each for what it does best. js-yaml reads the data, about ten times faster; the `yaml`
 * package, which keeps every node's place in the text, runs only when a place is needed: for a syntax
 * error, or the first time a message points into the file. Both read YAML 1.2's core schema, so dates
 * stay strings, and both refuse duplicate keys.
 */
function parseText(file: string, text: string): Parsed {
  let data: unknown;
  try {
    data = readYaml(text, file);
  } catch (e) {
    const positioned = positionedParse(file, text);
    if (positioned.problems.length) return { problems: positioned.problems };
    const mark = (e as { mark?: { line: number; column: number } }).mark;
    const reason = (e as { reason?: string }).reason ?? (e instanceof Error ? e.message : String(e));
    return { problems: [{ file, line: (mark?.line ?? 0) + 1, col: (mark?.column ?? 0) + 1, message: `YAML syntax error: ${reason}`, hint: 'fix the YAML syntax at this place' }] };
  }
  let positioned: ReturnType<typeof positionedParse> | undefined;
  const locate: YamlFile['locate'] = (path, opts) => {
    positioned ??= positionedParse(file, text);
    return positioned.locate?.(path, opts) ?? { line: 0, col: 0 };
  };
  const yaml: YamlFile = {
    file,
    data,
    locate,
    problem(path, message, hint, opts) {
      const { line, col } = locate(path, opts);
      return { file, line, col, message, ...(hint ? { hint } : {}) };
    },
  };
  return { yaml, problems: [] };
}

/** The `yaml` package's parse, with node positions: syntax errors at their place, or a locator. */
function positionedParse(file: string, text: string): { problems: Problem[]; locate?: YamlFile['locate'] } {
  const { LineCounter, parseDocument, isMap, isPair, isScalar, isSeq } = positionsParser();
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const problems: Problem[] = doc.errors.map((e) => {
    const pos = lineCounter.linePos(e.pos[0]);
    const msg = e.message.split('\n')[0] ?? e.message;
    return { file, line: pos.line, col: pos.col, message: `YAML syntax error: ${msg}`, hint: 'fix the YAML syntax at this place' };
  });
  if (problems.length) return { problems };
  const locate: YamlFile['locate'] = (path, opts) => {
    // Walk down as far as the path exists; report the deepest node found.
    let node: unknown = doc.contents;
    let best: Node | null = (doc.contents as Node | null) ?? null;
    let keyNode: Node | null = null;
    for (const seg of path) {
      keyNode = null;
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === seg);
        if (!pair) break;
        keyNode = pair.key as Node;
        node = pair.value;
      } else if (isSeq(node) && typeof seg === 'number') {
        node = node.items[seg];
      } else break;
      if (node && (node as Node).range) best = node as Node;
      else if (keyNode) best = keyNode;
    }
    const target = opts?.key && keyNode ? keyNode : best;
    return lineCounter.linePos(target?.range?.[0] ?? 0);
  };
  return { problems, locate };
}

import { LineCounter, parseDocument, isMap, isPair, isScalar, isSeq, type Document, type Node } from 'yaml';
import type { Problem } from '../errors.js';

/** A parsed YAML file that can say where any path inside it is. */
export interface YamlFile {
  file: string;
  doc: Document;
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

function parseText(file: string, text: string): Parsed {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const problems: Problem[] = doc.errors.map((e) => {
    const pos = lineCounter.linePos(e.pos[0]);
    const msg = e.message.split('\n')[0] ?? e.message;
    return { file, line: pos.line, col: pos.col, message: `YAML syntax error: ${msg}`, hint: 'fix the YAML syntax at this place' };
  });
  if (problems.length) return { problems };

  const at = (offset: number) => lineCounter.linePos(offset);
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
    const offset = target?.range?.[0] ?? 0;
    return at(offset);
  };
  const yaml: YamlFile = {
    file,
    doc,
    data: doc.toJS(),
    locate,
    problem(path, message, hint, opts) {
      const { line, col } = locate(path, opts);
      return { file, line, col, message, ...(hint ? { hint } : {}) };
    },
  };
  return { yaml, problems };
}

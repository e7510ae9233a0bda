/**
 * Edits to YAML files as text, so everything a person wrote — comments, blank lines, flow or block
 * style, quoting — stays as it was: only the lines an edit is about change. The `yaml` package finds
 * where each node is; the edits splice whole lines.
 */
import { createRequire } from 'node:module';
import type { Node, Pair, YAMLMap, YAMLSeq } from 'yaml';

const require = createRequire(import.meta.url);
const yamlPackage = () => require('yaml') as typeof import('yaml');

function parse(text: string) {
  const { parseDocument } = yamlPackage();
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length) throw new Error(doc.errors[0]!.message);
  return doc;
}

const lineStart = (text: string, at: number) => text.lastIndexOf('\n', at - 1) + 1;
const lineEnd = (text: string, at: number) => {
  const n = text.indexOf('\n', at);
  return n < 0 ? text.length : n + 1;
};
/** The column of a node: its offset from the start of its line. */
const column = (text: string, at: number) => at - lineStart(text, at);

function nodeAt(text: string, path: readonly (string | number)[]): Node | undefined {
  const doc = parse(text);
  return (doc.getIn(path, true) as Node | undefined) ?? undefined;
}

/** Shifts every line of a block by `by` spaces (negative removes). */
export function reindent(block: string, by: number): string {
  return block
    .split('\n')
    .map((l) => (!l.trim() ? l : by >= 0 ? ' '.repeat(by) + l : l.slice(Math.min(-by, l.length - l.trimStart().length))))
    .join('\n');
}

/** A value as YAML lines for a sequence item at `indent` columns ("- " included). */
export function itemYaml(value: unknown, indent: number): string {
  const { stringify } = yamlPackage();
  const text = stringify([value], { lineWidth: 0, flowCollectionPadding: true });
  return reindent(text, indent).replace(/\n*$/, '\n');
}

/** The lines of a sequence item, from its first line to the line before the next item's. */
export function itemLines(text: string, seqPath: readonly (string | number)[], index: number): { from: number; to: number; indent: number } {
  const seq = nodeAt(text, seqPath) as YAMLSeq | undefined;
  const item = seq?.items[index] as Node | undefined;
  if (!seq || !item?.range) throw new Error(`no item ${index} at ${seqPath.join('.')}`);
  const from = lineStart(text, item.range[0]);
  const next = seq.items[index + 1] as Node | undefined;
  const to = next?.range ? lineStart(text, next.range[0]) : lineEnd(text, Math.max(item.range[0], item.range[1] - 1));
  return { from, to, indent: column(text, item.range[0]) - 2 };
}

/** The text with one sequence item removed. */
export function removeItem(text: string, seqPath: readonly (string | number)[], index: number): string {
  const { from, to } = itemLines(text, seqPath, index);
  return text.slice(0, from) + text.slice(to);
}

/**
 * Appends a block (lines starting with "- " at column 0) to a block sequence, after its last item,
 * indented like the items already there. A missing or empty (`[]`) sequence at a top-level key is written anew.
 */
export function appendItem(text: string, seqPath: readonly (string | number)[], block: string): string {
  const seq = nodeAt(text, seqPath) as YAMLSeq | undefined;
  const items = (seq?.items ?? []) as Node[];
  const last = items[items.length - 1];
  if (seq && !seq.flow && last?.range) {
    const indent = column(text, last.range[0]) - 2;
    const at = lineEnd(text, Math.max(last.range[0], last.range[1] - 1));
    const lead = at > 0 && text[at - 1] !== '\n' ? '\n' : '';
    return text.slice(0, at) + lead + reindent(block, indent).replace(/\n*$/, '\n') + text.slice(at);
  }
  if (seqPath.length !== 1) throw new Error(`cannot append to ${seqPath.join('.')}`);
  const key = String(seqPath[0]);
  const doc = parse(text);
  const pair = (doc.contents as YAMLMap | null)?.items.find((p: Pair) => (p.key as { value?: unknown } | null)?.value === key) as Pair<Node, Node> | undefined;
  const body = reindent(block, 2).replace(/\n*$/, '\n');
  if (pair?.key?.range && pair.value?.range) {
    const from = lineStart(text, pair.key.range[0]);
    const to = lineEnd(text, Math.max(pair.value.range[0], pair.value.range[1] - 1));
    return `${text.slice(0, from)}${key}:\n${body}${text.slice(to)}`;
  }
  const sep = text && !text.endsWith('\n') ? '\n' : '';
  return `${text}${sep}${key}:\n${body}`;
}

/** The map at `path` gets `key: value` lines after its pair `after` (or at its end), at its keys' column. */
export function insertPair(text: string, mapPath: readonly (string | number)[], lines: string, after?: string): string {
  const map = nodeAt(text, mapPath) as YAMLMap<Node, Node> | undefined;
  if (!map?.range || map.flow) throw new Error(`no block map at ${mapPath.join('.')}`);
  const pairs = map.items;
  const anchor = (after ? pairs.find((p) => (p.key as { value?: unknown } | null)?.value === after) : undefined) ?? pairs[pairs.length - 1];
  const end = anchor?.value?.range ?? anchor?.key?.range;
  if (!end) throw new Error(`empty map at ${mapPath.join('.')}`);
  const at = lineEnd(text, Math.max(end[0], end[1] - 1));
  const indent = column(text, (map.items[0]!.key as Node).range![0]);
  return text.slice(0, at) + reindent(lines.replace(/\n*$/, '\n'), indent) + text.slice(at);
}

/** A block map's pairs whose keys are listed, removed with their lines. */
export function removePairs(text: string, mapPath: readonly (string | number)[], keys: string[]): string {
  const map = nodeAt(text, mapPath) as YAMLMap<Node, Node> | undefined;
  if (!map) return text;
  const cuts = map.items
    .filter((p) => keys.includes(String((p.key as { value?: unknown } | null)?.value)))
    .map((p) => {
      const endRange = p.value?.range ?? p.key!.range!;
      return [lineStart(text, p.key!.range![0]), lineEnd(text, Math.max(endRange[0], endRange[1] - 1))] as const;
    })
    .sort((a, b) => b[0] - a[0]);
  let out = text;
  for (const [from, to] of cuts) out = out.slice(0, from) + out.slice(to);
  return out;
}

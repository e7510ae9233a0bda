import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readFileSync, readlinkSync, type Stats } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import jsyaml from 'js-yaml';
import type { Node } from 'yaml';
import { cap, quoted, type Problem } from '../errors.js';
import { chineseMeasures, decodeDocument } from '../sources/decode.js';

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

/**
 * Limits on what a data file may hold, checked as it is read. Data files come from people, from
 * `briefing draft` and from whoever sent them, so a hostile one must cost no more than a large one:
 *   - no anchors (&name) and so no aliases (*name): the format needs none, and nine nested aliases
 *     expand to gigabytes (a "billion laughs");
 *   - nesting at most `depth` levels (a fact's deepest field, facts → fact → values → value → noun → en,
 *     is 7), where js-yaml would otherwise recurse until the stack overflows.
 * The size of a file, and what it is (a regular file in UTF-8, not a link), are checked as it is read:
 * readDataText, below.
 */
export const YAML_LIMITS = { depth: 16 } as const;

/** A construct data files refuse, at a place in the text (an offset in UTF-16 units). */
class YamlRefusal extends Error {
  constructor(readonly offset: number, message: string, readonly hint: string) {
    super(message);
  }
}

/**
 * Refuses the first anchor js-yaml reads. The listener sees every node close, with its anchor (js-yaml
 * restores a collection's anchor after reading its items), and where it opened, before its properties.
 */
function refuseAnchors(text: string): (event: 'open' | 'close', state: { position: number; anchor: string | null }) => void {
  const opened: number[] = [];
  return (event, state) => {
    if (event === 'open') return void opened.push(state.position);
    const start = opened.pop() ?? 0;
    if (state.anchor === null) return;
    const at = text.indexOf(`&${state.anchor}`, start);
    throw new YamlRefusal(
      at >= 0 ? at : start,
      `YAML anchor "&${cap(state.anchor, 40)}": data files take no anchors or aliases`,
      'write the value out in full wherever it is used',
    );
  };
}

/** A YAML text's data, with YAML 1.2's core schema (dates stay strings), within YAML_LIMITS. Throws on a syntax error. */
export function readYaml(text: string, file?: string): unknown {
  // js-yaml 4.3 has maxDepth; its type definitions do not know it yet.
  const options: jsyaml.LoadOptions & { maxDepth: number } = {
    schema: jsyaml.CORE_SCHEMA,
    maxDepth: YAML_LIMITS.depth,
    // Only a text with an ampersand can hold an anchor: most files are read without a listener.
    ...(text.includes('&') ? { listener: refuseAnchors(text) as unknown as NonNullable<jsyaml.LoadOptions['listener']> } : {}),
    ...(file ? { filename: file } : {}),
  };
  return jsyaml.load(text, options);
}

/** Line and column (1-based) of an offset in a text. */
function lineCol(text: string, offset: number): { line: number; col: number } {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, col: offset - start + 1 };
}

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
    // A limit is reported where js-yaml stopped; the other parser, recursive too, is not run on such a text.
    if (e instanceof YamlRefusal) return { problems: [{ file, ...lineCol(text, e.offset), message: e.message, hint: e.hint }] };
    const limit = e instanceof jsyaml.YAMLException && /^nesting exceeded maxDepth/.test(e.reason) ? e.mark : undefined;
    if (limit) {
      return { problems: [{ file, line: limit.line + 1, col: limit.column + 1, message: `nested more than ${YAML_LIMITS.depth} levels deep`, hint: 'data files nest a few levels, as in facts → fact → values → value → noun: flatten it' }] };
    }
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

// ── Reading data files ─────────────────────────────────────────────────────────────────────────────
// Here rather than in load.ts, which loads the schemas: a build checks its files before it plans (plan.ts
// imports this module already), and the up-to-date answer must not wait for the schemas to load.

const display = (file: string) => path.relative(process.cwd(), file) || file;
const at0 = (file: string, message: string, hint: string): Problem => ({ file, line: 0, col: 0, message, hint });

/** The names in a data folder, sorted. */
export const namesIn = (dir: string) => readdirSync(dir).sort();

/** The largest data file read, in bytes: the largest sheet is ~40 KB; a file this size is a mistake or an attack. */
export const MAX_YAML_BYTES = 5e6;
/** The largest source text read, in bytes: as `briefing source add` takes (sources/add.ts). */
export const MAX_TEXT_BYTES = 20e6;
/**
 * A data file's text, or why it cannot be read: missing, not a regular file inside the data folder
 * (a symbolic link is refused unread, so nothing of what it points to is ever shown), too large, or not
 * UTF-8 (a file in another encoding is named, with how to convert it). A byte-order mark is dropped.
 * Errors of the machine (a folder it may not read) are thrown, for the command line to report.
 */
export function readDataText(file: string, maxBytes: number): { text: string } | { missing: true } | { problem: Problem } {
  const shown = display(file);
  let st: Stats;
  try {
    st = lstatSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { missing: true };
    throw e;
  }
  const refused = notRegular(shown, file, st);
  if (refused) return { problem: refused };
  if (st.size > maxBytes) return { problem: tooLarge(shown, st.size, maxBytes) };
  // Opened without following a link and without waiting on a pipe, in case the file was swapped since.
  const fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  let bytes: Buffer;
  try {
    const now = fstatSync(fd);
    if (!now.isFile()) return { problem: at0(shown, 'is not a regular file', 'data files are plain files inside the data folder: put the file itself here') };
    if (now.size > maxBytes) return { problem: tooLarge(shown, now.size, maxBytes) };
    bytes = readFileSync(fd);
  } finally {
    closeSync(fd);
  }
  if (bytes.length > maxBytes) return { problem: tooLarge(shown, bytes.length, maxBytes) };
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  // ASCII saved as UTF-16 or UTF-32 is valid UTF-8 full of NUL characters: named for what it is.
  if (bytes.includes(0) && wideEncoding(bytes.subarray(start))) return { problem: notUtf8(shown, bytes.subarray(start)) };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(start)) };
  } catch {
    return { problem: notUtf8(shown, bytes.subarray(start)) };
  }
}

/** A symbolic link, folder, pipe or device where a data file or folder belongs. */
function notRegular(shown: string, file: string, st: Stats, folder = false): Problem | undefined {
  if (st.isSymbolicLink()) {
    let target = '';
    try {
      target = ` to ${quoted(readlinkSync(file))}`;
    } catch {
      // gone meanwhile: the link itself is the problem
    }
    return at0(shown, `is a symbolic link${target}; data ${folder ? 'folders' : 'files'} must be real ${folder ? 'folders' : 'files'} inside the data folder`, `replace the link with a copy of what it points to, if that belongs in the data`);
  }
  if (folder ? !st.isDirectory() : !st.isFile()) {
    const kind = st.isDirectory() ? 'a folder' : st.isFIFO() ? 'a named pipe' : st.isSocket() ? 'a socket' : st.isCharacterDevice() || st.isBlockDevice() ? 'a device' : 'not a regular file';
    return at0(shown, `is ${kind}, not a ${folder ? 'folder' : 'file'}`, `data ${folder ? 'folders' : 'files'} are plain ${folder ? 'folders' : 'files'} inside the data folder: move it away`);
  }
  return undefined;
}

const mb = (n: number) => `${Number.isInteger(n / 1e6) || n >= 1e7 ? Math.round(n / 1e6) : (n / 1e6).toFixed(1)} MB`;
function tooLarge(shown: string, size: number, max: number): Problem {
  return at0(shown, `is ${mb(size)}, more than the ${mb(max)} a data file may have`, max === MAX_TEXT_BYTES ? 'keep the text of the document alone in it' : 'a sheet of a few hundred facts is well under 1 MB: remove what does not belong, or split it');
}

/**
 * Bytes that are not UTF-8: a whole file in another encoding (told apart by sources/decode.ts) is named
 * with the command that converts it; stray bytes in a UTF-8 file are located.
 */
function notUtf8(shown: string, bytes: Uint8Array): Problem {
  const encoding = otherEncoding(bytes);
  if (encoding) {
    const out = `${shown}.utf8`;
    return at0(shown, `is saved as ${encoding}, not UTF-8`, `convert it: iconv -f ${encoding} -t UTF-8 ${shown} > ${out} && mv ${out} ${shown}`);
  }
  const bad = firstInvalidUtf8(bytes);
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < bad; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  const col = Array.from(new TextDecoder().decode(bytes.subarray(lineStart, bad))).length + 1;
  const byte = bytes[bad]!.toString(16).toUpperCase().padStart(2, '0');
  return { file: shown, line, col, message: `not UTF-8: byte 0x${byte} here is no character`, hint: 'retype the text at this place and save the file as UTF-8; a whole file in another encoding converts with iconv -f <encoding> -t UTF-8' };
}

/** The encoding of a whole file that is not UTF-8, as sources/decode.ts tells it, if it is one of those it knows. */
function otherEncoding(bytes: Uint8Array): string | undefined {
  const wide = wideEncoding(bytes);
  if (wide) return wide;
  const decoded = decodeDocument(bytes);
  if (decoded.ok) return decoded.encoding === 'utf-8' ? undefined : decoded.encoding.toUpperCase();
  const named = /iconv -f (UTF-16LE|UTF-16BE|BIG5|SHIFT_JIS) /.exec(decoded.hint)?.[1];
  if (named) return named;
  // decode.ts weighs a text as prose, where box-drawing characters are no Chinese; a sheet's comments
  // draw rules with them (# ── Intercity trains ──). Weighed without its comments, a GB18030 sheet reads as Chinese.
  try {
    const text = new TextDecoder('gb18030', { fatal: true }).decode(bytes);
    if (chineseMeasures(text.replace(/^[ \t]*#.*$/gm, '')).plausible) return 'GB18030';
  } catch {
    // not GB18030 either
  }
  return undefined;
}

/** UTF-16 or UTF-32 without a byte-order mark, told by where the zero bytes of mostly-ASCII YAML fall. */
function wideEncoding(bytes: Uint8Array): string | undefined {
  const n = Math.min(bytes.length, 4096) & ~3;
  if (n < 8) return undefined;
  const zeros = [0, 0, 0, 0];
  for (let i = 0; i < n; i++) if (bytes[i] === 0) zeros[i % 4]!++;
  const quarter = n / 4;
  const [z0, z1, z2, z3] = zeros as [number, number, number, number];
  if (z1 > quarter * 0.6 && z2 > quarter * 0.6 && z3 > quarter * 0.6) return 'UTF-32LE';
  if (z0 > quarter * 0.6 && z1 > quarter * 0.6 && z2 > quarter * 0.6) return 'UTF-32BE';
  if (z1 + z3 > (n / 2) * 0.3 && z1 + z3 > 4 * (z0 + z2)) return 'UTF-16LE';
  if (z0 + z2 > (n / 2) * 0.3 && z0 + z2 > 4 * (z1 + z3)) return 'UTF-16BE';
  return undefined;
}

/** The offset of the first byte that does not begin or continue a UTF-8 character as the standard allows. */
function firstInvalidUtf8(b: Uint8Array): number {
  for (let i = 0; i < b.length; ) {
    const c = b[i]!;
    let n: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c < 0x80) n = 0;
    else if (c >= 0xc2 && c <= 0xdf) n = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      n = 2;
      if (c === 0xe0) lo = 0xa0;
      if (c === 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3;
      if (c === 0xf0) lo = 0x90;
      if (c === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= n; k++) {
      const d = b[i + k];
      if (d === undefined || d < (k === 1 ? lo : 0x80) || d > (k === 1 ? hi : 0xbf)) return i;
    }
    i += n + 1;
  }
  return b.length;
}

/** A folder of the data that must be a real folder (facts/, facts/<zone>/, sources/, drafts/); a problem if it is not. */
export function dataFolder(dir: string): { ok: boolean; problem?: Problem } {
  let st: Stats;
  try {
    st = lstatSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { ok: false };
    throw e;
  }
  const problem = notRegular(display(dir), dir, st, true);
  return problem ? { ok: false, problem } : { ok: true };
}

/**
 * The data files a build reads, looked at without reading them: each must be a regular file (a symbolic
 * link, a pipe or a device is refused) of a size a data file can have. Run before a build plans, which
 * hashes every file it will read: a sheet linked to /dev/urandom must be refused, not read for ever.
 */
export function dataFileProblems(dataDir: string): Problem[] {
  const problems: Problem[] = [];
  const look = (file: string, max: number) => {
    let st: Stats;
    try {
      st = lstatSync(file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    const refused = notRegular(display(file), file, st) ?? (st.size > max ? tooLarge(display(file), st.size, max) : undefined);
    if (refused) problems.push(refused);
  };
  for (const name of ['zones.yaml', 'themes.yaml', 'sources.yaml']) look(path.join(dataDir, name), MAX_YAML_BYTES);
  const folder = (dir: string): boolean => {
    const f = dataFolder(dir);
    if (f.problem) problems.push(f.problem);
    return f.ok;
  };
  const sourcesDir = path.join(dataDir, 'sources');
  if (folder(sourcesDir)) for (const name of namesIn(sourcesDir)) if (name.endsWith('.txt')) look(path.join(sourcesDir, name), MAX_TEXT_BYTES);
  const factsDir = path.join(dataDir, 'facts');
  if (folder(factsDir)) {
    for (const zone of namesIn(factsDir)) {
      const dir = path.join(factsDir, zone);
      if (!lstatSync(dir).isDirectory() && !lstatSync(dir).isSymbolicLink()) continue;
      if (folder(dir)) for (const name of namesIn(dir)) if (name.endsWith('.yaml')) look(path.join(dir, name), MAX_YAML_BYTES);
    }
  }
  return problems;
}

/**
 * `briefing source add <file>`: a new document into the fact base.
 *   1. read     the bytes, decoded from UTF-8, UTF-16 or GB18030; binary, empty or undecodable refused (decode.ts)
 *   2. describe title, publisher and date from the flags, or from the page (<title>, meta tags, a date line) (html.ts)
 *   3. compare  a text the base already holds, or nearly (a reprint), is refused unless forced (similar.ts)
 *   4. file     the text under the next id, NNN_<first 16 hex digits of its SHA-256>, in data/sources/,
 *               and its entry appended to data/sources.yaml, comments and order untouched
 * Every problem is found before anything is written; the text is written before its entry, so a base
 * is never left with an entry whose text is missing.
 */
import { createHash } from 'node:crypto';
import { closeSync, constants, existsSync, fstatSync, openSync, readFileSync, readSync, readdirSync, rmSync } from 'node:fs';
import { MAX_SHORT_TEXT } from '../data/load.js';
import path from 'node:path';
import { BriefingError, STEERING, type Problem } from '../errors.js';
import { MAX_TEXT_BYTES, readYaml } from '../data/yaml.js';
import { dateSchema } from '../data/schema.js';
import { appendItem, itemYaml } from '../data/yamltext.js';
import { decodeDocument } from './decode.js';
import { isHtml, pageMeta } from './html.js';
import { findDuplicate } from './similar.js';

export interface AddSourceOptions {
  file: string;
  title?: string;
  titleEn?: string;
  publisher?: string;
  publisherEn?: string;
  /** YYYY-MM or YYYY-MM-DD */
  date?: string;
  zones: string[];
  url?: string;
  force?: boolean;
}

export interface AddedSource {
  id: string;
  file: string;
  encoding: string;
  html: boolean;
  title: string;
  published: string;
  /** Where a description came from when no flag gave it. */
  found: string[];
}

/** No article is larger than a source text may be (the load refuses a larger one). */
const MAX_BYTES = MAX_TEXT_BYTES;

/**
 * The document's bytes: a regular file, read through one descriptor (opened without waiting on a pipe)
 * and never more than MAX_BYTES of it, whatever its size claims (/proc files claim 0).
 */
function readDocument(file: string, refuse: (message: string, hint: string) => never): Buffer {
  const hint = 'give the path of a saved article (.txt or .html)';
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') refuse('file not found', hint);
    if (code === 'EACCES' || code === 'EPERM') refuse('file may not be read', 'check its permissions');
    throw e;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) refuse('not a file', hint);
    if (st.size > MAX_BYTES) refuse(`the file is ${Math.round(st.size / 1e6)} MB, larger than any article (${MAX_BYTES / 1e6} MB at most)`, 'save the article alone, as text or as a web page');
    const buffer = Buffer.alloc(MAX_BYTES + 1);
    let n = 0;
    try {
      for (let got = 1; got > 0 && n < buffer.length; n += got) got = readSync(fd, buffer, n, buffer.length - n, null);
    } catch (e) {
      // A kernel file (/proc, /sys) that refuses plain reads is no document.
      if ((e as NodeJS.ErrnoException).code === 'EINVAL' || (e as NodeJS.ErrnoException).code === 'EIO') refuse('the file cannot be read as a document', hint);
      throw e;
    }
    if (n > MAX_BYTES) refuse(`the file is larger than any article (${MAX_BYTES / 1e6} MB at most)`, 'save the article alone, as text or as a web page');
    return buffer.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

/** The id scheme: a three-digit number one above the highest in use, and the text's own hash. */
export function nextSourceId(ids: string[], text: string): string {
  const numbers = ids.map((id) => Number(/^(\d+)_/.exec(id)?.[1] ?? -1));
  const n = Math.max(-1, ...numbers) + 1;
  return `${String(n).padStart(3, '0')}_${createHash('sha256').update(text).digest('hex').slice(0, 16)}`;
}

export function addSource(dataDir: string, opts: AddSourceOptions, effects: { writeFile(file: string, data: string): void }): AddedSource {
  const problems: Problem[] = [];
  const arg = (message: string, hint: string) => problems.push({ file: 'briefing', line: 0, col: 0, message, hint });
  const shown = opts.file;
  const refuse = (message: string, hint: string): never => {
    throw new BriefingError([{ file: shown, line: 0, col: 0, message, hint }]);
  };
  const decoded = decodeDocument(readDocument(opts.file, refuse));
  if (!decoded.ok) refuse(decoded.reason, decoded.hint);
  const { text, encoding } = decoded as Extract<typeof decoded, { ok: true }>;
  const html = isHtml(text);
  const meta = pageMeta(text);
  const found: string[] = [];
  const title = opts.title ?? (meta.title && (found.push(`title "${meta.title}" from the ${html ? 'page' : 'first line'}`), meta.title));
  const publisher = opts.publisher ?? (meta.publisher && (found.push(`publisher "${meta.publisher}" from the ${html ? 'page' : 'date line'}`), meta.publisher));
  const published = opts.date ?? (meta.date && (found.push(`date ${meta.date} from the ${html ? 'page' : 'date line'}`), meta.date));

  const sourcesFile = path.join(dataDir, 'sources.yaml');
  const zonesFile = path.join(dataDir, 'zones.yaml');
  let entries: { id: string }[] = [];
  let zoneIds: string[] = [];
  try {
    entries = ((readYaml(readFileSync(sourcesFile, 'utf8')) as { sources?: { id: string }[] } | null)?.sources ?? []).filter((s) => typeof s?.id === 'string');
    zoneIds = ((readYaml(readFileSync(zonesFile, 'utf8')) as { zones?: { id: string }[] }).zones ?? []).map((z) => z.id);
  } catch {
    throw new BriefingError([{ file: path.relative(process.cwd(), sourcesFile), line: 0, col: 0, message: 'the fact base cannot be read', hint: 'run briefing check and fix what it reports first' }]);
  }

  // The document itself first: a copy is refused whatever else is wrong.
  const dir = path.join(dataDir, 'sources');
  const existing = entries
    .map((e) => ({ id: e.id, file: path.join(dir, `${e.id}.txt`) }))
    .filter((e) => existsSync(e.file))
    .map((e) => ({ id: e.id, text: readFileSync(e.file, 'utf8') }));
  const same = existing.find((e) => e.text === text);
  if (same) refuse(`this document is already in the base as ${same.id}`, 'nothing to add');
  const dup = findDuplicate(text, existing);
  if (dup && !opts.force) refuse(`this document repeats ${dup.id} (${Math.round(dup.share * 100)}% of the one is in the other)`, 'cite the existing source, or add --force if it is a different document');

  // What the flags or the page say is printed and stored: held to the limits a check holds sources.yaml to.
  const described: [string, string | undefined][] = [['title', title], ['title-en', opts.titleEn], ['publisher', publisher], ['publisher-en', opts.publisherEn]];
  for (const [flag, value] of described) {
    if (value && (STEERING.test(value) || /[\t\n]/.test(value))) arg(`the ${flag} holds a control character`, `give --${flag} as plain text`);
    else if (value && Array.from(value).length > MAX_SHORT_TEXT) arg(`the ${flag} is ${Array.from(value).length} characters long, more than the ${MAX_SHORT_TEXT} a title may have`, `give a shorter --${flag}`);
  }
  if (!title) arg('no title given, and none found in the document', 'add --title "<the Chinese headline>"');
  if (!publisher) arg('no publisher given, and none found in the document', 'add --publisher "<who published it, in Chinese>"');
  if (!published) arg('no publication date given, and none found in the document', 'add --date YYYY-MM-DD (or YYYY-MM when only the month is known)');
  else if (!dateSchema.safeParse(published).success) arg(`--date "${published}" is not a date`, 'write it as YYYY-MM-DD or YYYY-MM, with a real month and day');
  if (!opts.zones.length) arg('no zone given', `add --zone with one or more of: ${zoneIds.join(', ')}`);
  for (const z of opts.zones) if (!zoneIds.includes(z)) arg(`unknown zone "${z}"`, `use one of: ${zoneIds.join(', ')} (data/zones.yaml)`);
  if (opts.url !== undefined && !/^https?:\/\/[^\s]+$/.test(opts.url)) arg(`--url "${opts.url}" is not a web address`, 'give the http:// or https:// address the document was saved from');
  if (problems.length) throw new BriefingError(problems);

  const ids = [...entries.map((e) => e.id), ...(existsSync(dir) ? readdirSync(dir).map((f) => f.replace(/\.txt$/, '')) : [])];
  const id = nextSourceId(ids, text);
  const entry = {
    id,
    title: { zh: title!, en: opts.titleEn ?? '' },
    publisher: { zh: publisher!, en: opts.publisherEn ?? '' },
    published: published!,
    zones: opts.zones,
    ...(opts.url ? { url: opts.url } : {}),
  };
  const textFile = path.join(dir, `${id}.txt`);
  const sources = appendItem(readFileSync(sourcesFile, 'utf8'), ['sources'], itemYaml(entry, 0));
  effects.writeFile(textFile, text);
  try {
    effects.writeFile(sourcesFile, sources);
  } catch (e) {
    rmSync(textFile, { force: true });
    throw e;
  }
  return { id, file: textFile, encoding, html, title: title!, published: published!, found };
}

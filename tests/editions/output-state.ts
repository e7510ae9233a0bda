/**
 * What an output folder shows its readers, for tests: every edition's files with their hashes (read
 * through the links, as a person or a tool would), the manifest's record of them, and `latest`.
 */
import { existsSync, readFileSync, readdirSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { sha256File, type Manifest } from '../../src/editions/manifest.js';

export interface OutputState {
  /** edition → file (relative, with /) → sha256, from the files on disk. */
  files: Record<string, Record<string, string>>;
  /** edition → file → sha256, from editions.json. */
  manifest: Record<string, Record<string, string>>;
  /** The edition `latest` leads to. */
  latest: string | undefined;
}

function hashes(dir: string, rel = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(path.join(dir, rel))) {
    const r = rel ? `${rel}/${name}` : name;
    const st = statSync(path.join(dir, r));
    if (st.isDirectory()) Object.assign(out, hashes(dir, r));
    else out[r] = sha256File(path.join(dir, r));
  }
  return out;
}

export function outputState(out: string): OutputState {
  const files: OutputState['files'] = {};
  for (const name of readdirSync(out)) {
    // Editions that resolve: a link made just before a switch leads nowhere until it.
    if (/^\d{4}-\d{2}$/.test(name) && existsSync(path.join(out, name))) files[name] = hashes(path.join(out, name));
  }
  const manifestFile = path.join(out, 'editions.json');
  const m: Manifest = existsSync(manifestFile) ? (JSON.parse(readFileSync(manifestFile, 'utf8')) as Manifest) : { editions: {} };
  const manifest = Object.fromEntries(Object.entries(m.editions).map(([e, r]) => [e, Object.fromEntries(Object.entries(r.files).map(([f, x]) => [f, x.sha256]))]));
  const latestAt = existsSync(path.join(out, 'latest')) ? realpathSync(path.join(out, 'latest')) : undefined;
  const latest = latestAt && Object.keys(files).find((e) => realpathSync(path.join(out, e)) === latestAt);
  return { files, manifest, latest };
}

/** JSON with every object's keys sorted: equal states give equal text. */
const canonical = (v: unknown): string => JSON.stringify(v, (_, x: unknown) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b))) : x));

export const sameState = (a: OutputState, b: OutputState): boolean => canonical(a) === canonical(b);

/** Whether readers see one whole version: files as recorded, and `latest` at the newest edition. */
export function consistent(s: OutputState): boolean {
  const newest = Object.keys(s.manifest).sort().at(-1);
  return canonical(s.files) === canonical(s.manifest) && s.latest === newest;
}

/**
 * What a run left behind: hidden names at the top other than `.current` and `.versions` (and the lock
 * and preview cache, which are not leftovers), and versions `.current` does not reference.
 */
export function leftovers(out: string): string[] {
  // Hidden names but the layout's own, and links in view that lead nowhere.
  const hidden = readdirSync(out).filter((n) => (n.startsWith('.') && !['.current', '.versions'].includes(n)) || !existsSync(path.join(out, n)));
  if (!existsSync(path.join(out, '.versions'))) return hidden;
  if (!existsSync(path.join(out, '.current'))) return [...hidden, '.versions'];
  const root = path.basename(readlinkSync(path.join(out, '.current')));
  const keep = new Set([root, ...readdirSync(path.join(out, '.versions', root)).flatMap((e) => {
    try {
      return [path.basename(readlinkSync(path.join(out, '.versions', root, e)))];
    } catch {
      return [];
    }
  })]);
  return [...hidden, ...readdirSync(path.join(out, '.versions')).filter((v) => !keep.has(v)).map((v) => `.versions/${v}`)];
}

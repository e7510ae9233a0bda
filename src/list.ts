/**
 * `briefing list`: zones, themes, and the editions the data supports with what each adds.
 * Loading the fact base takes a few hundred milliseconds, so the answer is kept in the user's cache
 * folder (config.ts cacheFolder: $XDG_CACHE_HOME/briefing or ~/.cache/briefing; file-cache.ts, `lists/`,
 * the 64 used last) under the hash of what it was made from: the data, briefing's own code and package
 * versions, and the drafts folder as the answer names it (relative to the working folder). Asking again
 * with nothing changed costs a hash of the files. A cache folder that cannot be read or written (a
 * read-only home) is no cache: the answer is made anew, and nothing fails.
 */
import path from 'node:path';
import { inputHash } from './editions/hash.js';
import { FileCache, removeLegacyCacheFiles } from './file-cache.js';

/** The longest answer kept: an answer is a few KB. */
const MAX_CACHED_BYTES = 1e6;

export async function listText(dataDir: string, packageRoot: string, cacheDir?: string): Promise<string> {
  const draftsShown = path.relative(process.cwd(), path.join(dataDir, 'drafts')) || 'drafts';
  const key = inputHash({ dataDir, templatesDir: path.join(dataDir, '.none'), root: packageRoot, options: { command: 'list', draftsShown } });
  const cache = new FileCache(cacheDir, 'lists', { max: 64, maxBytes: MAX_CACHED_BYTES });
  const cached = cache.get(key);
  if (cached !== undefined) return cached.toString();
  const { loadFactBase } = await import('./data/load.js');
  const { supportedEditions } = await import('./model/select.js');
  const base = loadFactBase(dataDir);
  const lines = ['zones:'];
  for (const z of base.zones) lines.push(`  ${z.id.padEnd(18)} ${z.name.zh} / ${z.name.en}`);
  lines.push('themes:');
  for (const t of base.themes) lines.push(`  ${t.id.padEnd(18)} ${t.name.zh} / ${t.name.en}`);
  lines.push('editions:');
  for (const e of supportedEditions(base)) {
    const facts = e.adds.reduce((n, a) => n + a.count, 0);
    const sources = e.sources.length ? `; sources ${e.sources.map((s) => s.id).join(', ')}` : '';
    lines.push(`  ${e.edition}  adds ${facts} fact${facts === 1 ? '' : 's'}${sources}`);
    for (const a of e.adds) lines.push(`             ${`${a.zone}/${a.theme}`.padEnd(34)} +${a.count}`);
  }
  const { loadDrafts, pendingWork } = await import('./data/drafts.js');
  const drafts = loadDrafts(dataDir, []).flatMap((d) => d.facts);
  if (drafts.length) lines.push(`drafts: ${drafts.length} drafted fact${drafts.length === 1 ? '' : 's'} wait for review in ${draftsShown} (${drafts.filter((f) => !pendingWork(f).length).length} ready to accept)`);
  const text = `${lines.join('\n')}\n`;
  cache.set(key, text);
  if (cacheDir) removeLegacyCacheFiles(cacheDir);
  return text;
}

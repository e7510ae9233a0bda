/**
 * `briefing list`: zones, themes, and the editions the data supports with what each adds.
 * Loading the fact base takes a few hundred milliseconds; the answer is kept in
 * node_modules/.cache/briefing/ under a hash of the data and of briefing's own code, so asking again
 * with nothing changed costs a hash of the files.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { inputHash } from './editions/hash.js';
import { writeFileAtomic } from './write.js';

export async function listText(dataDir: string, packageRoot: string): Promise<string> {
  const hash = inputHash({ dataDir, templatesDir: path.join(dataDir, '.none'), root: packageRoot, options: 'list' });
  const cache = path.join(packageRoot, 'node_modules', '.cache', 'briefing', `list-${hash}.txt`);
  if (existsSync(cache)) return readFileSync(cache, 'utf8');
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
  if (drafts.length) lines.push(`drafts: ${drafts.length} drafted fact${drafts.length === 1 ? '' : 's'} wait for review in ${path.relative(process.cwd(), path.join(dataDir, 'drafts')) || 'drafts'} (${drafts.filter((f) => !pendingWork(f).length).length} ready to accept)`);
  const text = `${lines.join('\n')}\n`;
  try {
    writeFileAtomic(cache, text);
  } catch {
    // A read-only installation simply answers without the cache.
  }
  return text;
}

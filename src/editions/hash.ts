import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import path from 'node:path';

/**
 * The regular files and symbolic links under a folder, links not followed: a link in data/ to a device or
 * a /proc file is never read (the load refuses it by name; the hash takes the link's own text).
 */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => path.join(dir, f))
    .filter((f) => {
      const st = lstatSync(f);
      return st.isFile() || st.isSymbolicLink();
    })
    .sort();
}

const contentOf = (f: string) => (lstatSync(f).isSymbolicLink() ? `link:${readlinkSync(f)}` : readFileSync(f));

/**
 * A run's inputs in one hash: every data, source and template file (path and content), briefing's own
 * compiled code (dist/, by size and time, so an upgrade rebuilds), the exact package versions (package-lock.json), and
 * the options that shape the output.
 */
export function inputHash(parts: { dataDir: string; templatesDir: string; root: string; options: unknown; exclude?: string[] }): string {
  const h = createHash('sha256');
  const dirs = [['data', parts.dataDir], ['templates', parts.templatesDir]] as const;
  for (const [label, dir] of dirs) {
    for (const f of filesUnder(dir)) {
      if (parts.exclude?.some((x) => f.startsWith(x + path.sep))) continue;
      h.update(`${label}/${path.relative(dir, f)}\0`);
      h.update(contentOf(f));
      h.update('\0');
    }
  }
  // The compiled code by each file's size and modification time, not its content: an upgrade or a
  // rebuild of dist/ rewrites its files, and reading all of them would cost a no-change run more than
  // everything else it does.
  const code = path.join(parts.root, 'dist');
  for (const f of filesUnder(code)) {
    if (f.endsWith('.map')) continue;
    const st = lstatSync(f);
    h.update(`code/${path.relative(code, f)}\0${st.size}\0${st.mtimeMs}\0`);
  }
  const lock = path.join(parts.root, 'package-lock.json');
  if (existsSync(lock)) h.update(readFileSync(lock));
  h.update(JSON.stringify(parts.options));
  return h.digest('hex');
}

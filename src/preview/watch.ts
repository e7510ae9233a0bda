/**
 * Watching the inputs of the drafts: which file changed, and so which drafts must be rendered again.
 *   - data/facts/<zone>/<theme>.yaml         → that zone × theme only
 *   - data/leads/<zone>/<theme>/<month>.md   → that zone × theme only
 *   - data/zones.yaml, themes.yaml, sources.yaml, data/sources/*, anything else under facts/ → every draft
 *   - templates/**                             → every draft
 * Changes that arrive together (an editor's save can be several events) are handed over as one batch.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';

/** What a batch of changes affects: whether the data or the templates must be read again, and which drafts. */
export interface Change {
  data: boolean;
  templates: boolean;
  /** 'all', or the zone × theme pairs as "zone/theme". */
  scope: 'all' | Set<string>;
  files: string[];
  /** performance.now() at the batch's first file event. */
  since?: number;
}

export const sheetKey = (zone: string, theme: string) => `${zone}/${theme}`;

/** Which inputs one changed file touches, or undefined when no draft depends on it (a README, an editor's backup). */
export function classifyChange(file: string, dirs: { dataDir: string; templatesDir: string }): Omit<Change, 'files'> | undefined {
  const inside = (dir: string) => {
    const rel = path.relative(dir, file);
    return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep) : undefined;
  };
  const tpl = inside(dirs.templatesDir);
  if (tpl) return /\.(hbs|css)$/.test(file) ? { data: false, templates: true, scope: 'all' } : undefined;
  const data = inside(dirs.dataDir);
  if (!data) return undefined;
  if (data[0] === 'sources') return { data: true, templates: false, scope: 'all' };
  // A lead is read (and its citations checked) with the data; it changes its own briefing only.
  if (data[0] === 'leads') return data.length === 4 && file.endsWith('.md') ? { data: true, templates: false, scope: new Set([sheetKey(data[1]!, data[2]!)]) } : undefined;
  if (!/\.ya?ml$/.test(file)) return undefined;
  if (data[0] === 'facts' && data.length === 3) {
    return { data: true, templates: false, scope: new Set([sheetKey(data[1]!, data[2]!.replace(/\.ya?ml$/, ''))]) };
  }
  return { data: true, templates: false, scope: 'all' };
}

/** Merges two batches: the union of what each touches. */
export function mergeChanges(a: Change, b: Change): Change {
  const scope = a.scope === 'all' || b.scope === 'all' ? 'all' : new Set([...a.scope, ...b.scope]);
  const since = Math.min(a.since ?? Infinity, b.since ?? Infinity);
  return { data: a.data || b.data, templates: a.templates || b.templates, scope, files: [...new Set([...a.files, ...b.files])], ...(since < Infinity ? { since } : {}) };
}

export interface InputWatcher {
  close(): Promise<void>;
}

/** Editors' swap, backup and lock files, and hidden files: never an input. */
const IGNORED = (file: string) => /(^|[/\\])\.[^/\\]|~$|\.swp$|\.swx$|\.tmp$/.test(path.basename(file));

/**
 * Watches the data and templates folders; calls `onChange` with one batch per burst of events
 * (`settleMs` after the last one, short so a save reaches the browser quickly). Resolves once watching.
 */
export async function watchInputs(
  dirs: { dataDir: string; templatesDir: string },
  onChange: (change: Change) => void,
  opts: { settleMs?: number; onError?: (e: unknown) => void } = {},
): Promise<InputWatcher> {
  const settleMs = opts.settleMs ?? 10;
  let pending: Change | undefined;
  let timer: NodeJS.Timeout | undefined;
  const rechecks = new Set<NodeJS.Timeout>();
  /** What each file looked like when its last batch was handed over. */
  const handed = new Map<string, string>();
  const signature = (file: string) => {
    try {
      const st = statSync(file);
      return `${st.ino}:${st.size}:${st.mtimeMs}`;
    } catch {
      return 'gone';
    }
  };

  const changed = (file: string) => {
    const touched = classifyChange(file, dirs);
    if (!touched) return;
    const change: Change = { ...touched, files: [file], since: performance.now() };
    pending = pending ? mergeChanges(pending, change) : change;
    clearTimeout(timer);
    timer = setTimeout(() => {
      const batch = pending!;
      pending = undefined;
      for (const f of batch.files) handed.set(f, signature(f));
      onChange(batch);
      // chokidar drops a change that comes within 50 ms of the last one for the same file, with no
      // trailing event: a quick second save (or the write after an editor's truncate) would be lost.
      // So look again once that window has passed, and hand over any file that changed since.
      const recheck = setTimeout(() => {
        rechecks.delete(recheck);
        for (const f of batch.files) if (signature(f) !== handed.get(f)) changed(f);
      }, CHOKIDAR_THROTTLE_MS + 25);
      rechecks.add(recheck);
    }, settleMs);
  };

  const watcher: FSWatcher = watch([dirs.dataDir, dirs.templatesDir], {
    ignoreInitial: true,
    ignored: (file: string) => IGNORED(file),
  });
  watcher.on('all', (_event, file) => changed(path.resolve(file)));
  watcher.on('error', (e) => opts.onError?.(e));
  await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  return {
    async close() {
      clearTimeout(timer);
      for (const t of rechecks) clearTimeout(t);
      await watcher.close();
    },
  };
}

/** chokidar 4 emits at most one `change` per file in this many milliseconds (FSWatcher._emit). */
const CHOKIDAR_THROTTLE_MS = 50;

/**
 * Writing an output folder (layout in layout.ts). A run writes its files into a new edition version
 * folder, `<out>/.versions/<edition>-<n>/`, invisible to readers. On commit:
 *
 *   link    every file of the current edition version that the run did not write is hard-linked in,
 *           so the new version is a complete copy of the edition;
 *   verify  the caller checks the new version (every planned briefing there, every PDF readable);
 *   record  its files are hashed into the edition's record;
 *   root    a new root version is written: editions.json (the other editions' records as they were,
 *           this one's new), a link per edition to its version folder, and `latest`;
 *   sync    the new folders are flushed to the disk (the files were, as they were written);
 *   entry   an edition new to the output folder gets its link `<out>/<edition> -> .current/<edition>`,
 *           which leads nowhere until the switch;
 *   switch  a link to the new root is made under a temporary name and renamed over `<out>/.current`,
 *           and the output folder flushed: the one atomic step. Before it, readers see the old
 *           version whole; after it, the new one whole: files, editions.json and `latest` together;
 *   prune   versions no longer referenced from `.current` are removed.
 *
 * A failure before the switch removes the new folders and leaves the old version as it was; a failure
 * after it (flushing the output folder, pruning) is reported but the new version stands. A process
 * killed at any point leaves one complete version in view; its leftovers (an unreferenced version, a
 * temporary link) are removed by the next run that holds the lock (`tidy`).
 */
import { copyFileSync, existsSync, linkSync, lstatSync, mkdirSync, readdirSync, readlinkSync, realpathSync, renameSync, rmdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { CURRENT, ROOT_PREFIX, VERSIONS, currentRoot, isEdition } from './layout.js';
import { filesIn, readManifestAt, readStats, recordEdition, statsOf, writeStats, type EditionStats, type EditionRecord, type LogLine, type Manifest } from './manifest.js';
import { fsyncDir, writeFileAtomic } from '../write.js';
import { isAlive } from '../process.js';

/** The steps of writing an output folder, in order (`tidy` runs before a run's files are written). */
export const COMMIT_STEPS = ['tidy', 'link', 'verify', 'record', 'root', 'sync', 'entry', 'switch', 'prune'] as const;
export type CommitStep = (typeof COMMIT_STEPS)[number];
/** Called before each change to the output folder; a test throws from it to make that change fail. */
export type FaultHook = (step: CommitStep, what: string) => void;

const reached = new Map<CommitStep, number>();
/**
 * A point where the output folder is about to change. For tests only: with BRIEFING_TEST_KILL_AT set to
 * `<step>` or `<step>:<n>` and the process run by Vitest (VITEST set), the process kills itself with
 * SIGKILL the n-th time (default: the first) it reaches that step, as a power cut or `kill -9` would.
 */
function checkpoint(step: CommitStep, what: string, fault?: FaultHook): void {
  fault?.(step, what);
  const killAt = process.env.VITEST ? process.env.BRIEFING_TEST_KILL_AT : undefined;
  if (!killAt) return;
  const [name, nth = '1'] = killAt.split(':');
  if (name !== step) return;
  const count = (reached.get(step) ?? 0) + 1;
  reached.set(step, count);
  if (count === Number(nth)) process.kill(process.pid, 'SIGKILL');
}

/** Folders this process is writing and has not switched in: removed on abort or at exit. */
const open = new Set<string>();

const lexists = (p: string): boolean => {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
};

/** The next free number n for a version named `<prefix><n>`. */
function nextNumber(versions: string, prefix: string): number {
  let max = 0;
  for (const name of existsSync(versions) ? readdirSync(versions) : []) {
    if (!name.startsWith(prefix)) continue;
    const n = Number(name.slice(prefix.length));
    if (Number.isInteger(n) && n > max) max = n;
  }
  return max + 1;
}

/** A hard link (the same bytes, no copy); a copy where the file system has no hard links. */
function linkOrCopy(from: string, to: string): void {
  try {
    linkSync(from, to);
  } catch (e) {
    if (!['EXDEV', 'EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EMLINK'].includes((e as NodeJS.ErrnoException).code ?? '')) throw e;
    copyFileSync(from, to);
  }
}

/** Makes `<dir>/<name>` a link to `target`, atomically (a temporary link renamed over whatever is there). */
function placeLink(dir: string, name: string, target: string): void {
  const tmp = path.join(dir, `.${name}-${process.pid}.tmp`);
  rmSync(tmp, { force: true });
  symlinkSync(target, tmp);
  try {
    renameSync(tmp, path.join(dir, name));
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** The name of the version folder an edition of a root version links to, if it does. */
function editionVersion(root: string, edition: string): string | undefined {
  try {
    const target = readlinkSync(path.join(root, edition));
    return target.startsWith('../') && !target.slice(3).includes('/') ? target.slice(3) : undefined;
  } catch {
    return undefined;
  }
}

/** Every folder under `dir`, itself included: what must be flushed for its entries to be durable. */
function foldersIn(dir: string): string[] {
  const out = [dir];
  for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) out.push(...foldersIn(path.join(dir, e.name)));
  return out;
}

/**
 * Writes a root version: the manifest, a link per edition to its version folder, and `latest`.
 * `editions` maps each edition to its record and version folder name.
 */
function writeRoot(
  outDir: string,
  editions: Map<string, { record: EditionRecord; version: string }>,
  step: (s: CommitStep, what: string) => void,
  made: (root: string) => void,
  stats: Record<string, EditionStats> = {},
): { root: string; manifest: Manifest } {
  const versions = path.join(outDir, VERSIONS);
  const name = `${ROOT_PREFIX}${nextNumber(versions, ROOT_PREFIX)}`;
  const root = path.join(versions, name);
  step('root', name);
  mkdirSync(root);
  open.add(root);
  made(root);
  const names = [...editions.keys()].sort();
  const manifest: Manifest = { editions: Object.fromEntries(names.map((e) => [e, editions.get(e)!.record])) };
  step('root', `${name}/editions.json`);
  writeFileAtomic(path.join(root, 'editions.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  writeStats(root, Object.fromEntries(names.filter((e) => stats[e]).map((e) => [e, stats[e]!])));
  for (const e of names) {
    step('root', `${name}/${e}`);
    symlinkSync(`../${editions.get(e)!.version}`, path.join(root, e));
  }
  if (names.length) {
    step('root', `${name}/latest`);
    symlinkSync(names.at(-1)!, path.join(root, 'latest'));
  }
  return { root, manifest };
}

/**
 * Gives every name of the root the link `<out>/<name> -> .current/<name>` readers open (made before the
 * switch). Returns the links it made where there was nothing.
 */
function placeEntries(outDir: string, names: string[], step: (s: CommitStep, what: string) => void, made: string[] = []): string[] {
  for (const name of names) {
    const entry = path.join(outDir, name);
    const want = `${CURRENT}/${name}`;
    let st;
    try {
      st = lstatSync(entry);
    } catch {
      st = undefined;
    }
    if (st?.isSymbolicLink() && readlinkSync(entry) === want) continue;
    step('entry', name);
    // A plain folder is an edition written before versions, carried into the current version by
    // tidy: it is moved aside (and pruned), as a link cannot be renamed over a folder.
    if (st?.isDirectory()) renameSync(entry, path.join(outDir, VERSIONS, `legacy-${name}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`));
    placeLink(outDir, name, want);
    if (!st) made.push(entry);
  }
  return made;
}

/** Switches `.current` to a root version: the one atomic step. */
function switchTo(outDir: string, root: string, step: (s: CommitStep, what: string) => void): void {
  step('switch', path.basename(root));
  placeLink(outDir, CURRENT, `${VERSIONS}/${path.basename(root)}`);
}

/**
 * Removes every version `.current` does not reference (left by killed runs, or replaced by a commit).
 * The current root and the edition versions it links to are never removed; nothing is removed when
 * the current root cannot be read.
 */
export function prune(outDir: string, fault?: FaultHook): void {
  const versions = path.join(outDir, VERSIONS);
  const keep = new Set<string>();
  if (lexists(path.join(outDir, CURRENT))) {
    try {
      const rootName = path.basename(readlinkSync(path.join(outDir, CURRENT)));
      keep.add(rootName);
      for (const e of readdirSync(path.join(versions, rootName))) {
        const v = editionVersion(path.join(versions, rootName), e);
        if (v) keep.add(v);
      }
    } catch {
      return;
    }
  }
  // (With no `.current` at all, no version is in view: every one not being written is a leftover.)
  for (const name of existsSync(versions) ? readdirSync(versions) : []) {
    if (keep.has(name) || open.has(path.join(versions, name))) continue;
    checkpoint('prune', name, fault);
    rmSync(path.join(versions, name), { recursive: true, force: true });
  }
  if (!keep.size) removeIfEmpty(versions);
}

/** Staging folders of the layout before versions, left by runs that were killed outright: their process is gone. */
export function removeAbandoned(outDir: string): void {
  if (!existsSync(outDir)) return;
  for (const name of readdirSync(outDir)) {
    const staging = /^\.\d{4}-\d{2}\.staging-(\d+)-/.exec(name);
    if (!staging) continue;
    const pid = Number(staging[1]);
    if (pid === process.pid || isAlive(pid)) continue;
    rmSync(path.join(outDir, name), { recursive: true, force: true });
  }
}

/** Temporary names at the top of an output folder (links and files being renamed into place). */
const isTemporary = (name: string) => name.startsWith('.') && (name.endsWith('.tmp') || /^\.latest-\d+$/.test(name));

/**
 * Whether the output folder has anything for `tidy` to do: a layout from before versions, a missing
 * or wrong link, a leftover version or temporary name. Reads only names and links.
 */
export function needsTidy(outDir: string): boolean {
  let names: string[];
  try {
    names = readdirSync(outDir);
  } catch {
    return false;
  }
  if (names.some((n) => isTemporary(n) || /^\.\d{4}-\d{2}\.staging-/.test(n))) return true;
  if (!names.includes(CURRENT)) return names.includes(VERSIONS) || names.some((n) => isRootName(n) && (lstatSync(path.join(outDir, n)).isDirectory() || !existsSync(path.join(outDir, n))));
  let root: string;
  let inRoot: string[];
  try {
    root = realpathSync(path.join(outDir, CURRENT));
    inRoot = readdirSync(root).filter(isRootName);
  } catch {
    return true;
  }
  for (const n of inRoot) {
    try {
      if (readlinkSync(path.join(outDir, n)) !== `${CURRENT}/${n}`) return true;
    } catch {
      return true;
    }
  }
  if (names.some((n) => isRootName(n) && !inRoot.includes(n))) return true;
  const keep = new Set([path.basename(root), ...inRoot.map((e) => editionVersion(root, e))]);
  try {
    return readdirSync(path.join(outDir, VERSIONS)).some((v) => !keep.has(v));
  } catch {
    return false;
  }
}

/**
 * Puts an output folder in order; call while holding its lock. Converts a layout from before versions
 * (its editions become the first version, files hard-linked, records made from the files as they are),
 * gives every current edition, editions.json and `latest` their link, removes links to editions the
 * current version lacks, temporary names, staging folders of dead runs, and unreferenced versions.
 */
export function tidy(outDir: string, fault?: FaultHook): void {
  if (!existsSync(outDir)) return;
  const step = (s: CommitStep, what: string) => checkpoint(s, what, fault);
  removeAbandoned(outDir);
  for (const name of readdirSync(outDir).filter(isTemporary)) {
    step('tidy', name);
    rmSync(path.join(outDir, name), { force: true, recursive: true });
  }
  const legacy = lexists(path.join(outDir, CURRENT)) ? [] : readdirSync(outDir).filter((n) => isEdition(n) && lstatSync(path.join(outDir, n)).isDirectory());
  if (legacy.length) {
    // An output folder from before versions: its editions, as they are on disk, become the first version.
    const before = readManifestAt(outDir);
    const versions = path.join(outDir, VERSIONS);
    mkdirSync(versions, { recursive: true });
    const editions = new Map<string, { record: EditionRecord; version: string }>();
    const made: string[] = [];
    try {
      for (const e of legacy) {
        const version = `${e}-${nextNumber(versions, `${e}-`)}`;
        const dir = path.join(versions, version);
        step('tidy', `carry over ${e}`);
        mkdirSync(dir);
        made.push(dir);
        for (const f of filesIn(path.join(outDir, e))) {
          mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
          linkOrCopy(path.join(outDir, e, f), path.join(dir, f));
        }
        const was = before.editions[e];
        const builtAt = was?.builtAt ?? statSync(path.join(outDir, e)).mtime.toISOString();
        editions.set(e, { record: recordEdition(dir, was, { builtAt, inputHash: was?.inputHash ?? '', log: was?.log ?? [], written: new Map() }), version });
      }
      const { root } = writeRoot(outDir, editions, (s, what) => step('tidy', `${s} ${what}`), (r) => made.push(r));
      for (const d of [...made.flatMap(foldersIn), versions]) fsyncDir(d);
      switchTo(outDir, root, (s, what) => step('tidy', `${s} ${what}`));
    } catch (e) {
      // Not switched: the folder is as it was.
      for (const d of made) rmSync(d, { recursive: true, force: true });
      throw e;
    } finally {
      for (const d of made) open.delete(d);
    }
    fsyncDir(outDir);
  }
  let inRoot: string[] = [];
  if (lexists(path.join(outDir, CURRENT))) {
    try {
      inRoot = readdirSync(realpathSync(path.join(outDir, CURRENT))).filter(isRootName);
    } catch {
      // `.current` leads nowhere (its version was removed by hand): nothing is in view; start afresh.
      step('tidy', `remove ${CURRENT}`);
      rmSync(path.join(outDir, CURRENT), { force: true });
    }
  }
  placeEntries(outDir, inRoot, (_, what) => step('tidy', `link ${what}`));
  // Links to what the current version lacks: made by a run killed before its switch.
  for (const name of readdirSync(outDir)) {
    const entry = path.join(outDir, name);
    if (!isRootName(name) || inRoot.includes(name) || !lstatSync(entry).isSymbolicLink() || readlinkSync(entry) !== `${CURRENT}/${name}`) continue;
    step('tidy', `unlink ${name}`);
    rmSync(entry);
  }
  fsyncDir(outDir);
  prune(outDir, fault);
}

/** What a root version holds, and what the output folder links to in it. */
const isRootName = (name: string) => isEdition(name) || name === 'editions.json' || name === 'latest';

/**
 * One run's files are written into a new version of the edition, beside the current one, and switched in
 * only when every file of the run succeeded (see the top of this file).
 */
export interface StagedRun {
  /** Where a file of the run is written while the run is going on. */
  staged(name: string): string;
  /** Where readers will find it once the run is committed: `<out>/<edition>/<name>`. */
  final(name: string): string;
  /**
   * Completes the new version and switches it in. Throws when a step before the switch fails (the old
   * version stays, whole); returns what failed after the switch (the new version stands) as warnings.
   */
  commit(run: CommitInput, opts?: { fault?: FaultHook; verify?: (dir: string) => void }): { manifest: Manifest; warnings: string[] };
  abort(): void;
}

export interface CommitInput {
  builtAt: Date;
  inputHash: string;
  log: LogLine[];
  /** The files this run wrote, relative to the edition folder, with their page counts and document hashes. */
  written: Map<string, { pages?: number; docHash?: string }>;
}

/** Call while holding the output folder's lock. */
export function stageRun(outDir: string, edition: string, fault?: FaultHook): StagedRun {
  tidy(outDir, fault);
  const versions = path.join(outDir, VERSIONS);
  mkdirSync(versions, { recursive: true });
  const dir = path.join(versions, `${edition}-${nextNumber(versions, `${edition}-`)}`);
  mkdirSync(dir);
  open.add(dir);
  const finalDir = path.join(outDir, edition);
  let root: string | undefined;
  /** Links made for this run's switch, leading nowhere until it. */
  const entries: string[] = [];
  let switched = false;
  const abort = () => {
    for (const d of [dir, root]) {
      if (d && open.delete(d)) removeStaged(d);
    }
    if (!switched) for (const e of entries.splice(0)) rmSync(e, { force: true });
    removeIfEmpty(versions);
  };
  return {
    staged: (name) => path.join(dir, name),
    final: (name) => path.join(finalDir, name),
    commit(run, opts = {}) {
      const step = (s: CommitStep, what: string) => checkpoint(s, what, opts.fault);
      const current = currentRoot(outDir);
      const before = readManifestAt(current);
      // 1. A complete copy of the edition: what this run did not write comes from the current version.
      const old = path.join(current, edition);
      if (existsSync(old)) {
        for (const name of filesIn(old)) {
          const to = path.join(dir, name);
          if (existsSync(to)) continue;
          step('link', name);
          mkdirSync(path.dirname(to), { recursive: true });
          linkOrCopy(path.join(old, name), to);
        }
      }
      step('verify', edition);
      opts.verify?.(dir);
      step('record', edition);
      const record = recordEdition(dir, before.editions[edition], { builtAt: run.builtAt.toISOString(), inputHash: run.inputHash, log: run.log, written: run.written });
      // 2. The new root: the other editions as they are, this one new.
      const editions = new Map<string, { record: EditionRecord; version: string }>();
      for (const [e, r] of Object.entries(before.editions)) {
        const version = e === edition ? undefined : editionVersion(current, e);
        if (version) editions.set(e, { record: r, version });
      }
      editions.set(edition, { record, version: path.basename(dir) });
      const stats = { ...readStats(current), [edition]: statsOf(dir, record) };
      const written = writeRoot(outDir, editions, step, (r) => (root = r), stats);
      root = written.root;
      step('sync', path.basename(dir));
      for (const d of [...foldersIn(dir), root, versions]) fsyncDir(d);
      placeEntries(outDir, [...editions.keys(), 'editions.json', 'latest'], step, entries);
      // 3. The switch.
      switchTo(outDir, root, step);
      switched = true;
      open.delete(dir);
      open.delete(root);
      const { manifest } = written;
      const warnings: string[] = [];
      try {
        fsyncDir(outDir);
      } catch (e) {
        warnings.push(`could not flush ${outDir} to the disk: ${e instanceof Error ? e.message : String(e)}`);
      }
      try {
        prune(outDir, opts.fault);
      } catch (e) {
        warnings.push(`could not remove an old version (the next run will): ${e instanceof Error ? e.message : String(e)}`);
      }
      return { manifest, warnings };
    },
    abort,
  };
}

/** A first run that failed leaves the output folder as empty as it found it. */
function removeIfEmpty(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    // Not empty, or gone.
  }
}

/**
 * Removes a folder of a run that was not switched in. A write still in flight (a font subset written off
 * the main thread when a signal ended the run) can add a file while the folder is being removed: it is
 * tried again shortly, and a folder that still cannot be removed is left for the next run's tidy. Never
 * throws: it runs in exit handlers and after a run's own failure, which must be the error reported.
 */
function removeStaged(dir: string): void {
  try {
    rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 10 });
  } catch {
    // Left for tidy().
  }
}

/** For exit handlers: removes every folder this process was writing and had not switched in. */
export function abortAllRuns(): void {
  for (const dir of open) {
    removeStaged(dir);
    removeIfEmpty(path.dirname(dir));
  }
  open.clear();
}

/** Helpers shared by tests/hostile/held.test.ts and tests/hostile/variants.test.ts. */
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { ROOT, cli, runCli } from '../helpers/cli.js';

export const BIN = path.join(ROOT, 'bin/briefing.js');
export const TEMPLATES = path.join(ROOT, 'templates');
export const SHEET = 'data/facts/taixin/transport.yaml';
export const NOW = '2023-03-31T08:00:00Z';
export const BUILD = ['build', '--out', 'out', '--edition', '2023-03', '--now', NOW, '--html-only', '--templates', TEMPLATES];

/** Runs the command line in `cwd`, in this process (helpers/cli.ts cli). */
export async function run(cwd: string, args: string[]) {
  return { ...(await cli(args, { cwd })), signal: null };
}

/** Runs the CLI in a process of its own in `cwd`, for what may hang (killed outright) or what a process leaves behind. */
export const runProcess = (cwd: string, args: string[], timeoutMs = 20_000) => runCli(args, { cwd, timeoutMs });

/** Every entry under `dir`: folders, links (with their target) and files (with a hash of their bytes). */
export function snapshot(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .sort()
    .map((f) => {
      const p = path.join(dir, f);
      const st = lstatSync(p);
      if (st.isSymbolicLink()) return `${f} -> ${readlinkSync(p)}`;
      if (st.isDirectory()) return `${f}/`;
      return `${f} ${createHash('sha256').update(readFileSync(p)).digest('hex').slice(0, 16)}`;
    });
}

export const state = (dir: string) => ({ data: snapshot(path.join(dir, 'data')), out: snapshot(path.join(dir, 'out')) });

/** One located line per problem, no stack trace. */
export function expectLines(stderr: string, lines: string[]): void {
  expect(stderr).not.toMatch(/\n\s+at |internal error/);
  expect(stderr.split('\n').slice(0, -1)).toEqual(lines);
  expect(stderr.endsWith('\n')).toBe(true);
}

/**
 * Each command refuses with exit code 1, exactly `lines` on stderr and nothing on stdout (but the notes
 * `check` prints about a fact base it could load, when only a draft is refused), and writes nothing.
 */
export async function expectRefused(dir: string, commands: string[][], lines: string[]): Promise<void> {
  const before = state(dir);
  for (const args of commands) {
    const r = await run(dir, args);
    const stdout = r.stdout.split('\n').filter((l) => l && !l.startsWith('note: ')).join('\n');
    expect({ args: args.join(' '), code: r.code, stdout }, r.stderr).toEqual({ args: args.join(' '), code: 1, stdout: '' });
    expectLines(r.stderr, lines);
  }
  expect(state(dir)).toEqual(before);
}

/** Gives data files other contents for the length of `fn`, then puts the originals back (or removes them). */
export async function withFiles(dir: string, changes: Record<string, (text: string) => string | Buffer>, fn: () => void | Promise<void>): Promise<void> {
  const originals = new Map<string, Buffer | undefined>();
  try {
    for (const [rel, change] of Object.entries(changes)) {
      const file = path.join(dir, rel);
      const old = existsSync(file) ? readFileSync(file) : undefined;
      originals.set(file, old);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, change(old?.toString('utf8') ?? ''));
    }
    await fn();
  } finally {
    for (const [file, bytes] of originals) {
      if (bytes) writeFileSync(file, bytes);
      else rmSync(file, { force: true });
    }
  }
}

/** A text with exactly one occurrence of `find`, changed. */
export function replaceOnce(text: string, find: string, replace: string): string {
  expect(text.split(find).length - 1, find).toBe(1);
  return text.replace(find, replace);
}

/** The 1-based line of the first line of `text` that starts with `start`. */
export const lineOf = (text: string, start: string) => text.split('\n').findIndex((l) => l.startsWith(start)) + 1;

/** The process ids under `pid`, read from /proc. */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
    } catch {
      // gone meanwhile
    }
  }
  const found: number[] = [];
  const walk = (p: number) => {
    for (const c of children.get(p) ?? []) {
      found.push(c);
      walk(c);
    }
  };
  walk(pid);
  return found;
}

/**
 * Watches the processes under `pid` every 20 ms until `stop`: every one seen, and the Chromium profile
 * folders (--user-data-dir) they were started with. `look` takes one more look at once.
 */
export function watchDescendants(pid: number): { seen: Set<number>; profiles: Set<string>; look(): void; stop(): void } {
  const seen = new Set<number>();
  const profiles = new Set<string>();
  const look = () => {
    for (const p of descendants(pid)) {
      seen.add(p);
      try {
        // Up to a NUL, or a space: the full Chromium rewrites its helpers' command lines as one string.
        const dir = /--user-data-dir=([^\0 ]+)/.exec(readFileSync(`/proc/${p}/cmdline`, 'utf8'))?.[1];
        if (dir) profiles.add(dir);
      } catch {
        // gone
      }
    }
  };
  const poll = setInterval(look, 20);
  return { seen, profiles, look, stop: () => clearInterval(poll) };
}

/**
 * Those of `pids` still running after up to 5 s, each with its command (one ended but not yet reaped, a
 * zombie, counts as gone: where the container's init reaps slowly, zombies of Chromium stay listed in
 * /proc for a second or two).
 */
export async function stillRunning(pids: Iterable<number>): Promise<string[]> {
  const all = [...pids];
  const deadline = performance.now() + 5000;
  while (all.some(alive) && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  return all.filter(alive).map((p) => {
    try {
      return `${p} ${readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0')[0]}`;
    } catch {
      return `${p}`;
    }
  });
}

/** Whether a process runs: one that has ended but is not yet reaped (a zombie, state Z) does not. */
export const alive = (pid: number) => {
  try {
    return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

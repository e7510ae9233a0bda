import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * Runs the compiled CLI (npm test compiles it first) in a process of its own and returns what a user
 * would see; one still running after `timeoutMs` (a hang) is killed outright.
 */
export function runCli(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}) {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin/briefing.js'), ...args], {
    cwd: opts.cwd ?? ROOT,
    env: { ...process.env, ...opts.env },
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 180_000,
    killSignal: 'SIGKILL',
    maxBuffer: 16 * 1024 * 1024,
  });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Runs the command line in this process (src/cli.ts run): what a user would see, without starting Node and
 * loading the modules again for every call. The working directory and the environment are the call's for
 * its length (calls are queued: one at a time in a test file's process). For what needs a process of its
 * own — a signal, a hang, what the process leaves behind — use runCli.
 */
export async function cli(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const turn = queue.then(() => inProcess(args, opts));
  queue = turn.catch(() => undefined);
  return turn;
}

let queue: Promise<unknown> = Promise.resolve();

async function inProcess(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv }) {
  const { run } = await import('../../src/cli.js');
  let stdout = '';
  let stderr = '';
  const cwd = process.cwd();
  const saved = Object.entries(opts.env ?? {}).map(([k]) => [k, process.env[k]] as const);
  try {
    process.chdir(opts.cwd ?? ROOT);
    for (const [k, v] of Object.entries(opts.env ?? {})) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    const code = await run(args, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
    return { code, stdout, stderr };
  } finally {
    process.chdir(cwd);
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/** The folders tempDir made since the last removeTempDirs (tests/setup.ts calls it after each test file). */
const made: string[] = [];

/** Removes the folders tempDir made: a test run leaves nothing in the system's temporary folder. */
export function removeTempDirs(): void {
  for (const dir of made.splice(0)) {
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
    } catch {
      // A browser a test killed may still be writing its profile there: housekeeping never fails a file.
    }
  }
}

export function tempDir(prefix = 'briefing-test-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** A scratch copy of the repository's data (and templates, if asked), to break on purpose. */
export function copyProject(parts: ('data' | 'templates')[] = ['data']): string {
  const dir = tempDir();
  for (const p of parts) cpSync(path.join(ROOT, p), path.join(dir, p), { recursive: true });
  return dir;
}

/**
 * Runs the compiled CLI in a process of its own without blocking this one (the test's listeners, timers
 * and other runs go on meanwhile); sends SIGINT after `interruptAfterMs`, and SIGTERM after `timeoutMs`, if
 * given. `spawned` sees the child as it starts.
 */
export function spawnCli(
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; interruptAfterMs?: number; timeoutMs?: number; spawned?: (child: ChildProcess) => void } = {},
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/briefing.js'), ...args], { cwd: opts.cwd ?? ROOT, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'], ...(opts.timeoutMs ? { timeout: opts.timeoutMs } : {}) });
  opts.spawned?.(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = opts.interruptAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGINT'), opts.interruptAfterMs);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Like spawnCli, but also records the processes the CLI started (its browser) while it ran. */
export async function runCliTracked(args: string[]): Promise<Awaited<ReturnType<typeof spawnCli>> & { children: string[] }> {
  let tracked: ReturnType<typeof trackChildren> | undefined;
  const r = await spawnCli(args, { spawned: (child) => (tracked = trackChildren(child.pid!)) });
  tracked?.stop();
  return { ...r, children: [...(tracked?.children ?? [])] };
}

/** Records the processes a process starts (its browser) every 50 ms, until stopped. */
export function trackChildren(pid: number): { children: Set<string>; stop(): void } {
  const children = new Set<string>();
  const poll = setInterval(() => {
    try {
      for (const child of execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).trim().split('\n')) if (child) children.add(child);
    } catch {
      // no children at this moment
    }
  }, 50);
  return { children, stop: () => clearInterval(poll) };
}

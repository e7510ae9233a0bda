import path from 'node:path';

/** A user's mistake, located in a file: printed as one line `file:line:col: message (hint)`. */
export interface Problem {
  file: string;
  line: number;
  col: number;
  message: string;
  hint?: string;
}

/** The longest value a message quotes, in characters; longer ones are cut with an ellipsis. */
export const MAX_QUOTED = 80;
/** A message or hint longer than this is cut: no input can make a message run to pages. */
const MAX_MESSAGE = 1000;

/** `text`, cut to `max` characters (whole code points), the last one an ellipsis. Reads at most `max` + 1 of them. */
export function cap(text: string, max = MAX_QUOTED): string {
  if (text.length <= max) return text;
  let units = 0;
  let count = 0;
  let cut = 0;
  for (const ch of text) {
    count++;
    if (count === max) cut = units;
    units += ch.length;
    if (count > max) return `${text.slice(0, cut)}…`;
  }
  return text;
}

/**
 * A value from a data file as a message shows it: a string in quotes and at most MAX_QUOTED characters,
 * a list or mapping by its size. Never serialises a structure (an alias bomb's would be gigabytes).
 */
export function quoted(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(cap(value));
  if (value === null || typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return `a list of ${value.length} item${value.length === 1 ? '' : 's'}`;
  if (typeof value === 'object') {
    const keys = Object.keys(value);
    return keys.length ? `a mapping (${cap(keys.slice(0, 5).join(', '), 40)}${keys.length > 5 ? ', …' : ''})` : 'an empty mapping';
  }
  return typeof value;
}

/** Quoted runs longer than MAX_QUOTED, in a message built elsewhere: `"…"` with no quote inside. */
const LONG_QUOTED = new RegExp(`"([^"\\n]{${MAX_QUOTED + 1},})"`, 'g');
const bounded = (text: string) => cap(text.replace(LONG_QUOTED, (_, inner: string) => `"${cap(inner)}"`), MAX_MESSAGE);

/** Control characters written out (\u001B), so nothing in a message steers the terminal or breaks its one line. */
/**
 * Characters no text of the data has cause to hold, as a class: C0 and C1 controls but tab and line feed,
 * line and paragraph separators, bidirectional overrides. They steer a terminal or the direction of text.
 */
export const STEERING = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;
const UNPRINTABLE = new RegExp(`${STEERING.source}|[\t\n]`, 'gu');

export const printable = (text: string) => text.replace(UNPRINTABLE, (c) => `\\u${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`);

export function formatProblem(p: Problem): string {
  const where = p.line > 0 ? `${p.file}:${p.line}:${p.col}` : p.file;
  return printable(`${where}: ${bounded(p.message)}${p.hint ? ` (${bounded(p.hint)})` : ''}`);
}

/** Raised for anything the user can fix. Carries every problem found, not just the first. Exit code 1 (cli.ts). */
export class BriefingError extends Error {
  readonly problems: Problem[];
  constructor(problems: Problem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'BriefingError';
    this.problems = problems;
  }
}

/** A user error that belongs to no file: a bad flag, a missing browser. */
export function usageError(message: string, hint?: string): BriefingError {
  return new BriefingError([{ file: 'briefing', line: 0, col: 0, message, ...(hint ? { hint } : {}) }]);
}

// ── Operational errors ─────────────────────────────────────────────────────────────────────────────

/**
 * Errors of the machine rather than of briefing: a full disk, a read-only or busy folder, a path that is
 * not there. Each is the user's to fix, so it is reported like a problem in the data (exit code 1, one
 * line: what failed, on which path, what to do), never as a bug. `what` follows "cannot <verb>: ".
 */
const ERRNO: Record<string, { what: string; hint: string }> = {
  EROFS: { what: 'the file system is read-only', hint: 'choose another --out on a writable file system, or remount this one read-write' },
  ENOSPC: { what: 'no space is left on the device', hint: 'free some space on it, or choose another --out on another disk' },
  EDQUOT: { what: 'your disk quota is used up', hint: 'free some space, or choose another --out on another disk' },
  EBUSY: { what: 'it is busy: a mount point, or held by another program', hint: 'close the program that holds it or unmount it, or choose another path' },
  EACCES: { what: 'permission denied', hint: 'give your user access to it with chmod or chown, or choose another path' },
  EPERM: { what: 'the operation is not permitted here', hint: 'give your user access to it with chmod, chown or chattr -i, or choose another path' },
  ENOENT: { what: 'no such file or folder', hint: 'check the path given with --data, --out or --templates, and that it exists' },
  EEXIST: { what: 'a file of that name is in the way', hint: 'move the file away, or choose another path' },
  ENOTDIR: { what: 'a part of the path is a file, not a folder', hint: 'move the file away, or choose another path' },
  EISDIR: { what: 'it is a folder, where a file belongs', hint: 'move the folder away, or choose another path' },
  ENOTEMPTY: { what: 'the folder is not empty', hint: 'move what it holds away, or choose another path' },
  EMFILE: { what: 'this process has too many files open', hint: 'raise the limit with ulimit -n 4096, or print fewer briefings at once with --concurrency' },
  ENFILE: { what: 'the system has too many files open', hint: 'close some programs, or print fewer briefings at once with --concurrency' },
  ENAMETOOLONG: { what: 'the path is too long', hint: 'choose a shorter path' },
  ELOOP: { what: 'the path has a loop of symbolic links', hint: 'fix the symbolic links along the path' },
  EXDEV: { what: 'it would move a file to another file system', hint: 'keep the whole output folder on one file system, with no mount point inside it' },
  EIO: { what: 'the device reported an input/output error', hint: 'check the disk with dmesg and fsck, then run again' },
  ETXTBSY: { what: 'the file is in use', hint: 'close the program using it, then run again' },
  EADDRINUSE: { what: 'the address is in use', hint: 'stop what listens there, or choose another --port' },
  EADDRNOTAVAIL: { what: 'the address is not one of this machine', hint: 'choose another --host, e.g. 127.0.0.1' },
};

/** What each system call was doing, for "cannot <verb>". */
const VERBS: Record<string, string> = {
  open: 'open it', read: 'read it', write: 'write it', close: 'write it', fsync: 'write it', fdatasync: 'write it',
  mkdir: 'create the folder', mkdtemp: 'create a folder in it', rename: 'move it', unlink: 'remove it',
  rmdir: 'remove the folder', rm: 'remove it', scandir: 'list the folder', opendir: 'list the folder', stat: 'look it up',
  lstat: 'look it up', copyfile: 'copy it', cp: 'copy it', access: 'access it', chmod: 'change its mode', utime: 'set its time',
  symlink: 'link it', link: 'link it', readlink: 'read the link', ftruncate: 'write it', listen: 'listen',
};

interface ErrnoError extends Error {
  code: string;
  syscall?: string;
  path?: string;
  dest?: string;
  address?: string;
  port?: number;
}

/** The system error in `e` or in its causes, if there is one. */
function errnoOf(e: unknown, depth = 0): ErrnoError | undefined {
  if (!(e instanceof Error) || depth > 5) return undefined;
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string' && /^E[A-Z0-9]+$/.test(code) && (typeof (e as { syscall?: unknown }).syscall === 'string' || typeof (e as { errno?: unknown }).errno === 'number')) return e as ErrnoError;
  return errnoOf((e as { cause?: unknown }).cause, depth + 1);
}

const shown = (file: string) => path.relative(process.cwd(), file) || file;

/**
 * An operational error as a problem (see ERRNO), or undefined for anything else, which is a fault.
 * `where` names the path for an error that carries none (a write to a full disk knows no file name).
 */
export function operationalProblem(e: unknown, where?: string): Problem | undefined {
  const err = errnoOf(e);
  const known = err && ERRNO[err.code];
  if (!err || !known) return undefined;
  if (err.syscall === 'listen' || err.syscall === 'bind') {
    const address = err.address !== undefined ? `${err.address}${err.port !== undefined ? `:${err.port}` : ''}` : 'the address';
    return { file: 'briefing', line: 0, col: 0, message: `cannot listen on ${address}: ${known.what}`, hint: known.hint };
  }
  let verb = (err.syscall && VERBS[err.syscall]) ?? (err.syscall ? `${err.syscall} it` : 'use it');
  // A write to an open file names no path: the folder written to is named instead.
  if (!err.path && where) verb = verb.replace(/ it$/, ' a file in it');
  const file = err.path ? cap(shown(err.path), 200) : where ? cap(shown(where), 200) : 'briefing';
  const to = err.dest ? ` to ${cap(shown(err.dest), 200)}` : err.syscall === 'rename' ? ' into place' : '';
  return { file, line: 0, col: 0, message: `cannot ${verb}${to}: ${known.what}`, hint: known.hint };
}

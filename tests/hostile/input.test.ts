/**
 * Issue 17, "hostile input and faults: no fault reported as a bug".
 *
 * Data files that cost too much to read (an alias bomb, 50 MB, deep nesting), that lead out of the data
 * folder (symbolic links), that are not UTF-8, or hold a title no page can print; output folders that
 * cannot be written. Each is refused with exit code 1 and exactly one line saying what, where and what
 * to do, by `check` and by `build` alike, and nothing is written. A build that fails on its data exits
 * as soon as it has said so.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, cli, copyProject, tempDir, trackChildren } from '../helpers/cli.js';

const BIN = path.join(ROOT, 'bin/briefing.js');
const SHEET = 'data/facts/taixin/transport.yaml';
const SOURCE = 'data/sources/001_70f2ad6bdfded294.txt';
const isRoot = process.getuid?.() === 0;

const scratch: string[] = [];
const mounts: string[] = [];
afterAll(() => {
  for (const dir of mounts) spawnSync('umount', [dir]);
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

/** A scratch copy of the data, and an output folder that already holds a file. */
function project(): string {
  const dir = copyProject();
  scratch.push(dir);
  mkdirSync(path.join(dir, 'out'));
  writeFileSync(path.join(dir, 'out/keep.txt'), 'a file from before\n');
  return dir;
}

type Run = (cwd: string, args: string[]) => Promise<{ code: number | null; stdout: string; stderr: string }>;

/** Runs the CLI in `cwd` in this process (src/cli.ts run): for what cannot hang. */
const inProcess: Run = (cwd, args) => cli(args, { cwd });

/**
 * Runs the CLI in `cwd` in a process of its own, for what might hang (a device, /proc): a process that
 * hangs is killed outright (a stuck one would not heed SIGTERM).
 */
const ownProcess =
  (timeoutMs = 20_000): Run =>
  async (cwd, args) => {
    const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

/** Every file and folder under `dir`, with a hash of each file's bytes. */
function snapshot(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .sort()
    .map((f) => {
      const p = path.join(dir, f);
      return lstatSync(p).isDirectory() ? `${f}/` : `${f} ${createHash('sha256').update(readFileSync(p)).digest('hex').slice(0, 16)}`;
    });
}

const BUILD = ['build', '--out', 'out', '--edition', '2023-03', '--html-only'];

/** `check` and `build` each refuse the data with exactly `line`, exit code 1, and leave out/ as it was. */
async function expectRefused(dir: string, line: string, run: Run = inProcess): Promise<void> {
  const before = snapshot(path.join(dir, 'out'));
  for (const args of [['check'], BUILD]) {
    const r = await run(dir, args);
    expect({ args: args.join(' '), code: r.code, stderr: r.stderr, stdout: r.stdout }).toEqual({ args: args.join(' '), code: 1, stderr: `${line}\n`, stdout: '' });
  }
  expect(snapshot(path.join(dir, 'out'))).toEqual(before);
}

function editSheet(dir: string, find: string, replace: string): void {
  const file = path.join(dir, SHEET);
  const text = readFileSync(file, 'utf8');
  expect(text).toContain(find);
  writeFileSync(file, text.replace(find, replace));
}

describe('data files that cost too much to read', () => {
  it('refuses an alias bomb at its first anchor, in well under 5 s', { timeout: 5000 }, async () => {
    const dir = project();
    // 923 bytes that expand to 387 million strings: it cost 1.5 GB and 20 s, then a RangeError.
    writeFileSync(path.join(dir, SHEET), readFileSync(path.join(ROOT, 'tests/hostile/input-alias-bomb.yaml')));
    const started = performance.now();
    await expectRefused(dir, `${SHEET}:12:9: YAML anchor "&a": data files take no anchors or aliases (write the value out in full wherever it is used)`);
    expect(performance.now() - started).toBeLessThan(4000);
  });

  it('refuses a 50 MB sheet without parsing it', async () => {
    const dir = project();
    const head = readFileSync(path.join(dir, SHEET));
    const pad = Buffer.alloc(50e6 - head.length - 3, 'x');
    writeFileSync(path.join(dir, SHEET), Buffer.concat([head, Buffer.from('# '), pad, Buffer.from('\n')]));
    await expectRefused(dir, `${SHEET}: is 50 MB, more than the 5 MB a data file may have (a sheet of a few hundred facts is well under 1 MB: remove what does not belong, or split it)`);
  });

  it('refuses nesting deeper than a data file needs, where it goes too deep', async () => {
    const dir = project();
    // 100,000 levels: js-yaml recursed until the stack overflowed, reported as a "YAML syntax error".
    writeFileSync(path.join(dir, SHEET), `facts:\n  - items: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`);
    await expectRefused(dir, `${SHEET}:2:25: nested more than 16 levels deep (data files nest a few levels, as in facts → fact → values → value → noun: flatten it)`);
  });
});

describe('data files that lead out of the data folder', () => {
  it('refuses a fact sheet that is a symbolic link, and shows nothing of its target', async () => {
    const dir = project();
    rmSync(path.join(dir, SHEET));
    symlinkSync('/etc/passwd', path.join(dir, SHEET));
    await expectRefused(dir, `${SHEET}: is a symbolic link to "/etc/passwd"; data files must be real files inside the data folder (replace the link with a copy of what it points to, if that belongs in the data)`);
  });

  it('refuses a source text that is a symbolic link', async () => {
    const dir = project();
    rmSync(path.join(dir, SOURCE));
    symlinkSync('/etc/passwd', path.join(dir, SOURCE));
    await expectRefused(dir, `${SOURCE}: is a symbolic link to "/etc/passwd"; data files must be real files inside the data folder (replace the link with a copy of what it points to, if that belongs in the data)`);
  });

  it('refuses a sheet linked to a device before a build reads (and hashes) it', async () => {
    const dir = project();
    rmSync(path.join(dir, SHEET));
    // A build planned by hashing every sheet: this one it read until memory ran out.
    symlinkSync('/dev/urandom', path.join(dir, SHEET));
    // In a process of its own: a build that read the device would read until memory ran out, and is killed.
    await expectRefused(dir, `${SHEET}: is a symbolic link to "/dev/urandom"; data files must be real files inside the data folder (replace the link with a copy of what it points to, if that belongs in the data)`, ownProcess());
  });
});

describe('data files that are not UTF-8', () => {
  it('locates stray bytes that are no UTF-8 (they printed as "��", with exit code 0)', async () => {
    const dir = project();
    const file = path.join(dir, SHEET);
    const bytes = readFileSync(file);
    const at = bytes.indexOf('Taixin intercity EMU first run') + 'Taixin '.length;
    writeFileSync(file, Buffer.concat([bytes.subarray(0, at), Buffer.from([0xff, 0xfe]), bytes.subarray(at)]));
    await expectRefused(dir, `${SHEET}:7:18: not UTF-8: byte 0xFF here is no character (retype the text at this place and save the file as UTF-8; a whole file in another encoding converts with iconv -f <encoding> -t UTF-8)`);
  });

  it('names a sheet saved as GB18030, and how to convert it (it gave 50 "quote not in source" lines)', async () => {
    const dir = project();
    const file = path.join(dir, SHEET);
    writeFileSync(file, execFileSync('iconv', ['-f', 'UTF-8', '-t', 'GB18030', file]));
    await expectRefused(dir, `${SHEET}: is saved as GB18030, not UTF-8 (convert it: iconv -f GB18030 -t UTF-8 ${SHEET} > ${SHEET}.utf8 && mv ${SHEET}.utf8 ${SHEET})`);
    // The command in the hint does convert it.
    execFileSync('sh', ['-c', `iconv -f GB18030 -t UTF-8 ${SHEET} > ${SHEET}.utf8 && mv ${SHEET}.utf8 ${SHEET}`], { cwd: dir });
    expect(readFileSync(file, 'utf8')).toBe(readFileSync(path.join(ROOT, SHEET), 'utf8'));
  });

  it('accepts a byte-order mark', async () => {
    const dir = project();
    const file = path.join(dir, SHEET);
    writeFileSync(file, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), readFileSync(file)]));
    const r = await inProcess(dir, ['check']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});

describe('texts no page can print', () => {
  it('refuses a 100 KB title at its place in the sheet, quoting nothing of it', async () => {
    const dir = project();
    // It was reported against taixin-transport.html, a file the failed build never wrote.
    editSheet(dir, 'en: Taixin intercity EMU first run', `en: ${'A long title. '.repeat(7143).slice(0, 100_000)}`);
    await expectRefused(dir, `${SHEET}:7:11: fact "tx-intercity-emu-launch": title.en is 100,000 characters long, more than the 200 a title may have (shorten it: it is printed as a heading or a label)`);
  });

  it('quotes at most 80 characters of a value in a message', async () => {
    const dir = project();
    editSheet(dir, 'kind: milestone', `kind: ${'milestone'.repeat(20)}`);
    const r = await inProcess(dir, ['check']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`${SHEET}:4:11: fact "tx-intercity-emu-launch": kind is "${'milestone'.repeat(20).slice(0, 79)}…", not one of the allowed values (use one of: metric, target, milestone, initiative)\n`);
  });
});

describe('output folders that cannot be written', () => {
  const refusedOut = async (dir: string, out: string, line: string, run: Run = inProcess) => {
    const r = await run(dir, ['build', '--out', out, '--edition', '2023-03', '--html-only']);
    expect({ code: r.code, stderr: r.stderr, stdout: r.stdout }).toEqual({ code: 1, stderr: `${line}\n`, stdout: '' });
  };

  it('refuses --out that is a file, or runs through one, and changes nothing', async () => {
    const dir = project();
    const before = snapshot(path.join(dir, 'out'));
    await refusedOut(dir, 'out/keep.txt', 'out/keep.txt: the output folder (--out) is a file, not a folder (choose a folder for --out, or move the file away)');
    await refusedOut(dir, 'out/keep.txt/2023', 'out/keep.txt/2023: the output folder (--out) cannot be made: out/keep.txt is a file, not a folder (choose a folder for --out, or move the file away)');
    expect(snapshot(path.join(dir, 'out'))).toEqual(before);
  });

  it('refuses --out under /proc at once (making a folder there loops for ever in Node 20)', async () => {
    const dir = project();
    const out = path.relative(dir, '/proc/briefing-test-out/2023');
    // In a process of its own, killed after 10 s: a run that tried to make the folder would never end.
    await refusedOut(dir, '/proc/briefing-test-out/2023', `${out}: the output folder (--out) cannot be made: /proc is on procfs, the kernel's view of its processes, where no folder can be made (choose a folder on a disk for --out)`, ownProcess(10_000));
  });

  /** A read-only file system: chmod 555 stops no one running as root, as these tests do here; a read-only mount stops root too. */
  function readOnlyMount(): string | undefined {
    if (!isRoot) return undefined;
    const dir = tempDir('briefing-ro-');
    scratch.push(dir);
    if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', dir]).status !== 0) return undefined;
    mounts.push(dir);
    return dir;
  }

  it('refuses an output folder on a read-only file system (skipped unless running as root where a tmpfs may be mounted)', async (ctx) => {
    const readOnly = readOnlyMount();
    if (!readOnly) return ctx.skip();
    const dir = project();
    const out = path.relative(dir, readOnly);
    await refusedOut(dir, readOnly, `${out}: the output folder (--out) cannot be written to: the file system is read-only (choose another --out on a writable file system, or remount this one read-write)`);
    await refusedOut(dir, path.join(readOnly, '2023'), `${out}/2023: the output folder (--out) cannot be made: the file system is read-only (choose another --out on a writable file system, or remount this one read-write)`);
    expect(readdirSync(readOnly)).toEqual([]);
  });

  it.skipIf(isRoot)('refuses an output folder without write permission (skipped as root, whom chmod does not stop)', async () => {
    const dir = project();
    execFileSync('chmod', ['555', path.join(dir, 'out')]);
    const before = snapshot(path.join(dir, 'out'));
    await refusedOut(dir, 'out', 'out: the output folder (--out) cannot be written to: permission denied (give your user access to it with chmod or chown, or choose another path)');
    expect(snapshot(path.join(dir, 'out'))).toEqual(before);
  });
});

describe('a build that fails on its data', () => {
  /** A build of `dir` with a data error: its exit code, what it said, how long it lived on after saying it, and its child processes. */
  async function failedBuild(dir: string, env: NodeJS.ProcessEnv = {}) {
    const child = spawn(process.execPath, [BIN, 'build', '--out', 'out', '--edition', '2023-03', '--concurrency', '8'], { cwd: dir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let said: number | undefined;
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      said ??= performance.now();
    });
    const tracked = trackChildren(child.pid!);
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    const lingered = performance.now() - (said ?? performance.now());
    tracked.stop();
    return { code, stderr, lingered, children: [...tracked.children] };
  }

  it('exits within 3 s of saying so, leaving no browser behind', async () => {
    const dir = project();
    editSheet(dir, 'quote: 开通“太忻号”城际动车。7月4日首发以来', 'quote: 开通“太忻号”城际动车。7月5日首发以来');
    const line = `${SHEET}:15:14: quote of "tx-intercity-emu-launch" is not in 001_70f2ad6bdfded294; it matches up to "开通“太忻号”城际动车。7月" and differs at "5日首发以来" (copy the passage from the source text; only markup, pinyin, Traditional characters and spaces may differ)`;
    // The browser starts while the data loads. Closed while its tabs were opening, Puppeteer kept the
    // process alive 30 s, waiting for tabs that never came (in about one run in six with 8 tabs): two
    // runs here; and one where a timer of 60 s is pending, as Puppeteer's was, which must not hold the exit.
    const runs = [{}, {}, { NODE_OPTIONS: '--import=data:text/javascript,setTimeout(()=>{},60000)' }];
    for (const env of runs) {
      const r = await failedBuild(dir, env);
      expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 1, stderr: `${line}\n` });
      expect(r.lingered).toBeLessThan(3000);
      for (const pid of r.children) expect(existsSync(`/proc/${pid}`), `process ${pid} still running`).toBe(false);
    }
    expect(snapshot(path.join(dir, 'out'))).toEqual([`keep.txt ${createHash('sha256').update('a file from before\n').digest('hex').slice(0, 16)}`]);
  }, 60_000);
});

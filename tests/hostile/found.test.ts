/**
 * What a fresh hostile pass found after issue 17's work, each held now: control characters from the data
 * never reach the terminal, `source add` reads boundedly and refuses what check would, template files are
 * read like data files, wide encodings are named, and an accept never names a temporary folder.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, cli, copyProject, runCli, tempDir } from '../helpers/cli.js';

const ESC = '\u001b';
const oneLine = (stderr: string) => stderr.trim().split('\n');

describe('control characters in the data', () => {
  it('are refused at their place, and written out in the message rather than sent to the terminal', async () => {
    const dir = copyProject(['data']);
    const zones = path.join(dir, 'data/zones.yaml');
    writeFileSync(zones, readFileSync(zones, 'utf8').replace('en: Taiyuan–Xinzhou Integrated Economic Zone', `en: "Taixin${'\\e'}]0;pwned${'\\a'}${'\\e'}[2J zone"`));
    const r = await cli(['check', '--data', path.join(dir, 'data')]);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toContain(ESC);
    expect(oneLine(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/zones\.yaml:\d+:\d+: .*holds the control character U\+001B \(delete it/);
  });

  it('are refused in source add flags and stripped from a page title', async () => {
    const dir = copyProject(['data']);
    const r = await cli(['source', 'add', path.join(ROOT, 'tests/fixtures/intake/taixin-2023-review.txt'), '--zone', 'taixin', '--title', `a${ESC}[2Jb`, '--data', path.join(dir, 'data')]);
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toEqual(['briefing: the title holds a control character (give --title as plain text)']);
    const page = path.join(dir, 'page.html');
    writeFileSync(page, `<!doctype html><html><head><title>标题&#x1b;]0;pwned&#x07;新闻</title><meta name="publishdate" content="2023-06-20"></head><body><p>${readFileSync(path.join(ROOT, 'tests/fixtures/intake/taixin-2023-review.txt'), 'utf8')}</p></body></html>`);
    const added = await cli(['source', 'add', page, '--zone', 'taixin', '--publisher', '测试', '--data', path.join(dir, 'data')]);
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).not.toContain(ESC);
    expect(readFileSync(path.join(dir, 'data/sources.yaml'), 'utf8')).not.toMatch(/\\e|\u001b|\\x1b/);
  });
});

describe('source add reads boundedly and holds flags to check\'s limits', () => {
  it('refuses a kernel file, a title longer than check allows, and writes nothing', async () => {
    const dir = copyProject(['data']);
    const before = readFileSync(path.join(dir, 'data/sources.yaml'), 'utf8');
    // In a process of its own: /proc/self here would be the test's worker, not the CLI.
    const proc = runCli(['source', 'add', '/proc/self/pagemap', '--zone', 'taixin', '--data', path.join(dir, 'data')]);
    expect(proc.code).toBe(1);
    expect(oneLine(proc.stderr)).toEqual(['/proc/self/pagemap: the file cannot be read as a document (give the path of a saved article (.txt or .html))']);
    const long = await cli(['source', 'add', path.join(ROOT, 'tests/fixtures/intake/taixin-2023-review.txt'), '--zone', 'taixin', '--title', '长'.repeat(300), '--data', path.join(dir, 'data')]);
    expect(long.code).toBe(1);
    expect(oneLine(long.stderr)).toEqual(['briefing: the title is 300 characters long, more than the 200 a title may have (give a shorter --title)']);
    expect(readFileSync(path.join(dir, 'data/sources.yaml'), 'utf8')).toBe(before);
  });
});

describe('template files are read like data files', () => {
  const templates = () => {
    const dir = tempDir('briefing-tpl-');
    cpSync(path.join(ROOT, 'templates'), path.join(dir, 't'), { recursive: true });
    return dir;
  };
  it('refuses a named pipe among the partials without waiting on it', async () => {
    const dir = templates();
    execFileSync('mkfifo', [path.join(dir, 't/partials/x.hbs')]);
    const started = performance.now();
    // In a process of its own: a run that waited on the pipe would never end.
    const r = runCli(['build', '--html-only', '--edition', '2023-03', '--templates', path.join(dir, 't'), '--out', path.join(dir, 'o')]);
    expect(r.code).toBe(1);
    expect(performance.now() - started).toBeLessThan(15_000);
    expect(oneLine(r.stderr)).toHaveLength(1);
    expect(r.stderr).toContain('partials/x.hbs: is a named pipe, not a file');
  });
  it('refuses a stylesheet that links out of the folder, and never prints what it points to', async () => {
    const dir = templates();
    symlinkSync('/etc/hostname', path.join(dir, 't/styles/zz.css'));
    const r = await cli(['build', '--html-only', '--edition', '2023-03', '--templates', path.join(dir, 't'), '--out', path.join(dir, 'o')]);
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toHaveLength(1);
    expect(r.stderr).toContain('styles/zz.css: is a symbolic link to "/etc/hostname"');
    expect(r.stderr).not.toContain(readFileSync('/etc/hostname', 'utf8').trim() || '\u0000');
  });
});

describe('wide encodings are named', () => {
  for (const encoding of ['UTF-16LE', 'UTF-16BE', 'UTF-32LE']) {
    it(`names a sheet saved as ${encoding} without a byte-order mark`, async () => {
      const dir = copyProject(['data']);
      const sheet = path.join(dir, 'data/facts/taixin/transport.yaml');
      writeFileSync(sheet, execFileSync('iconv', ['-f', 'UTF-8', '-t', encoding, sheet]));
      const r = await cli(['check', '--data', path.join(dir, 'data')]);
      expect(r.code).toBe(1);
      expect(oneLine(r.stderr)).toHaveLength(1);
      expect(r.stderr).toContain(`transport.yaml: is saved as ${encoding}, not UTF-8 (convert it: iconv -f ${encoding} -t UTF-8`);
    });
  }
});

describe('sources.yaml', () => {
  it('refuses a url that is not a web address', async () => {
    const dir = copyProject(['data']);
    const file = path.join(dir, 'data/sources.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('    published: 2022-11\n', '    published: 2022-11\n    url: "javascript:alert(1)"\n'));
    const r = await cli(['check', '--data', path.join(dir, 'data')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/sources\.yaml:\d+:\d+: .*url must be an http:\/\/ or https:\/\/ address/);
  });
});

describe('draft --accept', () => {
  it('refuses a draft whose id a fact already has, at the draft, naming no temporary folder', async () => {
    const dir = copyProject(['data']);
    expect((await cli(['draft', '004_3fd6a3c8a5be216f', '--data', path.join(dir, 'data')])).code).toBe(0);
    const file = path.join(dir, 'data/drafts/004_3fd6a3c8a5be216f.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('- id: d004-01', '- id: tx-intercity-emu-launch').replace(/en: ""/g, 'en: "Written"'));
    const r = await cli(['draft', '--accept', 'tx-intercity-emu-launch', '--data', path.join(dir, 'data')]);
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/drafts\/004_3fd6a3c8a5be216f\.yaml:\d+:\d+: cannot accept "tx-intercity-emu-launch": its id is already the id of a fact in .*facts\/taixin\/transport\.yaml/);
    expect(r.stderr).not.toContain('briefing-accept-');
  });
});

describe('faults of the machine are the user\'s to fix: exit 1, one line (skipped unless root may mount a tmpfs)', () => {
  const isRoot = process.getuid?.() === 0;
  const mounted: string[] = [];
  const mount = (dir: string, options: string) => {
    if (!isRoot || execFileSync('sh', ['-c', `mount -t tmpfs -o ${options} tmpfs '${dir}' && echo ok || true`], { encoding: 'utf8' }).trim() !== 'ok') return false;
    mounted.push(dir);
    return true;
  };
  const unmount = () => {
    for (const dir of mounted.splice(0).reverse()) execFileSync('umount', [dir]);
  };

  it('a full disk: says so, and leaves nothing of the run', async (ctx) => {
    const out = tempDir('briefing-full-');
    if (!mount(out, 'size=400k')) return ctx.skip();
    try {
      const r = await cli(['build', '--html-only', '--edition', '2023-03', '--out', out]);
      expect(r.code).toBe(1);
      expect(oneLine(r.stderr)).toHaveLength(1);
      expect(r.stderr).toContain('no space is left on the device (free some space on it, or choose another --out on another disk)');
      expect(execFileSync('ls', ['-A', out], { encoding: 'utf8' }).trim()).toBe('');
    } finally {
      unmount();
    }
  });

  it('a busy folder (a mount point where an edition goes): says so', async (ctx) => {
    const out = tempDir('briefing-busy-');
    execFileSync('mkdir', ['-p', path.join(out, '2023-03')]);
    if (!mount(path.join(out, '2023-03'), 'size=10m')) return ctx.skip();
    try {
      const r = await cli(['build', '--html-only', '--edition', '2023-03', '--out', out]);
      expect(r.code).toBe(1);
      expect(oneLine(r.stderr)).toHaveLength(1);
      expect(r.stderr).toContain('it is busy: a mount point, or held by another program');
    } finally {
      unmount();
    }
  });
});

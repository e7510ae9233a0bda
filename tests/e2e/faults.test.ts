import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, cli, runCliTracked, tempDir } from '../helpers/cli.js';
import { readPdf } from '../helpers/pdf.js';

const pair = ['--zone', 'taiyuan-jinzhong', '--theme', 'transport,ecology', '--edition', '2023-03'];

// Side by side: each run is a process of its own with its own folders, and the first waits out a timeout.
describe.concurrent('faults while printing', () => {
  it('fails a briefing whose page never finishes loading, alone and by name, within the timeout', async () => {
    const dir = tempDir('briefing-hang-');
    cpSync(path.join(ROOT, 'templates'), path.join(dir, 'templates'), { recursive: true });
    const cover = path.join(dir, 'templates/partials/cover.hbs');
    const page = path.join(dir, 'templates/briefing.hbs');
    // Only the ecology briefing is endless: thousands of pages that would take minutes to print. (A script
    // cannot hang a page any more: the document's scripts do not run while printing.)
    writeFileSync(page, readFileSync(page, 'utf8').replace('<body>', '<body class="{{theme.en}}">'));
    const endless = `<div class="endless">${'<p>延续 endless</p>'.repeat(30_000)}</div>`;
    writeFileSync(cover, `<style>.endless { display: none; } .Ecology .endless { display: block; }</style>\n${readFileSync(cover, 'utf8')}\n${endless}`);
    const out = path.join(dir, 'out');
    const r = await runCliTracked(['build', ...pair, '--out', out, '--templates', path.join(dir, 'templates'), '--print-timeout', '3', '--concurrency', '2']);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/taiyuan-jinzhong-transport\.pdf {2}\d+ pages/);
    expect(r.stderr.trim().split('\n')).toEqual([
      'briefing: 1 briefing(s) failed; nothing of this run was written:',
      '  taiyuan-jinzhong-ecology: printing took longer than 3 s',
    ]);
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
    // Its browser was seen (or the loop below would check nothing), and is gone.
    expect(r.children.length).toBeGreaterThan(0);
    for (const pid of r.children) expect(existsSync(`/proc/${pid}`), `process ${pid} still running`).toBe(false);
  });

  it('relaunches a browser killed mid-run and still prints every briefing', async () => {
    const out = tempDir('briefing-crash-');
    // All eight briefings, one at a time: seven are still to print when the first is written, a second or
    // more, so the kill lands mid-run even when this busy test process hears of the first PDF late (with
    // three left, it once came after the run had printed them all and ended its browser).
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/briefing.js'), 'build', '--out', out, '--edition', '2023-03', '--concurrency', '1', '--verbose'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let killed: string | undefined;
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (!killed && /\.pdf {2}\d+ pages/.test(stdout)) {
        try {
          // The browser: the run's only child process.
          const browser = execFileSync('pgrep', ['-P', String(child.pid)], { encoding: 'utf8' }).trim();
          process.kill(Number(browser), 'SIGKILL');
          killed = 'yes';
        } catch (e) {
          killed = `not killed: ${String(e)}`;
        }
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(killed).toBe('yes');
    expect(code).toBe(0);
    expect(stdout.match(/^browser: /gm)).toHaveLength(2);
    expect(readdirSync(path.join(out, '2023-03')).filter((f) => f.endsWith('.pdf'))).toHaveLength(8);
  });
});

describe('a remote browser', () => {
  it('prints through --browser-ws in a Chromium the test started, and leaves it running', async () => {
    const profile = tempDir('briefing-remote-profile-');
    const chromium = spawn('/usr/bin/chromium', ['--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--remote-debugging-address=127.0.0.1', '--remote-debugging-port=0', `--user-data-dir=${profile}`, 'about:blank'], { stdio: ['ignore', 'ignore', 'pipe'] });
    try {
      const ws = await new Promise<string>((resolve, reject) => {
        let err = '';
        chromium.stderr.on('data', (d: Buffer) => {
          err += d.toString();
          const m = /DevTools listening on (ws:\/\/127\.0\.0\.1:\d+\/\S+)/.exec(err);
          if (m) resolve(m[1]!);
        });
        chromium.on('exit', () => reject(new Error(`chromium exited: ${err}`)));
      });
      const out = tempDir('briefing-remote-');
      const r = await cli(['build', '--zone', 'taiyuan-jinzhong', '--theme', 'transport', '--edition', '2023-03', '--out', out, '--browser-ws', ws, '--verbose']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`(remote, ${ws})`);
      const pdf = await readPdf(path.join(out, '2023-03', 'taiyuan-jinzhong-transport.pdf'));
      expect(pdf.text.replace(/\s+/g, '')).toContain('太原晋中一体化');
      expect(chromium.exitCode).toBeNull();
    } finally {
      chromium.kill('SIGKILL');
    }
  });
});

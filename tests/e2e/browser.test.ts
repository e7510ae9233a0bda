import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, cli, runCli, spawnCli, tempDir } from '../helpers/cli.js';
import { stillRunning, watchDescendants } from '../hostile/held-helpers.js';

describe('the browser while printing', () => {
  it('refuses every network request', async () => {
    const hits: string[] = [];
    const server = http.createServer((req, res) => {
      hits.push(req.url ?? '');
      res.end('x');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const dir = tempDir('briefing-net-');
      cpSync(path.join(ROOT, 'templates'), path.join(dir, 'templates'), { recursive: true });
      const cover = path.join(dir, 'templates/partials/cover.hbs');
      writeFileSync(cover, `${readFileSync(cover, 'utf8')}<img src="http://127.0.0.1:${port}/pixel.png" alt=""><link rel="stylesheet" href="http://127.0.0.1:${port}/x.css">`);
      const r = await cli(['build', '--zone', 'taiyuan-jinzhong', '--theme', 'ecology', '--out', path.join(dir, 'out'), '--templates', path.join(dir, 'templates')]);
      expect(r.code).toBe(0);
      expect(hits).toEqual([]);
    } finally {
      server.close();
    }
  });

  // In a process of its own: Puppeteer reads PUPPETEER_EXECUTABLE_PATH once, when it loads.
  it('says in one line how to install Chromium when none is found', () => {
    const r = runCli(['build', '--zone', 'taixin', '--theme', 'ecology', '--out', tempDir()], { env: { PUPPETEER_EXECUTABLE_PATH: '/nonexistent/chrome' } });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual(['briefing: PUPPETEER_EXECUTABLE_PATH points to /nonexistent/chrome, which does not exist (fix the path or unset the variable)']);
  });

  // The headless shell the build prefers, and the full Chromium, which also keeps a socket folder in the
  // system's temporary folder (org.chromium.Chromium.*, linked from the profile as SingletonSocket).
  const browsers: [string, string | undefined][] = [['the headless shell', undefined], ...(existsSync('/usr/bin/chromium') ? [['the full Chromium', '/usr/bin/chromium'] as [string, string]] : [])];
  it.each(browsers)('ends %s and every process it started, and removes its profile, once a build is done', async (_, executable) => {
    let watched: ReturnType<typeof watchDescendants> | undefined;
    const sockets = new Set<string>();
    let poll: NodeJS.Timeout | undefined;
    const r = await spawnCli(['build', '--out', tempDir('briefing-end-'), '--zone', 'taiyuan-jinzhong', '--theme', 'transport,ecology'], {
      // In a process of its own, PUPPETEER_EXECUTABLE_PATH included: Puppeteer reads it once, when it loads.
      ...(executable ? { env: { PUPPETEER_EXECUTABLE_PATH: executable } } : {}),
      spawned: (child) => {
        watched = watchDescendants(child.pid!);
        poll = setInterval(() => {
          for (const profile of watched!.profiles) {
            try {
              sockets.add(path.dirname(readlinkSync(path.join(profile, 'SingletonSocket'))));
            } catch {
              // none (yet)
            }
          }
        }, 20);
      },
    });
    watched!.stop();
    clearInterval(poll);
    expect(r.code, r.stderr).toBe(0);
    // The browser, its zygotes and renderers: all ended with the build.
    expect(watched!.seen.size).toBeGreaterThan(2);
    expect(await stillRunning(watched!.seen)).toEqual([]);
    expect(watched!.profiles.size).toBe(1);
    for (const dir of [...watched!.profiles, ...sockets]) expect(existsSync(dir), dir).toBe(false);
    if (executable) expect([...sockets]).toHaveLength(1);
  });

  it('closes Chromium on Ctrl-C and leaves no partial PDF', async () => {
    const out = tempDir('briefing-sigint-');
    // All eight briefings, one at a time: seven are still to print when the first is written, so Ctrl-C
    // lands mid-run even when this process hears of the first PDF late.
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/briefing.js'), 'build', '--out', out, '--concurrency', '1', '--verbose'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    // Interrupt once the first PDF is written: the browser is up and mid-run.
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (/\.pdf {2}\d+ pages/.test(stdout)) resolve();
      });
    });
    const pid = child.pid!;
    const browserPids = execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
    expect(browserPids.length).toBeGreaterThan(0);
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(130);
    for (const p of browserPids) expect(existsSync(`/proc/${p}`), `Chromium ${p} still running`).toBe(false);
    // Nothing of the interrupted run is in view: no edition folder, no staging folder, no lock.
    expect(readdirSync(out)).toEqual([]);
  });
});

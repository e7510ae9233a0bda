import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, copyProject, runCli } from '../helpers/cli.js';

const dir = copyProject(['data', 'templates']);
const args = ['--data', path.join(dir, 'data'), '--templates', path.join(dir, 'templates'), '--out', path.join(dir, 'output'), '--edition', '2023-03'];

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('briefing preview (command line)', () => {
  it('prints its address, serves, and stops on Ctrl-C with exit code 130', async () => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/briefing.js'), 'preview', '--port', '0', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => {
          stdout += d.toString();
          const m = /briefing preview: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(stdout);
          if (m) resolve(m[1]!);
        });
        void exited.then((code) => reject(new Error(`exited ${code}: ${stdout}${stderr}`)));
      });
      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('/draft/2023-03/taixin-transport.html');
      child.kill('SIGINT');
      expect(await exited).toBe(130);
      await expect(fetch(url)).rejects.toThrow();
      expect(stderr).toBe('');
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('says in one line that the port is in use', async () => {
    const taken = http.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as AddressInfo;
    try {
      const r = runCli(['preview', '--port', String(port), ...args]);
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split('\n')).toEqual([`briefing: port ${port} on 127.0.0.1 is already in use (stop the other server or choose another --port (0 picks a free one))`]);
    } finally {
      taken.close();
    }
  });

  it('refuses a port that is not a number, in one line', () => {
    const r = runCli(['preview', '--port', 'eighty', ...args]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual(['briefing: --port "eighty" is not a port number (use a number from 1 to 65535, or 0 for any free port)']);
  });
});

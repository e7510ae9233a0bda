/** `--out` naming a file, or a link to nowhere: one line, exit 1, nothing written (see tests/editions/outdir.test.ts). */
import { existsSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, cli, tempDir } from '../helpers/cli.js';

describe('--out that is not a folder', () => {
  const dir = tempDir('briefing-out-');
  const file = path.join(dir, 'a-file');
  writeFileSync(file, 'not a folder');
  const link = path.join(dir, 'a-link');
  symlinkSync(path.join(dir, 'gone'), link);
  // The CLI runs in ROOT and names paths relative to it.
  const rel = (p: string) => path.relative(ROOT, p);
  const fileLine = `${rel(file)}: the output folder (--out) is a file, not a folder (choose a folder for --out, or move the file away)`;
  const linkLine = `${rel(link)}: the output folder (--out) is a symbolic link to ${path.join(dir, 'gone')}, which leads nowhere (make the folder it leads to, or choose another --out)`;

  it.each([
    ['build, a file', ['build', '--out', file, '--edition', '2023-03', '--html-only'], fileLine],
    ['schedule --once, a file', ['schedule', '--once', '--out', file], fileLine],
    ['build, a link to nowhere', ['build', '--out', link, '--edition', '2023-03', '--html-only'], linkLine],
  ])('%s: says what is in the way in one line, exit 1', async (_, args, line) => {
    const r = await cli(args);
    expect({ code: r.code, stderr: r.stderr, stdout: r.stdout }).toEqual({ code: 1, stderr: `${line}\n`, stdout: '' });
    expect(existsSync(path.join(dir, 'gone'))).toBe(false);
  });
});

/**
 * Nothing half-committed, and exit 0 means built (issue 17). A build that fails, or is killed, at any
 * step of writing the output folder leaves readers the complete old edition or the complete new one,
 * with editions.json and `latest` agreeing with the files (every file hashed and compared with the
 * manifest's record); its leftovers are removed by the next run. A run whose browser never answers
 * fails naming each briefing instead of exiting 0 with nothing; a PDF that is not whole fails the run.
 */
import { chmodSync, cpSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { buildBriefings, type BuildEffects } from '../../src/build.js';
import { resolveConfig } from '../../src/config.js';
import { COMMIT_STEPS, type CommitStep } from '../../src/editions/output.js';
import type { LogLine } from '../../src/editions/manifest.js';
import { pdfProblem } from '../../src/editions/verify.js';
import { writeFileAtomicAsync } from '../../src/write.js';
import { ROOT, cli, copyProject, runCli, spawnCli, tempDir } from '../helpers/cli.js';
import { consistent, leftovers, outputState, sameState, type OutputState } from '../editions/output-state.js';
import { SUITE_EDITION } from '../suite.js';

const NOW = '2023-05-31T08:00:00Z';
const pair = { zone: ['taiyuan-jinzhong'], theme: ['transport', 'ecology'] };

/** A copy of an output folder, links kept as they are (relative). */
function copyOut(from: string): string {
  const to = tempDir('briefing-commit-');
  cpSync(from, to, { recursive: true, verbatimSymlinks: true });
  return to;
}

function build(out: string, data: string, edition: string, effects: Partial<BuildEffects> = {}, input: { htmlOnly?: boolean; zone?: string[]; theme?: string[] } = {}) {
  const config = resolveConfig({ out, data, edition, now: NOW, htmlOnly: true, ...pair, ...input });
  return buildBriefings(config, { writeFile: writeFileAtomicAsync, log: () => undefined, clock: () => new Date(NOW), ...effects });
}

/** Every change the commit makes, in order, as the fault hook is told of them. */
async function stepsOf(out: string, data: string, edition: string): Promise<[CommitStep, string][]> {
  const calls: [CommitStep, string][] = [];
  await build(copyOut(out), data, edition, { faultAt: (step, what) => void calls.push([step, what]) });
  return calls;
}

describe('a failure at each step of the commit', () => {
  let data: string;
  let base: string;
  let old: OutputState;

  beforeAll(async () => {
    data = path.join(copyProject(['data']), 'data');
    base = tempDir('briefing-commit-base-');
    // Two editions in view: 2022-11 (Taiyuan–Xinzhou) and 2023-03 (Taiyuan–Jinzhong).
    await build(base, data, '2022-11', {}, { zone: ['taixin'], theme: ['transport'] });
    await build(base, data, '2023-03');
    old = outputState(base);
    expect(consistent(old)).toBe(true);
    expect(old.latest).toBe('2023-03');
    // The next run rebuilds the ecology briefing only; transport is carried over into the new version.
    const sheet = path.join(data, 'facts/taiyuan-jinzhong/ecology.yaml');
    writeFileSync(sheet, readFileSync(sheet, 'utf8').replace('Fewer heavy-pollution days, three cities', 'Fewer heavy-pollution days in three cities'));
  });

  const scenarios = [
    { name: 'rebuilding part of an edition', edition: '2023-03', latest: '2023-03' },
    { name: 'adding a newer edition (latest moves)', edition: '2023-05', latest: '2023-05' },
  ];

  for (const scenario of scenarios) {
    it(`leaves the whole old or the whole new edition, ${scenario.name}`, { timeout: 300_000 }, async () => {
      const reference = copyOut(base);
      await build(reference, data, scenario.edition);
      const fresh = outputState(reference);
      expect(consistent(fresh)).toBe(true);
      expect(fresh.latest).toBe(scenario.latest);
      expect(sameState(fresh, old)).toBe(false);

      const steps = await stepsOf(base, data, scenario.edition);
      const kinds = new Set(steps.map(([s]) => s));
      // Every step but `tidy` (nothing to tidy here) is reached; `link` only where files are carried
      // over from the edition's current version, `entry` only for an edition new to the folder.
      const isNew = scenario.edition === '2023-05';
      expect([...kinds].sort()).toEqual(COMMIT_STEPS.filter((s) => s !== 'tidy' && (isNew ? s !== 'link' : s !== 'entry')).sort());
      if (scenario.edition === '2023-03') expect(steps.filter(([s]) => s === 'link').map(([, w]) => w)).toContain('taiyuan-jinzhong-transport.html');
      const switchAt = steps.findIndex(([s]) => s === 'switch');

      for (let i = 0; i < steps.length; i++) {
        const [step, what] = steps[i]!;
        const out = copyOut(base);
        let n = 0;
        const warnings: string[] = [];
        const result = build(out, data, scenario.edition, {
          faultAt: () => {
            if (n++ === i) throw new Error(`injected fault at ${step} ${what}`);
          },
          log: (line) => void (line.level === 'warn' && warnings.push(String(line.reason))),
        });
        const label = `fault at step ${i} (${step} ${what})`;
        if (i <= switchAt) {
          // Before the switch (and at it: the rename never happened): the run fails, the old version stays, nothing is left behind.
          await expect(result, label).rejects.toThrow(`injected fault at ${step} ${what}`);
          expect(sameState(outputState(out), old), label).toBe(true);
          expect(leftovers(out), label).toEqual([]);
        } else {
          // After the switch: the new version stands; what failed is reported and left for the next run.
          await expect(result, label).resolves.toBeDefined();
          expect(warnings.join('\n'), label).toContain(`injected fault at ${step} ${what}`);
          expect(sameState(outputState(out), fresh), label).toBe(true);
        }
        // The next run ends with the new version and nothing else.
        await build(out, data, scenario.edition);
        expect(sameState(outputState(out), fresh), `${label}, then a run`).toBe(true);
        expect(leftovers(out), `${label}, then a run`).toEqual([]);
      }
    });
  }
});

// Side by side: each kill has its own copy of the output folder, and most of its time is its process's.
describe.concurrent('kill -9 at a step of the commit (BRIEFING_TEST_KILL_AT)', () => {
  let data: string;
  let base: string;
  let old: OutputState;
  /** A build in a process of its own (the one BRIEFING_TEST_KILL_AT kills), not blocking this one. */
  const killable = (out: string, edition: string, env: NodeJS.ProcessEnv = {}) =>
    spawnCli(['build', '--out', out, '--data', data, '--edition', edition, '--now', NOW, '--html-only', '--zone', 'taiyuan-jinzhong', '--theme', 'transport,ecology'], { env, timeoutMs: 120_000 });

  /**
   * A whole run in this process, as the CLI run above would make it (the same configuration; a build makes
   * the same bytes in any process): for the folders the kills start from and are compared with, and the
   * next run after a kill. Only the killed runs need a process of their own.
   */
  const whole = async (out: string, edition: string) => {
    const problems: LogLine[] = [];
    await build(out, data, edition, { log: (line) => void (line.level !== 'info' && problems.push(line)) });
    expect(problems).toEqual([]);
  };

  beforeAll(async () => {
    data = path.join(copyProject(['data']), 'data');
    base = tempDir('briefing-kill-base-');
    await whole(base, '2023-03');
    old = outputState(base);
    const sheet = path.join(data, 'facts/taiyuan-jinzhong/ecology.yaml');
    writeFileSync(sheet, readFileSync(sheet, 'utf8').replace('Fewer heavy-pollution days, three cities', 'Fewer heavy-pollution days in three cities'));
  });

  // The n-th time a step is reached; `entry` is reached only by an edition new to the folder (2023-05).
  const kills: [string, string, 'old' | 'new'][] = [
    ['link:1', '2023-03', 'old'], ['link:3', '2023-03', 'old'], ['verify', '2023-03', 'old'], ['record', '2023-03', 'old'],
    ['root:2', '2023-03', 'old'], ['sync', '2023-03', 'old'], ['entry', '2023-05', 'old'], ['switch', '2023-03', 'old'],
    ['switch', '2023-05', 'old'], ['prune:2', '2023-03', 'new'], ['prune', '2023-05', 'new'],
  ];
  /** The output folder a whole run of `edition` makes from `base`: built once per edition, for every kill of it. */
  const references = new Map<string, Promise<OutputState>>();
  const freshOf = (edition: string): Promise<OutputState> => {
    if (!references.has(edition)) {
      const reference = copyOut(base);
      references.set(edition, whole(reference, edition).then(() => outputState(reference)));
    }
    return references.get(edition)!;
  };

  it.each(kills)('killed at %s building %s: the %s edition whole, cleared by the next run', async (at, edition, expected) => {
    const fresh = await freshOf(edition);

    const out = copyOut(base);
    const r = await killable(out, edition, { BRIEFING_TEST_KILL_AT: at });
    expect(r.signal, r.stderr).toBe('SIGKILL');
    const after = outputState(out);
    expect(consistent(after)).toBe(true);
    expect(sameState(after, expected === 'old' ? old : fresh)).toBe(true);
    // The killed run's lock and folders stay until the next run, which takes the lock over and clears them.
    expect(readdirSync(out)).toContain('.briefing.lock');
    // The next run succeeds without a warning (or an error): what the CLI would exit 0 on, saying nothing on stderr.
    await whole(out, edition);
    expect(sameState(outputState(out), fresh)).toBe(true);
    expect(leftovers(out)).toEqual([]);
  });

  it('is not honoured outside tests', async () => {
    const out = copyOut(base);
    // In a process of its own too: honoured, it would kill the test's worker.
    const r = await killable(out, '2023-03', { BRIEFING_TEST_KILL_AT: 'switch', VITEST: '' });
    expect(r.code).toBe(0);
  });
});

describe('exit 0 means every briefing was written and verified', () => {
  it('fails, naming each briefing, when the browser dies in its start-up handshake (it used to exit 0 with nothing)', async () => {
    // A stand-in for Chromium that answers Puppeteer over its pipe (fd 3 in, fd 4 out, NUL-separated
    // JSON) until the first tab is announced, then is killed: Puppeteer's launch() then never settles
    // (it awaits the tab's attachment), and nothing is left for Node to wait on.
    const dir = tempDir('briefing-fake-chromium-');
    const fake = path.join(dir, 'chromium');
    writeFileSync(fake, `#!${process.execPath}
const net = require('node:net');
const out = new net.Socket({ fd: 4, readable: false, writable: true });
const send = (m) => out.write(JSON.stringify(m) + '\\0');
let buf = '';
new net.Socket({ fd: 3, readable: true, writable: false }).on('data', (d) => {
  buf += d.toString();
  for (let i; (i = buf.indexOf('\\0')) >= 0; ) {
    const msg = JSON.parse(buf.slice(0, i));
    buf = buf.slice(i + 1);
    if (msg.method === 'Target.setAutoAttach' && !msg.sessionId) {
      send({ method: 'Target.attachedToTarget', params: { sessionId: 'S1', waitingForDebugger: true, targetInfo: { targetId: 'T1', type: 'tab', title: '', url: 'about:blank', attached: true, canAccessOpener: false, browserContextId: 'C1' } } });
      send({ id: msg.id, result: {} });
      out.end(() => process.kill(process.pid, 'SIGKILL'));
      return;
    }
    send({ id: msg.id, ...(msg.sessionId ? { sessionId: msg.sessionId } : {}), result: {} });
  }
});
`);
    chmodSync(fake, 0o755);
    const out = tempDir('briefing-stall-');
    expect((await cli(['build', '--out', out, '--edition', '2023-03', '--html-only', '--zone', 'taiyuan-jinzhong', '--theme', 'transport,ecology'])).code).toBe(0);
    const before = outputState(out);
    // In a process of its own: a stalled run is seen when the process has nothing left to wait on
    // ('beforeExit'), which a test's worker never comes to.
    const r = runCli(['build', '--out', out, '--edition', '2023-03', '--zone', 'taiyuan-jinzhong', '--theme', 'transport,ecology'], { env: { PUPPETEER_EXECUTABLE_PATH: fake } });
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      'briefing: 2 briefing(s) failed; nothing of this run was written:',
      '  taiyuan-jinzhong-transport: not printed: the run stalled with nothing left to wait on (the browser stopped answering)',
      '  taiyuan-jinzhong-ecology: not printed: the run stalled with nothing left to wait on (the browser stopped answering)',
    ]);
    expect(sameState(outputState(out), before)).toBe(true);
    // No lock and no folder of the run are left behind.
    expect(leftovers(out)).toEqual([]);
  });

  it('fails a run whose PDF was cut short or never written, naming each, and keeps the old edition', async () => {
    const out = tempDir('briefing-verify-');
    const data = path.join(ROOT, 'data');
    await build(out, data, '2023-03');
    const before = outputState(out);
    const writeFile: BuildEffects['writeFile'] = (file, bytes) => {
      if (file.endsWith('-transport.pdf')) return writeFileAtomicAsync(file, bytes.slice(0, Math.floor(bytes.length / 2)));
      if (file.endsWith('-ecology.pdf')) return; // "written", but not there
      return writeFileAtomicAsync(file, bytes);
    };
    const result = build(out, data, '2023-03', { writeFile }, { htmlOnly: false });
    await expect(result).rejects.toThrow(
      [
        '2 briefing(s) failed verification; nothing of this run was written:',
        '  taiyuan-jinzhong-transport: taiyuan-jinzhong-transport.pdf cut short (no %%EOF at the end)',
        '  taiyuan-jinzhong-ecology: not printed (no taiyuan-jinzhong-ecology.pdf)',
      ].join('\n'),
    );
    expect(sameState(outputState(out), before)).toBe(true);
    expect(leftovers(out)).toEqual([]);
  });
});

describe('a printed PDF is checked', () => {
  const suiteDir = inject('suiteDir');
  const file = path.join(suiteDir, SUITE_EDITION, 'taixin-transport.pdf');
  const bytes = () => readFileSync(file);
  const edit = (from: string | RegExp, to: string) => Buffer.from(bytes().toString('latin1').replace(from, to), 'latin1');

  it('accepts every briefing of the suite', () => {
    const pdfs = readdirSync(path.join(suiteDir, SUITE_EDITION)).filter((f) => f.endsWith('.pdf'));
    expect(pdfs).toHaveLength(8);
    for (const f of pdfs) expect(pdfProblem(readFileSync(path.join(suiteDir, SUITE_EDITION, f))), f).toBeUndefined();
  });

  it.each([
    ['no header', () => bytes().subarray(8), /^not a PDF/],
    ['cut short', () => bytes().subarray(0, 100_000), /^cut short/],
    ['a font not embedded', () => edit(/\/FontFile2/g, '/FontFileX'), /^font [A-Z]{6}\+NotoSans\S* is not embedded$/],
    ['a font not a subset', () => edit(/[A-Z]{6}\+NotoSans/g, 'NotoSans'), /^font NotoSans\S* is not a subset$/],
    ['a system font instead of briefing’s', () => edit(/NotoSansSC-Regular/g, 'DejaVuSans-Regular'), /^font [A-Z]{6}\+DejaVuSans-Regular is not one of briefing's fonts \(NotoSansSC, NotoSans\)$/],
    ['no pages', () => edit(/\/Kids\s*\[[^\]]*\]/g, '/Kids []'), /^has no pages$/],
  ])('refuses one with %s', (_, make, reason) => {
    expect(pdfProblem(make())).toMatch(reason);
  });

  it('refuses one with other pages than printed', () => {
    expect(pdfProblem(bytes(), 99)).toMatch(/^has \d+ pages where 99 were printed$/);
  });
});

import { cpSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { ROOT, spawnCli, tempDir } from './helpers/cli.js';
import { LATE_EDITION, LATE_NOW, SUITE_EDITION, SUITE_NOW } from './suite.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The suite edition (SUITE_EDITION at SUITE_NOW), every bilingual briefing printed. */
    suiteDir: string;
    /** A late edition (LATE_EDITION at LATE_NOW), years after the newest data, every bilingual briefing printed. */
    lateDir: string;
    /** The data/ and templates/ both editions were printed from: a copy, so others' edits do not reach them. */
    suiteRoot: string;
    /** "Chrome/156.0.8078.108", as the build reported it. */
    browserVersion: string;
  }
}

/**
 * Prints every bilingual briefing once per edition the tests read (the suite's and a late one), from one
 * copy of the data and templates; the tests that only read printed briefings read these.
 */
export default async function setup(project: TestProject) {
  const root = tempDir('briefing-suite-root-');
  for (const part of ['data', 'templates']) cpSync(path.join(ROOT, part), path.join(root, part), { recursive: true });
  const suiteDir = tempDir('briefing-suite-');
  const lateDir = tempDir('briefing-late-');
  const from = ['--data', path.join(root, 'data'), '--templates', path.join(root, 'templates')];
  // Side by side, each a process of its own.
  const [suite, late] = await Promise.all([
    spawnCli(['build', '--edition', SUITE_EDITION, '--now', SUITE_NOW, '--out', suiteDir, ...from, '--verbose']),
    spawnCli(['build', '--edition', LATE_EDITION, '--now', LATE_NOW, '--out', lateDir, ...from]),
  ]);
  for (const [what, r] of [['suite', suite], ['late', late]] as const) {
    if (r.code !== 0) throw new Error(`the ${what} build failed (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
  project.provide('suiteDir', suiteDir);
  project.provide('lateDir', lateDir);
  project.provide('suiteRoot', root);
  project.provide('browserVersion', /browser: (\S+)/.exec(suite.stdout)?.[1] ?? 'unknown');
  return () => {
    for (const dir of [suiteDir, lateDir, root]) rmSync(dir, { recursive: true, force: true });
  };
}

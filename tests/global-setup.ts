import { rmSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { runCli, tempDir } from './helpers/cli.js';
import { SUITE_EDITION, SUITE_NOW } from './suite.js';

declare module 'vitest' {
  export interface ProvidedContext {
    suiteDir: string;
    /** "Chrome/156.0.8078.108", as the build reported it. */
    browserVersion: string;
  }
}

/** Builds all bilingual briefings once for the tests that read them. */
export default function setup(project: TestProject) {
  const dir = tempDir('briefing-suite-');
  const r = runCli(['build', '--edition', SUITE_EDITION, '--now', SUITE_NOW, '--out', dir, '--verbose']);
  if (r.code !== 0) throw new Error(`the suite build failed (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  project.provide('suiteDir', dir);
  project.provide('browserVersion', /browser: (\S+)/.exec(r.stdout)?.[1] ?? 'unknown');
  return () => rmSync(dir, { recursive: true, force: true });
}

import { defineConfig } from 'vitest/config';

/**
 * Two projects:
 *   unit  pure functions and in-process modules: no browser, no child process, no suite build; seconds.
 *   e2e   the CLI, the printer, the preview server and the printed suite (global-setup.ts builds every
 *         bilingual briefing once for the files that read it).
 * `vitest run --project unit` while editing; `npm test` runs both.
 */
const UNIT = [
  'tests/config.test.ts',
  'tests/queue.test.ts',
  'tests/data/normalize.test.ts',
  'tests/data/quantities.test.ts',
  'tests/data/leads.test.ts',
  'tests/data/load.test.ts',
  'tests/draft/figures.test.ts',
  'tests/draft/guess.test.ts',
  'tests/draft/match.test.ts',
  'tests/draft/seeds.test.ts',
  'tests/draft/usage.test.ts',
  'tests/editions/hash.test.ts',
  'tests/editions/outdir.test.ts',
  'tests/layering.test.ts',
  'tests/model/*.test.ts',
  'tests/preview/facts.test.ts',
  'tests/preview/units.test.ts',
  'tests/process.test.ts',
  'tests/render/*.test.ts',
  'tests/sources/*.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Three files at a time on this project's two-core machines: much of an end-to-end file's time is waiting
    // (on Chromium, on a process it started, on a timeout it proves), and a third file fills the cores
    // meanwhile (the suite 83 -> 76 s; a fourth gained nothing).
    maxWorkers: 3,
    // A worker runs file after file without starting afresh: Vitest and briefing's modules load once per
    // worker, not once per file (the unit project 4.9 -> 2.7 s, the whole suite 99 -> 87 s here). No test
    // leaves state behind: the in-process command line (tests/helpers/cli.ts) restores the working
    // directory and the environment, and nothing mocks a module.
    isolate: false,
    // After each file, the temporary folders it made are removed (tests/helpers/cli.ts tempDir); the Node
    // processes a test starts preload tests/helpers/no-opt.mjs.
    setupFiles: ['tests/setup.ts'],
    projects: [
      { extends: true, test: { name: 'unit', include: UNIT } },
      { extends: true, test: { name: 'e2e', include: ['tests/**/*.test.ts'], exclude: UNIT, globalSetup: ['tests/global-setup.ts'] } },
    ],
  },
});

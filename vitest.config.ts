import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Printing tests share the machine's two cores with Chromium; keep files from starving each other.
    maxWorkers: 2,
  },
});

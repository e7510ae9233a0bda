/**
 * Set up before every test file (vitest.config.ts setupFiles): after the file, the temporary folders its
 * tests made with tempDir (data copies, output folders, profiles) are removed, so a run does not leave
 * hundreds of them behind.
 */
import { afterAll } from 'vitest';
import { removeTempDirs } from './helpers/cli.js';

afterAll(removeTempDirs);

/**
 * Set up before every test file (vitest.config.ts setupFiles), in the worker that runs it:
 * - after the file, the temporary folders its tests made with tempDir (data copies, output folders,
 *   profiles) are removed, so a run does not leave hundreds of them behind;
 * - the Node processes its tests start (the command line in a process of its own) preload
 *   helpers/no-opt.mjs: less CPU for the short ones, the same program.
 */
import path from 'node:path';
import { afterAll } from 'vitest';
import { removeTempDirs } from './helpers/cli.js';

const preload = `--import=${JSON.stringify(path.join(import.meta.dirname, 'helpers/no-opt.mjs'))}`;
if (!process.env.NODE_OPTIONS?.includes(preload)) process.env.NODE_OPTIONS = [process.env.NODE_OPTIONS, preload].filter(Boolean).join(' ');

afterAll(removeTempDirs);

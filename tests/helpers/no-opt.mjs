// Preloaded into the Node processes the tests start (tests/setup.ts puts it in NODE_OPTIONS): the command
// line runs there for well under a second, and V8's optimizing compiler, working on background threads for
// code that will not run long enough to gain from it, took a quarter of those processes' CPU. The program
// is the same; only how V8 runs it differs.
import v8 from 'node:v8';

v8.setFlagsFromString('--no-opt');

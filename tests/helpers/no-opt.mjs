// Preloaded into the Node processes the tests start (tests/setup.ts puts it in NODE_OPTIONS). Most run the
// command line for well under a second, and V8's optimizing compiler, working on background threads for
// code that does not run long enough to gain from it, took a large share of their CPU: an HTML-only build
// of two briefings 26% less without it, a printed build of four 19%, `source add` 11%. `draft` and `check`
// prove the whole fact base in long loops, where it pays (`draft --accept` took 35% more without it): they
// keep it. The program is the same; only how V8 runs it differs.
import v8 from 'node:v8';

if (!['draft', 'check'].includes(process.argv[2] ?? '')) v8.setFlagsFromString('--no-opt');

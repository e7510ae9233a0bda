#!/usr/bin/env node
// Runs the compiled CLI; `npm run build:ts` (part of install and test) produces dist/.
import module from 'node:module';
import path from 'node:path';

// Node ≥ 22.1 keeps V8's compiled code of every module it loads (briefing's own, Puppeteer, Vega, …) in a
// cache folder and reuses it on the next start, instead of parsing and compiling them again: the folder
// briefing keeps its caches in (config.ts cacheFolder: $XDG_CACHE_HOME/briefing, else ~/.cache/briefing),
// or Node's own default without a home. Node 20 has no such cache for ES modules: it runs as before.
// It must be enabled before the CLI's modules load, hence the dynamic import below.
if (typeof module.enableCompileCache === 'function' && !process.env.NODE_DISABLE_COMPILE_CACHE) {
  const xdg = process.env.XDG_CACHE_HOME;
  const home = process.env.HOME;
  const folder = xdg && path.isAbsolute(xdg) ? path.join(xdg, 'briefing') : home && path.isAbsolute(home) ? path.join(home, '.cache', 'briefing') : undefined;
  try {
    module.enableCompileCache(folder && path.join(folder, 'node-compile-cache'));
  } catch {
    // A cache that cannot be made is no cache.
  }
}
performance.mark('briefing:start');
const { main } = await import('../dist/cli.js');
performance.mark('briefing:cli');
main(process.argv);

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TopLevelSpec } from 'vega-lite';
import { FileCache, cacheKey } from '../file-cache.js';
import type { ChartView } from '../model/format.js';
import type { Lang } from '../data/quantities.js';
import { barChartSpec, timelineSpec } from './specs.js';
import { inertSvg } from '../render/escape.js';

/**
 * Text widths for Vega's layout. Vega in Node has no canvas and guesses 0.8 em per character, which is
 * too narrow for Chinese and too wide for Latin. Noto Sans SC sets every Han character and full-width
 * punctuation at 1 em; its Latin is proportional, about 0.55 em on average (narrow for i, l, punctuation).
 */
export function textWidth(text: string, fontSize: number): number {
  let em = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c >= 0x2e80 || (c >= 0x2000 && c <= 0x206f && ch !== '–')) em += 1;
    else if (/[iljtf.,:;'|!()\[\] ]/.test(ch)) em += 0.3;
    else if (/[mwMW]/.test(ch)) em += 0.85;
    else if (/[A-Z0-9]/.test(ch)) em += 0.62;
    else em += 0.53;
  }
  return em * fontSize;
}

let vegaModules: Promise<{ vega: typeof import('vega'); vl: typeof import('vega-lite') }> | undefined;

/** Vega is heavy: loaded on the first chart only. */
function loadVega() {
  vegaModules ??= (async () => {
    const [vega, vl] = await Promise.all([import('vega'), import('vega-lite')]);
    (vega as unknown as { textMetrics: { width: (item: { fontSize?: number }, text: string) => number } }).textMetrics.width = (item, text) =>
      textWidth(String(text ?? ''), item.fontSize ?? 11);
    return { vega, vl };
  })();
  return vegaModules;
}

/** SVGs already drawn in this process, by their Vega-Lite spec: a chart shared by briefings is drawn once. */
const drawn = new Map<string, Promise<string>>();
const DRAWN_MAX = 256;

/**
 * What a drawn SVG is made from besides its spec: the versions of Vega, Vega-Lite and Node, and this
 * module's own code (the text widths above). Read once per process.
 */
let drawer: string | undefined;
function drawerIdentity(): string {
  if (drawer === undefined) {
    const require = createRequire(import.meta.url);
    const version = (pkg: string) => {
      // Their package.json is not exported: found beside the entry point, in the package's root.
      for (let dir = path.dirname(require.resolve(pkg)); dir !== path.dirname(dir); dir = path.dirname(dir)) {
        try {
          const json = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
          if (json.name === pkg) return `${pkg}@${json.version}`;
        } catch {
          // Not the package's root yet.
        }
      }
      throw new Error(`cannot find the version of ${pkg}`);
    };
    drawer = cacheKey(version('vega'), version('vega-lite'), process.version, readFileSync(fileURLToPath(import.meta.url)));
  }
  return drawer;
}

/**
 * Renders a chart to a standalone SVG string (no scripts, no external resources). Vega escapes the
 * labels (text and aria-label) it writes; inertSvg checks that what it wrote is only shapes and text.
 * With a cache folder (config.ts cacheFolder), a chart drawn by an earlier run from the same spec, Vega
 * and code is read from there (file-cache.ts), checked again, and Vega is not loaded at all.
 */
export async function renderChartSvg(chart: ChartView, langs: Lang[], accent: string, cacheDir?: string): Promise<string> {
  const spec = (chart.type === 'timeline' ? timelineSpec : barChartSpec)(chart, langs, accent);
  const key = JSON.stringify(spec);
  let svg = drawn.get(key);
  if (!svg) {
    if (drawn.size >= DRAWN_MAX) drawn.delete(drawn.keys().next().value!);
    svg = cacheDir ? drawCached(spec, key, new FileCache(cacheDir, 'charts', { max: 1024, maxBytes: 4e6 })) : draw(spec);
    drawn.set(key, svg);
    svg.catch(() => drawn.delete(key));
  }
  return svg;
}

async function drawCached(spec: TopLevelSpec, json: string, cache: FileCache): Promise<string> {
  let key: string;
  try {
    key = cacheKey(drawerIdentity(), json);
  } catch {
    // What the chart is drawn with cannot be told: drawn, not kept.
    return draw(spec);
  }
  const kept = cache.get(key);
  if (kept) return inertSvg(kept.toString('utf8'));
  const svg = await draw(spec);
  cache.set(key, svg);
  return svg;
}

async function draw(spec: TopLevelSpec): Promise<string> {
  const { vega, vl } = await loadVega();
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
  try {
    return ownClipIds(inertSvg(await view.toSVG()));
  } finally {
    view.finalize();
  }
}

/**
 * Vega numbers its clip paths for the whole process (clip1, clip2, … in the order charts are drawn), so a
 * chart's SVG depended on what the process drew before it, and two charts drawn by different runs (one
 * read from the cache) could carry the same id in one page, each clipped by the other's path. The ids
 * become the chart's own: numbered from 1 in the order they appear, after a hash of the chart, so the
 * same chart has the same SVG wherever it is drawn, and only an identical chart (clipped by identical
 * paths) shares its ids.
 */
export function ownClipIds(svg: string): string {
  const order = new Map<string, number>();
  const local = svg.replace(/(id="|url\(#)clip(\d+)\b/g, (_, before: string, n: string) => {
    if (!order.has(n)) order.set(n, order.size + 1);
    return `${before}clip-${order.get(n)}`;
  });
  if (!order.size) return svg;
  const own = cacheKey(local).slice(0, 12);
  return local.replace(/(id="|url\(#)clip-(\d+)\b/g, (_, before: string, n: string) => `${before}clip-${own}-${n}`);
}

import type { TopLevelSpec } from 'vega-lite';
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
 * Renders a chart to a standalone SVG string (no scripts, no external resources). Vega escapes the
 * labels (text and aria-label) it writes; inertSvg checks that what it wrote is only shapes and text.
 */
export async function renderChartSvg(chart: ChartView, langs: Lang[], accent: string): Promise<string> {
  const spec = (chart.type === 'timeline' ? timelineSpec : barChartSpec)(chart, langs, accent);
  const key = JSON.stringify(spec);
  let svg = drawn.get(key);
  if (!svg) {
    if (drawn.size >= DRAWN_MAX) drawn.delete(drawn.keys().next().value!);
    svg = draw(spec);
    drawn.set(key, svg);
    svg.catch(() => drawn.delete(key));
  }
  return svg;
}

async function draw(spec: TopLevelSpec): Promise<string> {
  const { vega, vl } = await loadVega();
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
  try {
    return inertSvg(await view.toSVG());
  } finally {
    view.finalize();
  }
}

import type { TopLevelSpec } from 'vega-lite';
import type { ChartView } from '../model/format.js';
import type { Lang } from '../data/quantities.js';

/** Latin from Noto Sans (so an English apostrophe is not a full-width one), Chinese from Noto Sans SC. */
export const CHART_FONT = 'Noto Sans, Noto Sans SC';
export const CHART_WIDTH = 340;

/** One line per printed language, joined by a newline Vega splits on. */
function lines(text: Partial<Record<Lang, string>>, langs: Lang[]): string {
  return langs.map((l) => text[l] ?? '').join('\n');
}

/**
 * A horizontal bar chart: one bar per fact, labelled with the fact's title and its formatted value in
 * each printed language. Labels are never truncated (labelLimit 0); the width is fixed so pages are stable.
 */
export function barChartSpec(chart: ChartView, langs: Lang[], accent: string): TopLevelSpec {
  const values = chart.rows.map((r, i) => ({ i, label: lines(r.label, langs), value: r.value, text: lines(r.formatted, langs) }));
  const step = langs.length > 1 ? 40 : 26;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: CHART_WIDTH,
    height: { step },
    background: null as unknown as string,
    padding: { left: 4, right: 4, top: 4, bottom: 4 },
    data: { values },
    encoding: {
      y: {
        field: 'label',
        type: 'nominal',
        sort: null,
        axis: { title: null, labelLimit: 0, labelExpr: "split(datum.label, '\\n')", labelFontSize: 11, labelPadding: 6, ticks: false, domain: false },
      },
      x: { field: 'value', type: 'quantitative', axis: null, scale: { domainMin: 0 } },
    },
    layer: [
      { mark: { type: 'bar', color: accent, cornerRadiusEnd: 2, height: { band: 0.7 } } },
      {
        mark: { type: 'text', align: 'left', dx: 4, fontSize: 10.5, lineBreak: '\n', color: '#222', baseline: 'middle', limit: 0 },
        encoding: { text: { field: 'text', type: 'nominal' } },
      },
    ],
    config: {
      font: CHART_FONT,
      view: { stroke: null },
      axis: { labelColor: '#222', labelFont: CHART_FONT },
    },
  } as TopLevelSpec;
}

/**
 * A vertical timeline: one row per milestone in date order, the date left of the line, the event right of it.
 * Rows are evenly spaced (dates a week apart stay legible); the dates carry the time.
 */
export function timelineSpec(chart: ChartView, langs: Lang[], accent: string): TopLevelSpec {
  const values = chart.rows.map((r, i) => ({ i, date: lines(r.formatted, langs), label: lines(r.label, langs) }));
  const step = langs.length > 1 ? 34 : 22;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 20,
    height: { step },
    background: null as unknown as string,
    padding: { left: 4, right: 4, top: 4, bottom: 4 },
    data: { values },
    encoding: { y: { field: 'i', type: 'ordinal', axis: null } },
    layer: [
      { mark: { type: 'rule', color: '#bbb', strokeWidth: 1.5 }, encoding: { x: { value: 10 }, y: { aggregate: 'min', field: 'i' }, y2: { aggregate: 'max', field: 'i' } } },
      { mark: { type: 'point', filled: true, size: 60, color: accent }, encoding: { x: { value: 10 } } },
      { mark: { type: 'text', align: 'right', baseline: 'middle', dx: -2, fontSize: 10, lineBreak: '\n', color: '#555', limit: 0 }, encoding: { x: { value: 0 }, text: { field: 'date' } } },
      { mark: { type: 'text', align: 'left', baseline: 'middle', dx: 4, fontSize: 10.5, lineBreak: '\n', color: '#222', limit: 0 }, encoding: { x: { value: 20 }, text: { field: 'label' } } },
    ],
    config: { font: CHART_FONT, view: { stroke: null } },
  } as TopLevelSpec;
}

import type { Text } from '../data/quantities.js';

/** Every fixed text a briefing prints, in both languages. */
export const LABELS = {
  briefing: { zh: '政策简报', en: 'Policy Briefing' },
  edition: { zh: '期次', en: 'Edition' },
  generated: { zh: '生成时间', en: 'Generated' },
  sourcesUsed: { zh: '资料来源', en: 'Sources used' },
  contents: { zh: '目录', en: 'Contents' },
  keyFigures: { zh: '关键数据', en: 'Key figures' },
  charts: { zh: '图表', en: 'Charts' },
  targets: { zh: '发展目标', en: 'Targets' },
  progress: { zh: '进展与现状', en: 'Progress' },
  milestones: { zh: '重要节点', en: 'Milestones' },
  initiatives: { zh: '项目与举措', en: 'Projects and initiatives' },
  sources: { zh: '资料来源与原文摘录', en: 'Sources and quoted passages' },
  asOf: { zh: '截至', en: 'as of' },
  targetFor: { zh: '目标年份', en: 'target for' },
  baseline: { zh: '基准年', en: 'baseline' },
  period: { zh: '统计期', en: 'period' },
  source: { zh: '来源', en: 'Source' },
  published: { zh: '发布', en: 'published' },
  quality: { zh: '文本说明', en: 'About the text' },
  item: { zh: '项目', en: 'Item' },
  value: { zh: '数值', en: 'Value' },
  noData: { zh: '本期暂无数据', en: 'No data in this edition' },
  noDataBody: {
    zh: '截至本期，资料来源中尚无该区域该主题的数据。',
    en: 'By the end of this edition’s month, no source had yet reported figures for this zone and theme.',
  },
  chartAlt: { zh: '条形图', en: 'Bar chart' },
} satisfies Record<string, Text>;

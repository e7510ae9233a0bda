import type { Lang, Text } from '../data/quantities.js';

/** Every fixed text a briefing prints, in both languages. */
export const LABELS = {
  briefing: { zh: '政策简报', en: 'Policy Briefing' },
  edition: { zh: '期次', en: 'Edition' },
  generated: { zh: '生成时间', en: 'Generated' },
  newestData: { zh: '最新数据', en: 'Newest figure' },
  lead: { zh: '导语', en: 'In brief' },
  contents: { zh: '目录', en: 'Contents' },
  keyFigures: { zh: '关键数据', en: 'Key figures' },
  charts: { zh: '图表', en: 'Charts' },
  targets: { zh: '发展目标', en: 'Targets' },
  progress: { zh: '进展与现状', en: 'Progress' },
  milestones: { zh: '重要节点', en: 'Milestones' },
  initiatives: { zh: '项目与举措', en: 'Projects and initiatives' },
  sources: { zh: '资料来源与原文摘录', en: 'Sources and quoted passages' },
  asOf: { zh: '截至', en: 'as of' },
  source: { zh: '来源', en: 'Source' },
  alsoStated: { zh: '同一数据', en: 'same figure' },
  notAdopted: { zh: '未采用的表述', en: 'reading not adopted' },
  noData: { zh: '本期暂无数据', en: 'No data in this edition' },
  noDataBody: {
    zh: '截至本期，资料来源中尚无该区域该主题的数据。',
    en: 'By the end of this edition’s month, no source had yet reported figures for this zone and theme.',
  },
  whatsNew: { zh: '本期新增', en: 'What’s new' },
  firstEdition: { zh: '首期：本区域本主题的数据首次收录于本期。', en: 'First edition: this zone and theme have data for the first time.' },
  nothingNew: { zh: '与上期相比没有新增数据。', en: 'No new figures since the previous edition.' },
  chartAlt: { zh: '条形图', en: 'Bar chart' },
  timelineAlt: { zh: '时间线', en: 'Timeline' },
  timeline: { zh: '重要节点时间线', en: 'Timeline of milestones' },
  earlier: { zh: '此前数据', en: 'Earlier figure' },
  overTime: { zh: '历次数据', en: 'over time' },
} satisfies Record<string, Text>;

/** Names printed for a time zone; any other is printed as its IANA name. */
const TIME_ZONE_NAMES: Record<string, Text> = { 'Asia/Shanghai': { zh: '北京时间', en: 'Beijing time' } };

/**
 * The bilingual phrases and punctuation a briefing composes around figures. Chinese runs words together
 * and uses full-width punctuation (截至2022年9月；目标2025年); English spaces them (as of Sep 2022; Target for 2025).
 */
export const PHRASES = {
  colon: { zh: '：', en: ': ' },
  stop: { zh: '。', en: '. ' },
  semicolon: { zh: '；', en: '; ' },
  /** A parenthetical after a figure: （2022年7—9月） / (Jul–Sep 2022). */
  aside: (text: string, l: Lang) => (l === 'zh' ? `（${text}）` : ` (${text})`),
  asOf: (date: string, l: Lang) => (l === 'zh' ? `截至${date}` : `as of ${date}`),
  target: (year: number, baseline: number | undefined, l: Lang) =>
    l === 'zh' ? `目标${year}年${baseline ? `（基准${baseline}年）` : ''}` : `Target for ${year}${baseline ? ` (baseline ${baseline})` : ''}`,
  whatsNewSince: (month: string, l: Lang) => (l === 'zh' ? `${LABELS.whatsNew.zh}（自${month}）` : `${LABELS.whatsNew.en} since ${month}`),
  stamp: (date: string, time: string, timeZone: string, l: Lang) => {
    const zone = TIME_ZONE_NAMES[timeZone]?.[l] ?? timeZone;
    return l === 'zh' ? `${date} ${time}（${zone}）` : `${date}, ${time} ${zone}`;
  },
  pastDeadline: (year: number, l: Lang) =>
    l === 'zh' ? `已过目标年份（${year}年）：资料中没有此后的数据，无从判断是否达成。` : `Past its target year (${year}): the sources hold no later figure to show whether it was met.`,
  noNewerData: (newest: string, months: number, l: Lang) =>
    l === 'zh'
      ? `本简报没有更新的数据：最新数据截至${newest}，距本期已${months}个月，引用前请核实现状。`
      : `This briefing holds no newer data: its newest figure is from ${newest}, ${months} months ago. Check before quoting.`,
  /** A resolved conflict: both readings (quoted in Chinese, in the Chinese line) and the reason. */
  conflict: (adopted: number, adoptedQuote: string, other: number, otherQuote: string, reason: string, l: Lang) =>
    l === 'zh'
      ? `资料分歧：[${adopted}]作“${adoptedQuote}”，[${other}]作“${otherQuote}”。${reason}`
      : `Sources differ: [${adopted}] and [${other}] give different readings (both quoted under Sources). ${reason}`,
};

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { normalizeText } from '../../src/data/normalize.js';
import { sameNumber } from '../../src/data/quantities.js';
import { figuresIn, parseChineseNumeral, quotedNumbers, type Figure } from '../../src/draft/figures.js';

/** The figures as plain tuples that read well in a failed assertion: [value, unit, noun, qualifier, text]. */
function read(clause: string): [number, string, string | undefined, string | undefined, string][] {
  return figuresIn(clause).map((f) => [f.value, f.unit, f.noun?.zh, f.qualifier, f.text]);
}

function only(clause: string): Figure {
  const figures = figuresIn(clause);
  expect(figures, clause).toHaveLength(1);
  return figures[0]!;
}

describe('scale words', () => {
  it('亿, 万, 万亿 and 千 multiply the digits before them', () => {
    expect(read('总投资591亿元')).toEqual([[59_100_000_000, 'CNY', undefined, undefined, '591亿元']]);
    expect(read('区域内公路通车总里程达到1.56万公里')).toEqual([[15_600, 'km', undefined, undefined, '1.56万公里']]);
    expect(read('高新技术企业达到5千家')).toEqual([[5000, 'count', '家', undefined, '5千家']]);
    expect(read('运送旅客22.4万人次')).toEqual([[224_000, 'person-times', undefined, undefined, '22.4万人次']]);
    expect(read('共新发和补换第三代社会保障卡17万张')).toEqual([[170_000, 'count', '张', undefined, '17万张']]);
    expect(read('市场规模1.2万亿元')).toEqual([[1_200_000_000_000, 'CNY', undefined, undefined, '1.2万亿元']]);
    expect(read('集聚科研人员1万名')).toEqual([[10_000, 'people', undefined, undefined, '1万名']]);
  });
  it('gives each figure its offset in the clause', () => {
    const clause = '建设总规模4322公里,总投资1439亿元';
    expect(figuresIn(clause).map((f) => [f.index, clause.slice(f.index, f.index + f.text.length)])).toEqual([[5, '4322公里'], [15, '1439亿元']]);
  });
  it('reads several figures of one clause in order', () => {
    expect(read('重点实施8个项目、542公里,总投资812亿元')).toEqual([
      [8, 'count', '个', undefined, '8个'],
      [542, 'km', undefined, undefined, '542公里'],
      [81_200_000_000, 'CNY', undefined, undefined, '812亿元'],
    ]);
    expect(read('确定了重点实验室等10类77个平台')).toEqual([
      [10, 'count', '类', undefined, '10类'],
      [77, 'count', '个', undefined, '77个'],
    ]);
  });
});

describe('qualifiers', () => {
  it('余 and 多 are over, before or after the scale', () => {
    expect(read('年综合利用太原二电厂、忻州广宇电厂脱硫石膏30余万吨')).toEqual([[300_000, 't/year', undefined, 'over', '30余万吨']]);
    expect(read('年可减少堆放占用的土地80余亩')).toEqual([[80, 'mu', undefined, 'over', '80余亩']]);
    expect(read('交界处与雄安新区直线距离100多公里')).toEqual([[100, 'km', undefined, 'over', '100多公里']]);
    expect(read('500多名工人同时作业')).toEqual([[500, 'people', undefined, 'over', '500多名']]);
    expect(read('带动1万多人就业')).toEqual([[10_000, 'people', undefined, 'over', '1万多人']]);
    expect(read('经过一年多努力')).toEqual([[1, 'year', undefined, 'over', '一年多']]);
  });
  it('超过, 突破 and 逾 are over', () => {
    expect(read('全社会劳动力持证率超过25%')).toEqual([[25, '%', undefined, 'over', '超过25%']]);
    expect(read('投资超过200亿元')).toEqual([[20_000_000_000, 'CNY', undefined, 'over', '超过200亿元']]);
    expect(read('新材料产业工业总产值突破2000亿元')).toEqual([[200_000_000_000, 'CNY', undefined, 'over', '突破2000亿元']]);
    expect(read('入驻企业逾百家')).toEqual([[100, 'count', '家', 'over', '逾百家']]);
  });
  it('以上, 不低于 and 不少于 are at-least', () => {
    expect(read('参保率稳定在95%以上')).toEqual([[95, '%', undefined, 'at-least', '95%以上']]);
    expect(read('引进100家以上的京津冀知名企业')).toEqual([[100, 'count', '家', 'at-least', '100家以上']]);
    expect(read('一级公路覆盖80%以上县(区、市)')).toEqual([[80, '%', undefined, 'at-least', '80%以上']]);
    expect(read('森林覆盖率不低于30%')).toEqual([[30, '%', undefined, 'at-least', '不低于30%']]);
    expect(read('每年新增不少于5家')).toEqual([[5, 'count', '家', 'at-least', '不少于5家']]);
  });
  it('约, 左右, 近 and 大约 are about', () => {
    expect(read('I级林地约7万公顷')).toEqual([[70_000, 'ha', undefined, 'about', '约7万公顷']]);
    expect(read('早晚高峰期发车间隔半小时左右')).toEqual([[30, 'min', undefined, 'about', '半小时左右']]);
    expect(read('吸纳就业近千名')).toEqual([[1000, 'people', undefined, 'about', '近千名']]);
    expect(read('增速大约5.5%')).toEqual([[5.5, '%', undefined, 'about', '大约5.5%']]);
  });
  it('以内, 最多, 不超过 and N年内 are up-to', () => {
    expect(read('驶入魏榆路、龙城大街快速路,最多15分钟到单位')).toEqual([[15, 'min', undefined, 'up-to', '最多15分钟']]);
    expect(read('误差控制在5%以内')).toEqual([[5, '%', undefined, 'up-to', '5%以内']]);
    expect(read('审批时间不超过20个工作日')).toEqual([[20, 'day', undefined, 'up-to', '不超过20个工作日']]);
    expect(read('3年内完成')).toEqual([[3, 'year', undefined, 'up-to', '3年内']]);
    expect(read('不到一秒钟就可以贴装一个元器件')).toEqual([[1, 's', undefined, 'up-to', '不到一秒钟']]);
  });
  it('leaves words that only end in 约/近/超 alone, and comparisons exact', () => {
    expect(read('其中太忻一体化经济区签约97个项目')).toEqual([[97, 'count', '个', undefined, '97个']]);
    expect(read('同比增长76.3%,高于全省68.3个百分点')).toEqual([
      [76.3, '%', undefined, undefined, '76.3%'],
      [68.3, 'pp', undefined, undefined, '68.3个百分点'],
    ]);
    expect(read('附近3公里')).toEqual([[3, 'km', undefined, undefined, '3公里']]);
  });
  it('近N年 is "the last N years", not "nearly"', () => {
    expect(read('近两年,晋中城市面貌发生了翻天覆地的变化')).toEqual([[2, 'year', undefined, undefined, '两年']]);
  });
});

describe('units', () => {
  it('percent, 百分之N and percentage points', () => {
    expect(read('开复工率达到75%')).toEqual([[75, '%', undefined, undefined, '75%']]);
    expect(read('占比达到百分之二十')).toEqual([[20, '%', undefined, undefined, '百分之二十']]);
    expect(read('增速高于全省67个百分点')).toEqual([[67, 'pp', undefined, undefined, '67个百分点']]);
    expect(read('高速公路客车ETC使用率提高5个百分点')).toEqual([[5, 'pp', undefined, undefined, '5个百分点']]);
  });
  it('倍 is a multiple, N分之M a fraction', () => {
    expect(read('产值增长2.5倍')).toEqual([[2.5, 'times', undefined, undefined, '2.5倍']]);
    expect(read('增长了一倍')).toEqual([[1, 'times', undefined, undefined, '一倍']]);
    const third = only('约占全省三分之一');
    expect(third).toMatchObject({ unit: 'fraction', text: '三分之一', index: 4 });
    expect(third.qualifier).toBeUndefined(); // 约 qualifies 占, not the number
    expect(sameNumber(third.value, 1 / 3)).toBe(true);
    expect(only('超过三分之二')).toMatchObject({ unit: 'fraction', qualifier: 'over', text: '超过三分之二' });
    expect(sameNumber(only('超过三分之二').value, 2 / 3)).toBe(true);
    expect(only('三分之一以上')).toMatchObject({ qualifier: 'at-least', text: '三分之一以上' });
  });
  it('lengths, speeds, densities and areas', () => {
    expect(read('也是山西建设的第一条时速350公里高速铁路')).toEqual([[350, 'km/h', undefined, undefined, '时速350公里']]);
    expect(read('设计速度350公里/小时')).toEqual([[350, 'km/h', undefined, undefined, '350公里/小时']]);
    expect(read('高速公路网密度达到4.9公里/百平方公里')).toEqual([[4.9, 'km/100km2', undefined, undefined, '4.9公里/百平方公里']]);
    expect(read('规划面积7万平方公里')).toEqual([[70_000, 'km2', undefined, undefined, '7万平方公里']]);
    expect(read('9月,太忻大道全线通车,41公里,双向6车道')).toEqual([
      [41, 'km', undefined, undefined, '41公里'],
      [6, 'count', '车道', undefined, '6车道'],
    ]);
  });
  it('per day and per year from 每天, 年产, 年综合利用 and the written rates', () => {
    expect(read('后期,这里的转运规模能达到每天250吨')).toEqual([[250, 't/day', undefined, undefined, '每天250吨']]);
    expect(read('污水处理能力10万吨/日')).toEqual([[100_000, 't/day', undefined, undefined, '10万吨/日']]);
    expect(read('项目全面投产之后,可实现年产200万台的计算机整机产能')).toEqual([[2_000_000, 'units/year', undefined, undefined, '年产200万台']]);
    expect(read('新开工建设的年产800万平方米装饰板项目')).toEqual([[8_000_000, 'm2/year', undefined, undefined, '年产800万平方米']]);
    expect(read('产能30万吨/年')).toEqual([[300_000, 't/year', undefined, undefined, '30万吨/年']]);
    expect(read('年度计划投资1756亿元')).toEqual([[175_600_000_000, 'CNY', undefined, undefined, '1756亿元']]);
  });
  it('time: seconds, minutes, hours in minutes, days, years as durations', () => {
    expect(read('完成一个成品主板只需要18秒')).toEqual([[18, 's', undefined, undefined, '18秒']]);
    expect(read('标志着太原晋中“15分钟交通圈”真正形成')).toEqual([[15, 'min', undefined, undefined, '15分钟']]);
    expect(read('累计减少重污染天数9天')).toEqual([[9, 'day', undefined, undefined, '9天']]);
    expect(read('今后4年,重点推进21个干线公路项目建设')).toEqual([
      [4, 'year', undefined, undefined, '4年'],
      [21, 'count', '个', undefined, '21个'],
    ]);
    expect(read('山西大学附属中学晋中学校已入驻招生两年')).toEqual([[2, 'year', undefined, undefined, '两年']]);
  });
  it('people and person-times', () => {
    expect(read('两市居民共有8790人次享受直接结算服务的便利')).toEqual([[8790, 'person-times', undefined, undefined, '8790人次']]);
    expect(read('新增就业3000人')).toEqual([[3000, 'people', undefined, undefined, '3000人']]);
  });
  it('counts take the measure word as written', () => {
    expect(read('截至9月底,共运行494列')).toEqual([[494, 'count', '列', undefined, '494列']]);
    expect(read('日常开行的动车组列车达到12对')).toEqual([[12, 'count', '对', undefined, '12对']]);
    expect(read('对区域内755户规上工业企业进行全面梳理')).toEqual([[755, 'count', '户', undefined, '755户']]);
    expect(read('太原市属5所职业培训学校')).toEqual([[5, 'count', '所', undefined, '5所']]);
    expect(read('包括自然保护地25处')).toEqual([[25, 'count', '处', undefined, '25处']]);
    expect(read('生态环境政策措施30条')).toEqual([[30, 'count', '条', undefined, '30条']]);
    expect(read('今年已推出10项便民实事')).toEqual([[10, 'count', '项', undefined, '10项']]);
    expect(read('围绕10大重点区域')).toEqual([[10, 'count', '大', undefined, '10大']]);
    expect(read('分为发展规划、空间规划、专项规划3大类规划')).toEqual([[3, 'count', '大类', undefined, '3大类']]);
    expect(read('全面完成区域内12县(市、区)钢铁、焦化、水泥行业超低排放改造')).toEqual([[12, 'count', '县(市、区)', undefined, '12县(市、区)']]);
    expect(only('已有50家数字经济头部企业注册').noun).toEqual({ zh: '家', en: '' });
  });
});

describe('Chinese numerals', () => {
  it('reads them before a measure word or a unit', () => {
    expect(read('日常开行的动车组列车达到十二对')).toEqual([[12, 'count', '对', undefined, '十二对']]);
    expect(read('以108、208两条国道路升级改造为重点')).toEqual([[2, 'count', '条', undefined, '两条']]);
    expect(read('推进三个新建项目')).toEqual([[3, 'count', '个', undefined, '三个']]);
    expect(read('二十多个县')).toEqual([[20, 'count', '个', 'over', '二十多个']]);
    expect(read('三十余万吨')).toEqual([[300_000, 't', undefined, 'over', '三十余万吨']]);
    expect(read('重点打造新材料、现代农业等七大产业集群')).toEqual([[7, 'count', '大', undefined, '七大']]);
    expect(read('明确了需要重点保护的两类资源')).toEqual([[2, 'count', '类', undefined, '两类']]);
  });
  it('parses numerals', () => {
    expect(parseChineseNumeral('十二')).toBe(12);
    expect(parseChineseNumeral('二十')).toBe(20);
    expect(parseChineseNumeral('两')).toBe(2);
    expect(parseChineseNumeral('一百零五')).toBe(105);
    expect(parseChineseNumeral('三亿五千万')).toBe(350_000_000);
    expect(parseChineseNumeral('二十五点五')).toBe(25.5);
    expect(parseChineseNumeral('二〇二二')).toBe(2022);
    expect(parseChineseNumeral('十四五')).toBeUndefined();
    expect(parseChineseNumeral('三四')).toBeUndefined();
  });
  it('十四五 names a plan; a lone 一 is an article; 两市 refers to the two cities', () => {
    expect(read('力争到“十四五”末,引进100家以上的京津冀知名企业')).toEqual([[100, 'count', '家', 'at-least', '100家以上']]);
    expect(read('十四五期间')).toEqual([]);
    expect(read('不到一秒钟就可以贴装一个元器件')).toHaveLength(1);
    expect(read('一批企业将“拎包入住”,工作人员指着一台已安装好的垃圾运输带')).toEqual([]);
    expect(read('太原、忻州两市共开通')).toEqual([]);
    expect(read('召开第一次会商视频会议')).toEqual([]);
  });
  it('quoted slogans in Chinese numerals are not figures; quoted speech is read', () => {
    expect(read('建立“三个一批”政策供给清单')).toEqual([]);
    expect(read('明确了“一年见效、三年成形、五年成势、十年成城”的发展目标')).toEqual([]);
    expect(read('形成了一个总体规划、一张任务清单的“六个一”具体抓手')).toEqual([]);
    expect(read('他说,“近两年,面貌大变,新开了三家工厂。”')).toEqual([
      [2, 'year', undefined, undefined, '两年'],
      [3, 'count', '家', undefined, '三家'],
    ]);
  });
});

describe('full-width digits', () => {
  it('reads １２３％ and １，８８３ with the offsets of the input', () => {
    expect(read('比例达到１２３％')).toEqual([[123, '%', undefined, undefined, '１２３％']]);
    const f = only('定点医疗机构１，８８３家');
    expect(f).toMatchObject({ value: 1883, unit: 'count', text: '１，８８３家', index: 6 });
  });
});

describe('what is not a value', () => {
  it('calendar years, months, days, dates and times', () => {
    expect(read('2022年,太忻一体化经济区入库亿元以上重大项目共计682个')).toEqual([[682, 'count', '个', undefined, '682个']]);
    expect(read('力争到2025年,高速铁路新增里程200公里')).toEqual([[200, 'km', undefined, undefined, '200公里']]);
    expect(read('7月4日首发以来')).toEqual([]);
    expect(read('10月23日,走进大盂产业新城')).toEqual([]);
    expect(read('1—9月,太忻一体化经济区基础设施投资完成186.1亿元')).toEqual([[18_610_000_000, 'CNY', undefined, undefined, '186.1亿元']]);
    expect(read('今年1月至8月')).toEqual([]);
    expect(read('上半年')).toEqual([]);
    expect(read('2022-11-06 18:15:06 来源:山西日报')).toEqual([]);
    expect(read('2022年10月至2023年2月,三市累计减少重污染天数9天')).toEqual([[9, 'day', undefined, undefined, '9天']]);
    expect(read('细颗粒物(PM2.5)浓度较2020年下降20%')).toEqual([[20, '%', undefined, undefined, '20%']]);
    expect(read('二〇二二年')).toEqual([]);
    expect(read('2021—2025年')).toEqual([]);
  });
  it('ordinals, identifiers, levels, schemes, titles, phone numbers and ids', () => {
    expect(read('该项目有望成为全国布局的第三家新材料创新基地')).toEqual([]);
    expect(read('第一条')).toEqual([]);
    expect(read('全面提升108主轴通行能力')).toEqual([]);
    expect(read('G5京昆高速')).toEqual([]);
    expect(read('5G基站')).toEqual([]);
    expect(read('二级公路覆盖全部3A级以上旅游景区')).toEqual([]);
    expect(read('4A级景区')).toEqual([]);
    expect(read('打造千亿级特钢材料产业集群')).toEqual([]);
    expect(read('提出重点打造“8+6”产业链条')).toEqual([]);
    expect(read('构建“2+5+N”承接产业转移空间布局')).toEqual([]);
    expect(read('按照完善“3纵5横”的布局')).toEqual([]);
    expect(read('印发《关于支持3个项目的10条措施》')).toEqual([]);
    expect(read('咨询电话0351-1234567')).toEqual([]);
    expect(read('NewsShare.html?infoCode=NW202205192384807943')).toEqual([]);
    expect(read('晋中公交公司东场至太原富士康912路开通,Z2路')).toEqual([]);
    expect(read('阳曲、原平、繁峙、定襄、五台、代县等剩余6个县(市)')).toEqual([[6, 'count', '个', undefined, '6个']]);
  });
  it('a month count and foreign currencies have no unit', () => {
    expect(read('3个多月')).toEqual([]);
    expect(read('5亿美元')).toEqual([]);
  });
});

describe('ranges', () => {
  it('give the low end at-least and the high end up-to, with the whole range as text', () => {
    expect(read('建设周期3—5年')).toEqual([
      [3, 'year', undefined, 'at-least', '3—5年'],
      [5, 'year', undefined, 'up-to', '3—5年'],
    ]);
    expect(read('每户补贴3-5万元')).toEqual([
      [30_000, 'CNY', undefined, 'at-least', '3-5万元'],
      [50_000, 'CNY', undefined, 'up-to', '3-5万元'],
    ]);
    expect(read('建设三至五个')).toEqual([
      [3, 'count', '个', 'at-least', '三至五个'],
      [5, 'count', '个', 'up-to', '三至五个'],
    ]);
  });
});

describe('quotedNumbers', () => {
  it('holds raw and scaled digits, Chinese numerals and fractions', () => {
    expect(quotedNumbers('总投资591亿元')).toEqual(expect.arrayContaining([591, 59_100_000_000]));
    expect(quotedNumbers('30余万吨')).toEqual(expect.arrayContaining([30, 300_000]));
    expect(quotedNumbers('两条国道')).toContain(2);
    expect(quotedNumbers('十二对')).toContain(12);
    expect(quotedNumbers('百分之二十')).toContain(20);
    expect(quotedNumbers('“5+3”重点产业链')).toEqual(expect.arrayContaining([5, 3]));
    const third = figuresIn('三分之一')[0]!.value;
    expect(quotedNumbers('三分之一')).toContain(third);
    expect(quotedNumbers('１２３％')).toContain(123);
  });
});

// ── The fact base as the answer key ──────────────────────────────────────────────────────────────────────

interface StoredValue { value: number; unit: string; qualifier?: string; noun?: { zh: string } }
interface StoredFact { id: string; values?: StoredValue[]; source: { quote: string } }

const FACTS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../data/facts');

function storedFacts(): StoredFact[] {
  const out: StoredFact[] = [];
  for (const zone of readdirSync(FACTS_DIR).sort()) {
    for (const file of readdirSync(path.join(FACTS_DIR, zone)).filter((f) => f.endsWith('.yaml')).sort()) {
      const doc = yaml.load(readFileSync(path.join(FACTS_DIR, zone, file), 'utf8'), { schema: yaml.JSON_SCHEMA }) as { facts?: StoredFact[] };
      out.push(...(doc.facts ?? []));
    }
  }
  return out;
}

describe('the fact base', () => {
  const facts = storedFacts();
  const values = facts.flatMap((fact) => (fact.values ?? []).map((v) => ({ fact, v, quote: normalizeText(fact.source.quote) })));

  it('has values to check', () => {
    expect(values.length).toBeGreaterThan(100);
  });

  it('figuresIn finds at least 95% of the stored values in their quotes (value, unit, qualifier)', () => {
    const misses: string[] = [];
    for (const { fact, v, quote } of values) {
      const found = figuresIn(quote).some((f) => sameNumber(f.value, Number(v.value)) && f.unit === v.unit && (f.qualifier ?? '') === (v.qualifier ?? ''));
      if (!found) {
        const got = figuresIn(quote).map((f) => `${f.value} ${f.unit}${f.qualifier ? ` ${f.qualifier}` : ''}`).join('; ') || 'nothing';
        misses.push(`${fact.id}: ${v.value} ${v.unit}${v.qualifier ? ` ${v.qualifier}` : ''} in "${quote}" (found: ${got})`);
      }
    }
    const score = (values.length - misses.length) / values.length;
    expect(score, `${values.length - misses.length} of ${values.length} found; misses:\n${misses.join('\n')}`).toBeGreaterThanOrEqual(0.95);
  });

  it('quotedNumbers holds every stored value of every quote', () => {
    const misses = values
      .filter(({ v, quote }) => !quotedNumbers(quote).some((n) => sameNumber(n, Number(v.value))))
      .map(({ fact, v, quote }) => `${fact.id}: ${v.value} in "${quote}"`);
    expect(misses, misses.join('\n')).toEqual([]);
  });
});

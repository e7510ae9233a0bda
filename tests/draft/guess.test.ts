import { describe, expect, it } from 'vitest';
import { clausesOf } from '../../src/draft/clauses.js';
import { dateClause, openingPeriod } from '../../src/draft/guess.js';

/** The one clause of a sentence, and how it is dated for a source published on `published`. */
function dated(sentence: string, published: string, opening?: ReturnType<typeof openingPeriod>) {
  const clauses = clausesOf(sentence);
  expect(clauses, sentence).toHaveLength(1);
  const { kind, as_of, period, notes } = dateClause(clauses[0]!, published, opening);
  return { quote: clauses[0]!.text, figures: clauses[0]!.figures.map((f) => f.text), kind, as_of, period, notes };
}

describe('a figure compared with last year', () => {
  it('stays with its subject, and is dated as the subject is, not to last year', () => {
    expect(dated('交通方面，城际公交累计运送旅客42万人次，比去年同期增长35%。', '2023-10-18')).toMatchObject({
      quote: '交通方面,城际公交累计运送旅客42万人次,比去年同期增长35%',
      figures: ['42万人次', '35%'],
      kind: 'metric',
      as_of: '2023-10',
    });
    expect(dated('全市新登记市场主体1.8万户，较上年增长12%。', '2023-06-20')).toMatchObject({ figures: ['1.8万户', '12%'], as_of: '2023-06' });
    expect(dated('规上工业增加值同比增长6.5%。', '2023-08-05')).toMatchObject({ as_of: '2023-08' });
  });

  it('with a year written as the baseline (与2022年相比, 较2021年) takes its date elsewhere', () => {
    expect(dated('与2022年相比，园区企业新增300家。', '2023-07-12')).toMatchObject({ as_of: '2023-07' });
    expect(dated('截至6月底，入驻企业较2021年增加120家。', '2023-07-12')).toMatchObject({ as_of: '2023-06' });
  });

  it('still reads a figure said of last year as last year’s', () => {
    expect(dated('去年全区新建5G基站1200个。', '2023-03-15')).toMatchObject({ as_of: '2022-12', notes: ['dated to the end of 2022: the clause gives the year only'] });
    expect(dated('2022年完成造林3万亩。', '2023-03-15')).toMatchObject({ as_of: '2022-12' });
  });
});

describe('the period an article opens with', () => {
  const ARTICLE = '经济区建设三季度进展\n来源：忻州日报 2023年10月18日\n10月17日，记者从推进会上获悉，今年前三季度，经济区重点项目建设加快推进。\n交通方面，城际公交线路运送旅客42万人次。';

  it('is read from the first sentences, with its year when one is written before it', () => {
    expect(openingPeriod(ARTICLE, '2023-10-18')).toEqual({ from: 1, to: 9, year: 2023, phrase: '今年前三季度' });
    expect(openingPeriod('2023年第一季度，全市新增企业300家。', '2023-04-20')).toEqual({ from: 1, to: 3, year: 2023, phrase: '2023年第一季度' });
    expect(openingPeriod('1—9月，园区完成投资18亿元。', '2023-10-20')).toEqual({ from: 1, to: 9, phrase: '1—9月' });
    expect(openingPeriod('2022年1—9月，园区完成投资18亿元。', '2023-03-20')).toEqual({ from: 1, to: 9, year: 2022, phrase: '2022年1—9月' });
    expect(openingPeriod('今年1—6月，园区完成投资18亿元。', '2023-07-20')).toEqual({ from: 1, to: 6, year: 2023, phrase: '今年1—6月' });
    expect(openingPeriod('记者从推进会上获悉，项目建设加快推进。交通方面进展明显。产业方面亦然。上半年新增企业300家。', '2023-07-20')).toBeUndefined();
  });

  it('dates a figure the text gives no date of its own, and leaves running totals and dated figures alone', () => {
    const opening = openingPeriod(ARTICLE, '2023-10-18');
    expect(dated('产业方面，经济区内新签约项目56个。', '2023-10-18', opening)).toMatchObject({
      as_of: '2023-09',
      period: { from: '2023-01', to: '2023-09' },
      notes: ['period taken from the article\'s opening "今年前三季度": the clause gives no date of its own'],
    });
    expect(dated('城际公交线路累计运送旅客42万人次。', '2023-10-18', opening)).toMatchObject({ as_of: '2023-10', period: undefined });
    expect(dated('截至8月底，新增企业300家。', '2023-10-18', opening)).toMatchObject({ as_of: '2023-08', period: undefined });
    expect(dated('去年全区新建5G基站1200个。', '2023-10-18', opening)).toMatchObject({ as_of: '2022-12', period: undefined });
  });
});

describe('months', () => {
  it('are 1 to 12: "13—15月" in a damaged or hostile text dates nothing, in an opening or in a clause', () => {
    expect(openingPeriod('今年13—15月，园区完成投资18亿元。', '2023-10-20')).toBeUndefined();
    expect(dated('13—15月，园区完成投资18亿元。', '2023-10-20')).toMatchObject({ as_of: '2023-10', period: undefined });
    expect(dated('截至10月底，新增企业300家。', '2023-12-20')).toMatchObject({ as_of: '2023-10' });
    expect(dated('2023年1—12月，完成投资18亿元。', '2023-12-20')).toMatchObject({ period: { from: '2023-01', to: '2023-12' } });
  });
});

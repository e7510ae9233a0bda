import { describe, expect, it } from 'vitest';
import { clausesOf } from '../../src/draft/clauses.js';
import { dateClause } from '../../src/draft/guess.js';

/** The one clause of a sentence, and how it is dated for a source published on `published`. */
function dated(sentence: string, published: string) {
  const clauses = clausesOf(sentence);
  expect(clauses, sentence).toHaveLength(1);
  const { kind, as_of, notes } = dateClause(clauses[0]!, published);
  return { quote: clauses[0]!.text, figures: clauses[0]!.figures.map((f) => f.text), kind, as_of, notes };
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

import { describe, expect, it } from 'vitest';
import { formatDate, formatPeriod, formatQuantity, numbersIn } from '../../src/data/quantities.js';

describe('formatQuantity', () => {
  it('writes yuan with 亿 in Chinese and billion in English', () => {
    expect(formatQuantity({ value: 59_100_000_000, unit: 'CNY' }, 'zh')).toBe('591亿元');
    expect(formatQuantity({ value: 59_100_000_000, unit: 'CNY' }, 'en')).toBe('CNY 59.1 billion');
    expect(formatQuantity({ value: 2_460_000_000, unit: 'CNY' }, 'zh')).toBe('24.6亿元');
    expect(formatQuantity({ value: 972_600_000_000, unit: 'CNY' }, 'en')).toBe('CNY 972.6 billion');
  });
  it('writes 万 in Chinese and grouped digits in English', () => {
    expect(formatQuantity({ value: 224_000, unit: 'person-times' }, 'zh')).toBe('22.4万人次');
    expect(formatQuantity({ value: 224_000, unit: 'person-times' }, 'en')).toBe('224,000 person-times');
    expect(formatQuantity({ value: 15_600, unit: 'km' }, 'zh')).toBe('1.56万公里');
    expect(formatQuantity({ value: 15_600, unit: 'km' }, 'en')).toBe('15,600 km');
    expect(formatQuantity({ value: 1883, unit: 'count', noun: { zh: '家', en: 'pharmacies' } }, 'zh')).toBe('1883家');
    expect(formatQuantity({ value: 1883, unit: 'count', noun: { zh: '家', en: 'pharmacies' } }, 'en')).toBe('1,883 pharmacies');
  });
  it('keeps percent and percentage points apart', () => {
    expect(formatQuantity({ value: 76.3, unit: '%' }, 'en')).toBe('76.3%');
    expect(formatQuantity({ value: 68.3, unit: 'pp' }, 'en')).toBe('68.3 percentage points');
    expect(formatQuantity({ value: 68.3, unit: 'pp' }, 'zh')).toBe('68.3个百分点');
    expect(formatQuantity({ value: 1, unit: 'pp' }, 'en')).toBe('1 percentage point');
  });
  it('states qualifiers in both languages', () => {
    expect(formatQuantity({ value: 95, unit: '%', qualifier: 'at-least' }, 'zh')).toBe('95%以上');
    expect(formatQuantity({ value: 95, unit: '%', qualifier: 'at-least' }, 'en')).toBe('at least 95%');
    expect(formatQuantity({ value: 200_000_000_000, unit: 'CNY', qualifier: 'over' }, 'en')).toBe('over CNY 200 billion');
  });
});

describe('formatQuantity: areas, multiples and fractions', () => {
  it('writes km² as 平方公里', () => {
    expect(formatQuantity({ value: 70_000, unit: 'km2' }, 'zh')).toBe('7万平方公里');
    expect(formatQuantity({ value: 70_000, unit: 'km2' }, 'en')).toBe('70,000 km²');
    expect(formatQuantity({ value: 1_560_000, unit: 'km2', qualifier: 'about' }, 'en')).toBe('about 1.56 million km²');
  });
  it('writes a multiple as 倍 / times', () => {
    expect(formatQuantity({ value: 2.5, unit: 'times' }, 'zh')).toBe('2.5倍');
    expect(formatQuantity({ value: 2.5, unit: 'times' }, 'en')).toBe('2.5 times');
    expect(formatQuantity({ value: 3, unit: 'times', qualifier: 'over' }, 'en')).toBe('over 3 times');
  });
  it('writes a fraction as N分之M / words, by the smallest denominator up to 12', () => {
    expect(formatQuantity({ value: 1 / 3, unit: 'fraction' }, 'zh')).toBe('三分之一');
    expect(formatQuantity({ value: 1 / 3, unit: 'fraction' }, 'en')).toBe('one third');
    expect(formatQuantity({ value: 2 / 3, unit: 'fraction', qualifier: 'over' }, 'zh')).toBe('超过三分之二');
    expect(formatQuantity({ value: 2 / 3, unit: 'fraction', qualifier: 'over' }, 'en')).toBe('over two thirds');
    expect(formatQuantity({ value: 0.25, unit: 'fraction' }, 'en')).toBe('one quarter');
    expect(formatQuantity({ value: 0.5, unit: 'fraction' }, 'en')).toBe('one half');
    expect(formatQuantity({ value: 2 / 4, unit: 'fraction' }, 'zh')).toBe('二分之一');
    expect(formatQuantity({ value: 5 / 12, unit: 'fraction' }, 'zh')).toBe('十二分之五');
    expect(formatQuantity({ value: 5 / 12, unit: 'fraction' }, 'en')).toBe('five twelfths');
    expect(formatQuantity({ value: 0.3333333333, unit: 'fraction', qualifier: 'at-least' }, 'zh')).toBe('三分之一以上');
    expect(formatQuantity({ value: 0.3333333333, unit: 'fraction', qualifier: 'at-least' }, 'en')).toBe('at least one third');
  });
  it('falls back to M/N, then to the decimal', () => {
    expect(formatQuantity({ value: 1.5, unit: 'fraction' }, 'en')).toBe('3/2');
    expect(formatQuantity({ value: 1.5, unit: 'fraction' }, 'zh')).toBe('二分之三');
    expect(formatQuantity({ value: 0.005, unit: 'fraction' }, 'zh')).toBe('千分之五');
    expect(formatQuantity({ value: 0.005, unit: 'fraction' }, 'en')).toBe('5/1000');
    expect(formatQuantity({ value: 0.123456, unit: 'fraction' }, 'en')).toBe('0.123456');
  });
});

describe('dates', () => {
  it('formats months, days and periods', () => {
    expect(formatDate('2022-10', 'zh')).toBe('2022年10月');
    expect(formatDate('2022-10', 'en')).toBe('Oct 2022');
    expect(formatDate('2022-07-04', 'en')).toBe('4 Jul 2022');
    expect(formatPeriod('2022-01', '2022-09', 'zh')).toBe('2022年1—9月');
    expect(formatPeriod('2022-10', '2023-02', 'en')).toBe('Oct 2022–Feb 2023');
  });
});

describe('numbersIn', () => {
  it('reads Chinese and English magnitudes into base units', () => {
    expect(numbersIn('总投资591亿元')).toContain(59_100_000_000);
    expect(numbersIn('年综合利用脱硫石膏30余万吨')).toContain(300_000);
    expect(numbersIn('CNY 59.1 billion and 224,000 trips')).toEqual([59_100_000_000, 224_000]);
    expect(numbersIn('高新技术企业达到5千家')).toContain(5000);
    expect(numbersIn('591亿元', { raw: true })).toEqual([59_100_000_000, 591]);
  });
});

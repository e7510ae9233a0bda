import { describe, expect, it } from 'vitest';
import { normalizeText } from '../../src/data/normalize.js';

describe('normalizeText', () => {
  it('removes pinyin after characters and converts Traditional to Simplified', () => {
    expect(normalizeText('“北引擎”動(dòng)力澎湃')).toBe('“北引擎”动力澎湃');
    expect(normalizeText('運(yùn)送旅客22.4萬(wàn)人次')).toBe('运送旅客22.4万人次');
  });
  it('keeps parentheses that are not pinyin', () => {
    expect(normalizeText('國(guó)科(山西)新材料')).toBe('国科(山西)新材料');
  });
  it('strips HTML tags, entities and typesetting markup, and folds widths and spaces', () => {
    expect(normalizeText('<p><strong>一是</strong>&nbsp;细颗粒物(PM_{2.5})浓度</p>')).toBe('一是细颗粒物(PM2.5)浓度');
    expect(normalizeText('力争到2025年，高速\n\n铁路')).toBe(normalizeText('力争到2025年,高速铁路'));
  });
});

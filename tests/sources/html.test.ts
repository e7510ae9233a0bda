import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { normalizeText, stripMarkup } from '../../src/data/normalize.js';
import { isHtml, pageMeta } from '../../src/sources/html.js';

const root = path.resolve(import.meta.dirname, '../..');
const seed = (id: string) => readFileSync(path.join(root, 'data/sources', `${id}.txt`), 'utf8');
const intake = (name: string) => readFileSync(path.join(root, 'tests/fixtures/intake', name), 'utf8');
const page = intake('page-article.html');
const article = intake('decode-article.txt');

/** The page without the tags named (each a whole <meta …> line). */
const without = (html: string, ...names: string[]) =>
  html
    .split('\n')
    .filter((l) => !names.some((n) => l.includes(`"${n}"`)))
    .join('\n');

describe('isHtml', () => {
  it('knows a saved web page', () => {
    expect(isHtml(page)).toBe(true);
    expect(isHtml(`\uFEFF\n<!doctype html><p>太忻一体化经济区</p>`)).toBe(true);
    expect(isHtml('<html><body><p>太忻一体化经济区</p></body></html>')).toBe(true);
    expect(isHtml('<meta charset="gbk"><title>太忻</title><p>正文</p>')).toBe(true);
  });

  it('does not take a text with tags in it for a page', () => {
    expect(isHtml(seed('003_466644770ae55d01'))).toBe(false); // <p> and <strong> throughout, front matter, no page
    for (const id of ['000_32369ebad8b3415c', '001_70f2ad6bdfded294', '002_b1665f918e888616', '004_3fd6a3c8a5be216f']) expect(isHtml(seed(id))).toBe(false);
    expect(isHtml(article)).toBe(false);
    expect(isHtml('细颗粒物<strong>(PM2.5)</strong>浓度下降<br>20%')).toBe(false);
  });
});

describe('pageMeta: a saved web page', () => {
  it('reads og:title, article:published_time and the source the date line names', () => {
    expect(pageMeta(page)).toEqual({ title: '太忻一体化经济区前三季度重点项目建设提速', date: '2023-10-12', publisher: '忻州日报' });
  });

  it('takes <title> without its site suffix when there is no og:title, and the suffix as the publisher', () => {
    const bare = page
      .replace(/<meta (property|name)="(og:title|og:site_name|source|article:published_time)"[^>]*>\n/g, '')
      .replace('来源：忻州日报&nbsp;&nbsp;', '');
    expect(pageMeta(bare).title).toBe('太忻一体化经济区前三季度重点项目建设提速');
    expect(pageMeta(bare).publisher).toBe('忻州新闻网');
  });

  it('splits only site names off a title', () => {
    const titled = (t: string) => pageMeta(`<html><head><title>${t}</title></head><body></body></html>`);
    expect(titled('太忻大道全线通车 - 山西日报')).toEqual({ title: '太忻大道全线通车', publisher: '山西日报' });
    expect(titled('太忻大道全线通车_新华网')).toEqual({ title: '太忻大道全线通车', publisher: '新华网' });
    expect(titled('太忻大道全线通车|中国发展网')).toEqual({ title: '太忻大道全线通车', publisher: '中国发展网' });
    expect(titled('太忻大道全线通车_山西频道_新华网')).toEqual({ title: '太忻大道全线通车', publisher: '新华网' });
    expect(titled('太忻大道全线通车 - www.sxrb.com')).toEqual({ title: '太忻大道全线通车', publisher: 'www.sxrb.com' });
    expect(titled('太原-忻州城际动车开通 - 山西新闻网')).toEqual({ title: '太原-忻州城际动车开通', publisher: '山西新闻网' });
    expect(titled('融入京津冀 “北引擎”动力澎湃——我省高起点建设太忻一体化经济区')).toEqual({ title: '融入京津冀 “北引擎”动力澎湃——我省高起点建设太忻一体化经济区' });
    expect(titled('太忻一体化 | 专家解读')).toEqual({ title: '太忻一体化 | 专家解读' });
    expect(titled('太忻大道&nbsp;全线通车&mdash;&mdash;沿线见闻')).toEqual({ title: '太忻大道 全线通车——沿线见闻' });
  });

  it('reads the date from the meta tags a page may use', () => {
    const dated = (tag: string) => pageMeta(`<html><head><title>标题</title>${tag}</head><body><p>正文</p></body></html>`).date;
    expect(dated('<meta name="PubDate" content="2023-03-05 10:20:00">')).toBe('2023-03-05');
    expect(dated('<meta name="publishdate" content="2023年3月5日">')).toBe('2023-03-05');
    expect(dated('<meta content="2023/03/05" name="pubdate" />')).toBe('2023-03-05');
    expect(dated("<meta property='og:release_date' content='2023-03-05T08:00:00Z'>")).toBe('2023-03-05');
    expect(dated('<meta name="DC.date" content="20230305">')).toBe('2023-03-05');
    expect(dated('<meta name="date" content="2023-03">')).toBe('2023-03');
    expect(dated('<meta name="pubdate" content="2023-02-30">')).toBeUndefined(); // no such day
    expect(pageMeta('<html><body><h1>标题</h1><time datetime="2023-03-05T08:00">3月5日</time></body></html>').date).toBe('2023-03-05');
    expect(pageMeta('<html><head><script type="application/ld+json">{"@type":"NewsArticle","datePublished":"2023-03-05T08:00:00+08:00"}</script></head><body></body></html>').date).toBe('2023-03-05');
  });

  it('without date metas, takes the date line under the headline, not the date in the site header', () => {
    const noMeta = without(page, 'article:published_time');
    expect(noMeta).toContain('2023年12月1日 星期五'); // today's date, in the header above the headline
    expect(pageMeta(noMeta).date).toBe('2023-10-12');
  });

  it('prefers the labelled date line to a bare date above it when the headline is not found', () => {
    const noMeta = without(page, 'article:published_time').replace('<h1 class="title">太忻一体化经济区前三季度重点项目建设提速</h1>', '<h1>重点项目建设提速</h1>');
    expect(pageMeta(noMeta).date).toBe('2023-10-12');
  });

  it('does not take 本报 or 本站 for a publisher', () => {
    expect(pageMeta('标题\n2023-03-05 来源：本站\n\n正文。').publisher).toBeUndefined();
  });

  it('takes the publisher from og:site_name when nothing names a source', () => {
    const noSource = without(page, 'source').replace('来源：忻州日报', '');
    expect(pageMeta(noSource).publisher).toBe('忻州新闻网');
  });

  it('gives a Traditional source in Simplified', () => {
    const trad = page.replace('来源：忻州日报', '來源：忻州日報');
    expect(pageMeta(trad).publisher).toBe('忻州日报');
  });
});

describe('pageMeta: a plain text', () => {
  it('reads title, date line and source', () => {
    expect(pageMeta(article)).toEqual({ title: '太忻一体化经济区前三季度重点项目建设提速', date: '2023-10-12', publisher: '忻州日报' });
  });

  it('reads a Traditional date line and gives the publisher in Simplified', () => {
    const text = '融入京津冀 “北引擎”動力澎湃\n\n2022-11-06 18:15:06 來源:山西日報   瀏覽次數:\n\n  大道通衢,長路放歌。';
    expect(pageMeta(text)).toEqual({ title: '融入京津冀 “北引擎”动力澎湃', date: '2022-11-06', publisher: '山西日报' });
  });

  it('reads the date lines of the forms in use', () => {
    const dateOf = (line: string) => pageMeta(`标题\n${line}\n\n　　正文第一段。`).date;
    expect(dateOf('2023年3月5日')).toBe('2023-03-05');
    expect(dateOf('发布时间：2023-03-05')).toBe('2023-03-05');
    expect(dateOf('發布時間：2023-03-05 10:00')).toBe('2023-03-05');
    expect(dateOf('【2023-03-05】')).toBe('2023-03-05');
    expect(dateOf('2023年3月5日 星期日')).toBe('2023-03-05');
    expect(dateOf('本报记者 张三 2023年3月5日')).toBe('2023-03-05');
    expect(dateOf('日期: 2023.3.5')).toBe('2023-03-05');
    expect(dateOf('２０２３年３月５日')).toBe('2023-03-05'); // full-width figures
    expect(dateOf('2023年3月')).toBe('2023-03');
    expect(dateOf('发布时间：2023-03')).toBe('2023-03');
    expect(dateOf('2023-03')).toBeUndefined(); // a bare 2023-03 could be anything
    expect(dateOf('2023年2月30日')).toBeUndefined();
    expect(dateOf('发布时间：2023-13-01')).toBeUndefined();
  });

  it('does not take a date from a sentence, nor from further down', () => {
    expect(pageMeta('标题\n\n2021年7月公布的《意见》提出，支持山西中部城市群建设。').date).toBeUndefined();
    expect(pageMeta('标题\n\n2023年3月工作要点\n\n正文。').date).toBeUndefined();
    const paragraphs = Array.from({ length: 35 }, (_, i) => `　　第${i + 1}段，太忻一体化经济区建设稳步推进。`);
    expect(pageMeta(['标题', ...paragraphs, '2023年3月5日'].join('\n')).date).toBeUndefined(); // line 37
    const long = '　　' + '太忻一体化经济区建设稳步推进，'.repeat(110) + '。';
    expect(pageMeta(['标题', long, '2023年3月5日'].join('\n')).date).toBeUndefined(); // line 3, but past 1,500 characters
    expect(pageMeta(['标题', long.slice(0, 600), '2023年3月5日'].join('\n')).date).toBe('2023-03-05');
  });

  it('takes the first line as title only when it is short and not a sentence', () => {
    expect(pageMeta('\n\n  省政府新闻办发布会\n\n正文。').title).toBe('省政府新闻办发布会');
    expect(pageMeta('今年以来，经济区坚持项目为王。\n正文。').title).toBeUndefined();
    expect(pageMeta(`${'太忻一体化经济区'.repeat(8)}\n正文。`).title).toBeUndefined(); // 64 characters
    expect(pageMeta('2023年3月5日\n正文。').title).toBeUndefined();
  });

  it('reads the seeds as far as they tell', () => {
    // 000 and 004 open with the body: no title, no date line, no source
    expect(pageMeta(seed('000_32369ebad8b3415c'))).toEqual({});
    expect(pageMeta(seed('004_3fd6a3c8a5be216f'))).toEqual({});
    // 001: Traditional with pinyin; its source, 山西日?qǐng)?bào), lost a character: better none than 山西日
    expect(pageMeta(seed('001_70f2ad6bdfded294'))).toEqual({ title: '融入京津冀 “北引擎”动力澎湃——我省高起点建设太忻一体化经济区', date: '2022-11-06' });
    // 002: the first line is the kicker above the headline; the text gives no year
    expect(pageMeta(seed('002_b1665f918e888616'))).toEqual({ title: '省政府新闻办发布会' });
    // 003: Jekyll front matter, and a closing （文章来源：中国发展网）
    expect(pageMeta(seed('003_466644770ae55d01'))).toEqual({ title: '山西勾勒太忻一体化经济区高质量发展远景实施方案', date: '2022-05-19', publisher: '中国发展网' });
  });
});

describe('stripMarkup on a saved page', () => {
  it('keeps the visible text only', () => {
    const text = stripMarkup(page);
    for (const hidden of ['脚本里的文字', '样式里的文字', '顶部导航', '脚本写出的文字', 'pageConfig', '_忻州新闻网', 'og:title', 'href=', 'target=']) {
      expect(text).not.toContain(hidden);
    }
    expect(text).toContain('首页');
    expect(normalizeText(page)).toContain('一座占地160亩的新材料产业园已完成主体施工');
    expect(normalizeText(page)).toContain('重点项目建设跑出“加速度”');
  });

  it('leaves texts without tags as they were', () => {
    for (const s of ['PM2.5<35微克', '增速<5%，高于>3%的目标', 'a < b 和 c > d']) expect(stripMarkup(s)).toBe(s);
    expect(stripMarkup('&#99999999;&#x110000;&#0;')).toBe('&#99999999;&#x110000;&#0;');
  });

  it('keeps the quotes of the seeds findable (the text of 003 is unchanged but for its tags)', () => {
    const t003 = normalizeText(seed('003_466644770ae55d01'));
    expect(t003).toContain('一是谋划构建了“1+3+N”的政策支撑体系。');
    expect(t003).not.toMatch(/<|>/);
  });
});

/** The preview's own pages: the index of every draft, and the page shown when there is no draft to show. */
import type { ThemeSpec, ZoneSpec } from '../data/schema.js';
import { draftUrl, pdfUrl } from './drafts.js';
import { previewHead, type PageState } from './client.js';
import { LANG_MODES, type LangMode } from '../config.js';
import type { SourceUsage } from '../draft/usage.js';

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const LANG_LABEL: Record<LangMode, string> = { bilingual: '双语 Bilingual', zh: '中文 Chinese', en: '英文 English' };

const PAGE_CSS = `
body { margin: 0; font: 15px/1.5 "Noto Sans SC", system-ui, sans-serif; color: #1c1c1c; background: #f4f4f2; }
main { max-width: 1080px; margin: 0 auto; padding: 28px 24px 48px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h1 span { font-weight: 400; color: #555; margin-left: .4em; }
.lede { color: #555; margin: 0 0 20px; }
form { margin: 0 0 18px; }
select { font: inherit; padding: 2px 6px; }
table { border-collapse: collapse; width: 100%; background: #fff; box-shadow: 0 1px 3px rgba(0,0,0,.12); }
th, td { text-align: left; padding: 8px 12px; border-bottom: 1px solid #e2e2e2; vertical-align: top; }
th { font-weight: 600; font-size: 13px; color: #555; background: #fafafa; }
td .en, th .en { display: block; color: #666; font-size: 13px; }
td.zone { font-weight: 600; }
a { color: #0b57d0; text-decoration: none; }
a:hover { text-decoration: underline; }
.links a + a::before { content: " · "; color: #aaa; }
.source-text { white-space: pre-wrap; background: #fff; padding: 16px 20px; box-shadow: 0 1px 3px rgba(0,0,0,.12); line-height: 1.9; }
.fig { padding: 0 2px; border-radius: 2px; }
.fig.used { background: #d6ecd9; color: #14532d; }
.fig.drafted { background: #fdf0c2; color: #6b4e00; }
.fig.unused { background: #f6d5d5; color: #7f1d1d; }
h2 { font-size: 18px; margin: 28px 0 8px; }
.swatch { display: inline-block; width: .7em; height: .7em; border-radius: 2px; margin-right: .4em; }
`;

function page(title: string, state: PageState, body: string): string {
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${PAGE_CSS}</style>
${previewHead(state, { paged: false })}
</head>
<body>
${body}
</body>
</html>
`;
}

/** Every zone × theme × language mode of one edition, each with its draft and its PDF; an edition selector. */
export function indexPage(state: PageState, opts: { edition: string; editions: { edition: string; adds: number }[]; current: string; zones: ZoneSpec[]; themes: ThemeSpec[]; sources?: { id: string; title: string; published: string }[] }): string {
  const options = opts.editions
    .map(({ edition, adds }) => {
      const note = [adds ? `+${adds} facts` : '', edition === opts.current ? 'this month 本月' : ''].filter(Boolean).join(', ');
      return `<option value="${edition}"${edition === opts.edition ? ' selected' : ''}>${edition}${note ? ` (${escapeHtml(note)})` : ''}</option>`;
    })
    .join('');
  const rows = opts.zones.flatMap((zone) =>
    opts.themes.map((theme, i) => {
      const cells = LANG_MODES.map((lang) => {
        const id = { edition: opts.edition, zone: zone.id, theme: theme.id, lang };
        return `<td class="links"><a href="${draftUrl(id)}">HTML</a><a href="${pdfUrl(id)}">PDF</a></td>`;
      }).join('');
      const zoneCell = i === 0 ? `<td class="zone" rowspan="${opts.themes.length}">${escapeHtml(zone.name.zh)}<span class="en" lang="en">${escapeHtml(zone.name.en)}</span></td>` : '';
      const swatch = `<span class="swatch" style="background:${escapeHtml(theme.accent)}"></span>`;
      return `<tr>${zoneCell}<td>${swatch}${escapeHtml(theme.name.zh)}<span class="en" lang="en">${escapeHtml(theme.name.en)}</span></td>${cells}</tr>`;
    }),
  );
  const empty = rows.length ? '' : '<p>No data loaded: fix the problems shown and save. · 数据未能加载。</p>';
  return page(
    `简报预览 · Briefing preview ${opts.edition}`,
    state,
    `<main>
<h1>简报预览<span lang="en">Briefing preview</span></h1>
<p class="lede" lang="en">HTML drafts laid out as printed A4 pages; they reload when a file in data/ or templates/ changes. PDFs are printed on request, as <code>briefing build</code> prints them.</p>
<form method="get" action="/"><label>版本 Edition <select name="edition" data-submit-on-change>${options}</select></label> <noscript><button type="submit">Show</button></noscript></form>
<table>
<thead><tr><th>区域<span class="en">Zone</span></th><th>主题<span class="en">Theme</span></th>${LANG_MODES.map((l) => `<th>${escapeHtml(LANG_LABEL[l])}</th>`).join('')}</tr></thead>
<tbody>${rows.join('\n')}</tbody>
</table>
${empty}
${sourceList(opts.sources ?? [])}
</main>`,
  );
}

/** When no draft can be shown (nothing rendered yet and the files are broken, or printing failed): the problems. */
export function problemPage(state: PageState, title: string): string {
  return page(title, state, `<main><h1>${escapeHtml(title)}</h1><pre>${escapeHtml(state.problems.join('\n'))}</pre><p><a href="${state.links.index}">Index · 目录</a></p></main>`);
}

/** One source: its text with every figure marked as used by a fact (linked to it), drafted, or not used. */
export function sourcePage(state: PageState, opts: { id: string; title: string; published: string; edition: string; usage: SourceUsage }): string {
  const { usage } = opts;
  let html = '';
  let at = 0;
  for (const m of usage.marks) {
    html += escapeHtml(usage.text.slice(at, m.from));
    const figure = escapeHtml(usage.text.slice(m.from, m.to));
    if (m.status === 'used' && m.fact) {
      const href = `${draftUrl({ edition: opts.edition, zone: m.fact.zone, theme: m.fact.theme, lang: 'bilingual' })}#fact-${m.fact.id}`;
      html += `<a class="fig used" href="${escapeHtml(href)}" title="${escapeHtml(`${m.fact.id} · ${m.fact.file}:${m.fact.line}`)}">${figure}</a>`;
    } else if (m.status === 'drafted') {
      html += `<mark class="fig drafted" title="${escapeHtml(`draft ${m.draft ?? ''}`)}">${figure}</mark>`;
    } else {
      html += `<mark class="fig unused" title="not used">${figure}</mark>`;
    }
    at = m.to;
  }
  html += escapeHtml(usage.text.slice(at));
  // A line after each sentence, for reading.
  html = html.replace(/([。！？])/g, '$1\n');
  const { used, drafted, unused } = usage.counts;
  return page(
    `${opts.id} · 来源 Source`,
    state,
    `<main>
<h1>${escapeHtml(opts.title)}<span>${escapeHtml(opts.id)} · ${escapeHtml(opts.published)}</span></h1>
<p class="lede">数字 Figures: <span class="fig used">${used} 已用 used</span> <span class="fig drafted">${drafted} 草稿 drafted</span> <span class="fig unused">${unused} 未用 not used</span> · <a href="${escapeHtml(state.links.index)}">Index · 目录</a></p>
<div class="source-text">${html}</div>
</main>`,
  );
}

/** The sources, each linked to its page, with how many of its figures the base uses. */
export function sourceList(sources: { id: string; title: string; published: string }[]): string {
  if (!sources.length) return '';
  const rows = sources.map((s) => `<tr><td><a href="/source/${encodeURIComponent(s.id)}">${escapeHtml(s.id)}</a></td><td>${escapeHtml(s.title)}</td><td>${escapeHtml(s.published)}</td></tr>`);
  return `<h2>来源 Sources</h2>\n<table>\n<thead><tr><th>Id</th><th>标题 Title</th><th>发布 Published</th></tr></thead>\n<tbody>${rows.join('\n')}</tbody>\n</table>`;
}

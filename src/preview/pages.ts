/** The preview's own pages: the index of every draft, and the page shown when there is no draft to show. */
import type { ThemeSpec, ZoneSpec } from '../data/schema.js';
import { LANG_MODES, draftUrl, pdfUrl } from './drafts.js';
import { previewHead, type PageState } from './client.js';
import type { LangMode } from '../config.js';

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
export function indexPage(state: PageState, opts: { edition: string; editions: { edition: string; adds: number }[]; current: string; zones: ZoneSpec[]; themes: ThemeSpec[] }): string {
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
<form method="get" action="/"><label>版本 Edition <select name="edition" onchange="this.form.submit()">${options}</select></label> <noscript><button type="submit">Show</button></noscript></form>
<table>
<thead><tr><th>区域<span class="en">Zone</span></th><th>主题<span class="en">Theme</span></th>${LANG_MODES.map((l) => `<th>${escapeHtml(LANG_LABEL[l])}</th>`).join('')}</tr></thead>
<tbody>${rows.join('\n')}</tbody>
</table>
${empty}
</main>`,
  );
}

/** When no draft can be shown (nothing rendered yet and the files are broken, or printing failed): the problems. */
export function problemPage(state: PageState, title: string): string {
  return page(title, state, `<main><h1>${escapeHtml(title)}</h1><pre>${escapeHtml(state.problems.join('\n'))}</pre><p><a href="${state.links.index}">Index · 目录</a></p></main>`);
}

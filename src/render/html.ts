import { createHash } from 'node:crypto';
import { readdirSync, existsSync } from 'node:fs';
import { readDataText } from '../data/yaml.js';

/** No template file is larger: a bigger one is the wrong file. */
const MAX_TEMPLATE_BYTES = 5e6;
import path from 'node:path';
import Handlebars from 'handlebars';
import type { BriefingView } from '../model/format.js';
import { BriefingError, quoted, type Problem } from '../errors.js';
import { FONT_PLACEHOLDER } from './fonts.js';
import { CONTENT_SECURITY_POLICY } from './csp.js';
import { leadHtml, refsHtml } from './lead.js';
import type { LeadText, Refs } from '../model/format.js';
import { UnsafeOutput, cssColor, cssString, htmlAttr, htmlText, inertSvg, safeUrl } from './escape.js';

const LANG_ATTR = { zh: 'zh-CN', en: 'en' } as const;
/**
 * Elements that hold both languages inside one box instead of one box each: table cells, list items,
 * and headings, so that each section gets one bilingual bookmark in the PDF outline.
 */
const WRAPPERS = new Set(['td', 'th', 'dd', 'dt', 'li', 'figcaption', 'h1', 'h2', 'h3']);
const INLINE = new Set(['span', 'a', 'em', 'strong']);

/** Page numbers in the contents are printed as this first, then filled in from the printed outline. */
export const TOC_PLACEHOLDER = '00';

export interface Templates {
  /** The page, with FONT_PLACEHOLDER where the font faces go (see render/fonts.ts). */
  render(view: BriefingView & { svgs: string[] }): string;
}

/** The template sets compiled last in this process, by the hash of their folder and every file read. */
const compiled = new Map<string, Templates>();
const KEEP_COMPILED = 8;

/**
 * Compiles the template set in `dir`: briefing.hbs, partials/*.hbs, styles/*.css. A long-lived process
 * (the preview, the scheduler) and a run after another in the same process compile a set once: its files
 * are read every time, and a set whose folder and bytes are those of one compiled before is that one.
 * Escaping is on by default; triple braces are used only for the templates' own CSS and the font faces
 * the program writes. Data reaches the page only through {{ }} and the helpers below (render/escape.ts).
 */
export function loadTemplates(dir: string): Templates {
  // Template files are read like data files: regular files inside the folder, UTF-8, bounded; a link
  // (out of the tree, to a device) or a named pipe is refused by name, never followed or waited on.
  const read = (file: string) => {
    const got = readDataText(file, MAX_TEMPLATE_BYTES);
    if ('text' in got) return got.text;
    if ('missing' in got) throw new BriefingError([{ file: path.relative(process.cwd(), file) || file, line: 0, col: 0, message: 'template file is missing', hint: 'give --templates a folder holding briefing.hbs, partials/ and styles/ (as templates/ does)' }]);
    throw new BriefingError([got.problem]);
  };
  const partialsDir = path.join(dir, 'partials');
  const partials = existsSync(partialsDir)
    ? readdirSync(partialsDir).filter((n) => n.endsWith('.hbs')).sort().map((f) => ({ name: f.replace(/\.hbs$/, ''), file: path.join(partialsDir, f), source: read(path.join(partialsDir, f)) }))
    : [];
  const mainFile = path.join(dir, 'briefing.hbs');
  const main = { file: mainFile, source: read(mainFile) };
  const stylesDir = path.join(dir, 'styles');
  const css = existsSync(stylesDir)
    ? readdirSync(stylesDir).filter((n) => n.endsWith('.css')).sort().map((f) => read(path.join(stylesDir, f))).join('\n')
    : '';
  const h = createHash('sha256').update(path.resolve(dir)).update('\0');
  for (const p of [...partials, main]) h.update(p.file).update('\0').update(p.source).update('\0');
  const key = h.update(css).digest('hex');
  let set = compiled.get(key);
  if (set) compiled.delete(key);
  else set = compileTemplates(dir, partials, main, css);
  compiled.set(key, set);
  if (compiled.size > KEEP_COMPILED) compiled.delete(compiled.keys().next().value!);
  return set;
}

function compileTemplates(dir: string, partials: { name: string; file: string; source: string }[], main: { file: string; source: string }, css: string): Templates {
  const hb = Handlebars.create();
  const compile = (file: string, source: string) => {
    try {
      return hb.compile(source, { strict: false, noEscape: false });
    } catch (e) {
      throw templateError(file, e);
    }
  };

  // Every helper returning a SafeString builds it from render/escape.ts only; tags and classes come
  // from the templates, text from the data.
  hb.registerHelper('bi', function (text: Partial<Record<'zh' | 'en', string>> | undefined, options: Handlebars.HelperOptions) {
    const tag = String(options.hash.tag ?? 'span');
    if (!/^[a-z][a-z0-9]*$/.test(tag)) throw new UnsafeOutput(`bi: not an element name: ${JSON.stringify(tag)}`);
    const cls = options.hash.class ? ` ${String(options.hash.class)}` : '';
    const parts = (['zh', 'en'] as const).filter((l) => text?.[l]);
    // The first printed language is set as the primary text, the second beneath or beside it, quieter.
    const role = (i: number) => (i === 0 ? 'primary' : 'secondary');
    if (WRAPPERS.has(tag)) {
      // A space between the languages, so that their text never runs together when copied or read aloud.
      const joined = parts.map((l, i) => `<span class="${role(i)}" lang="${htmlAttr(LANG_ATTR[l])}">${htmlText(text![l])}</span>`).join(' ');
      return new Handlebars.SafeString(`<${tag}${cls ? ` class="${htmlAttr(cls.trim())}"` : ''}>${joined}</${tag}>`);
    }
    // Inline elements are parted by a space, so the two languages never run together in the text.
    const gap = INLINE.has(tag) ? ' ' : '';
    return new Handlebars.SafeString(parts.map((l, i) => `<${tag} class="${htmlAttr(role(i) + cls)}" lang="${htmlAttr(LANG_ATTR[l])}">${htmlText(text![l])}</${tag}>`).join(gap));
  });
  /** A source marker: `{{refs refs}}` → [1, 3], each number linking to its source on the sources page. */
  hb.registerHelper('refs', (refs: unknown) => new Handlebars.SafeString(Array.isArray(refs) ? refsHtml((refs as unknown[]).filter((r): r is number => Number.isInteger(r)) as Refs) : ''));
  /** A lead in one language, Markdown rendered safely with its figures: `{{lead lead.zh lang="zh"}}`. */
  hb.registerHelper('lead', function (text: LeadText | undefined, options: Handlebars.HelperOptions) {
    const lang = options.hash.lang === 'en' ? 'en' : 'zh';
    if (!text) return '';
    return new Handlebars.SafeString(`<div class="lead-text" lang="${htmlAttr(LANG_ATTR[lang])}">${leadHtml(text)}</div>`);
  });
  /** A CSS string literal, for @page margin boxes: `{{cssString value}}` (see escape.ts). */
  hb.registerHelper('cssString', (s: unknown) => new Handlebars.SafeString(cssString(s)));
  /** A colour for CSS (#rgb or #rrggbb, or the render fails): `{{cssColor accent}}`. */
  hb.registerHelper('cssColor', (s: unknown) => new Handlebars.SafeString(cssColor(s)));
  /** A link target: http, https or mailto, else empty. Returns a plain string, so {{ }} escapes it for the attribute. */
  hb.registerHelper('url', (s: unknown) => safeUrl(s));
  /** A chart's SVG, written unescaped only once inertSvg has checked it: `{{inertSvg svg}}`. */
  hb.registerHelper('inertSvg', (s: unknown) => new Handlebars.SafeString(s ? inertSvg(String(s)) : ''));

  for (const { name, file, source } of partials) {
    try {
      hb.precompile(source);
    } catch (e) {
      throw templateError(file, e);
    }
    hb.registerPartial(name, source);
  }
  // Every include names a partial of this folder, told at its own place (not at the page that renders it).
  for (const { file, source } of [...partials, main]) checkIncludes(file, source, new Set(Object.keys(hb.partials)));
  const page = compile(main.file, main.source);

  return {
    render(view) {
      const bilingual = view.langs.length > 1;
      const runningHeader = bilingual
        ? `${view.zone.zh} · ${view.theme.zh} · ${view.edition.zh}    ${view.zone.en} · ${view.theme.en} · ${view.edition.en}`
        : [view.zone, view.theme, view.edition].map((t) => t.zh ?? t.en).join(' · ');
      const charts = view.charts.map((c, i) => ({ ...c, svg: view.svgs[i] ?? '' }));
      try {
        return page({ ...view, charts, css, fontFaces: FONT_PLACEHOLDER, contentSecurityPolicy: CONTENT_SECURITY_POLICY, runningHeader, tocPlaceholder: TOC_PLACEHOLDER }, { allowProtoPropertiesByDefault: false });
      } catch (e) {
        // A value the page cannot hold safely is the program's fault (the schema should have refused it).
        if (e instanceof UnsafeOutput) throw e;
        throw templateError(path.join(dir, 'briefing.hbs'), e);
      }
    },
  };
}

/** A template's partial includes ({{> name}}), each of a partial the folder has, by a plain name. */
function checkIncludes(file: string, source: string, partials: Set<string>): void {
  let ast: hbs.AST.Program;
  try {
    ast = Handlebars.parse(source);
  } catch (e) {
    throw templateError(file, e);
  }
  const problems: Problem[] = [];
  const visit = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(visit);
    const n = node as { type?: string; name?: { type?: string; original?: unknown }; loc?: hbs.AST.SourceLocation };
    if (n.type === 'PartialStatement' || n.type === 'PartialBlockStatement') {
      const name = n.name?.type === 'PathExpression' || n.name?.type === 'StringLiteral' ? String(n.name.original) : undefined;
      if (name === undefined || !partials.has(name)) {
        problems.push({
          file: path.relative(process.cwd(), file) || file, line: n.loc?.start.line ?? 1, col: (n.loc?.start.column ?? 0) + 1,
          message: name === undefined ? 'template includes a partial whose name is computed' : `template includes ${quoted(name)}, which is not a partial of this folder`,
          hint: `include one of partials/*.hbs by its name: ${[...partials].sort().join(', ')}`,
        });
      }
    }
    for (const [key, value] of Object.entries(node)) if (key !== 'loc' && key !== 'name') visit(value);
  };
  visit(ast);
  if (problems.length) throw new BriefingError(problems);
}

function templateError(file: string, e: unknown): BriefingError {
  const msg = e instanceof Error ? e.message : String(e);
  // Handlebars says where as "line 9", "column 4", or " - 28:4" (line:column) after the message.
  const m = /line (\d+)/.exec(msg);
  const col = /column (\d+)/.exec(msg);
  const dash = / - (\d+):(\d+)$/m.exec(msg);
  const first = (msg.split('\n')[0] ?? msg).replace(/ - \d+:\d+$/, '');
  const line = m ? Number(m[1]) : dash ? Number(dash[1]) : 1;
  const column = col ? Number(col[1]) + 1 : dash ? Number(dash[2]) + 1 : 1;
  return new BriefingError([{ file: path.relative(process.cwd(), file) || file, line, col: column, message: `template error: ${first}`, hint: 'fix the Handlebars syntax' }]);
}

/**
 * The preview's render cache: the last good fact base and templates, the last good HTML of every draft
 * that was asked for, and the problems of the current files.
 *   - A change that loads and checks cleanly replaces the fact base (or templates); the cached drafts it
 *     affects are rendered again at once when a page shows them, or dropped to be rendered on request.
 *   - A change that fails keeps everything as it was: the last good drafts are still served, under the
 *     problems. The changes are remembered and applied with the fix.
 * Updates and renders run one at a time, so no draft mixes two states.
 */
import path from 'node:path';
import { BriefingError, type Problem } from '../errors.js';
import { langsOf, loadCheckedFacts, renderDraft, type DraftContext } from '../build.js';
import { loadTemplates, type Templates } from '../render/html.js';
import { currentEdition } from '../model/edition.js';
import { supportedEditions } from '../model/select.js';
import type { FactBase } from '../data/load.js';
import type { ThemeSpec, ZoneSpec } from '../data/schema.js';
import { LANG_MODES, type Config, type LangMode } from '../config.js';
import { mergeChanges, sheetKey, type Change } from './watch.js';
import { briefingName } from '../plan.js';
import { loadCheckedChanges } from './facts.js';
import { WorkQueue } from '../queue.js';

/** One draft: a zone and theme, in one language mode, as of an edition. */
export interface DraftId {
  edition: string;
  zone: string;
  theme: string;
  lang: LangMode;
}

/** The file name `build` gives it, without extension: taixin-transport, taixin-transport.en. */
export const draftName = (id: Omit<DraftId, 'edition'>) => briefingName(id.zone, id.theme, id.lang);
export const draftKey = (id: DraftId) => `${id.edition}/${draftName(id)}`;
export const draftUrl = (id: DraftId) => `/draft/${draftKey(id)}.html`;
export const pdfUrl = (id: DraftId) => `/pdf/${draftKey(id)}.pdf`;

export interface DraftResult {
  /** The draft's HTML, or the last good one; undefined when none could be rendered. */
  html?: string;
  problems: Problem[];
}

/** A rendered draft: its HTML and the files it refers to beside it (its font subsets), by relative name. */
interface Rendered {
  html: string;
  files: Map<string, Uint8Array>;
}

/** renderDraft, keeping the files a build writes beside the HTML (the font subsets, fonts/<name>.<face>.ttf). */
async function renderWithFiles(ctx: DraftContext, zone: ZoneSpec, theme: ThemeSpec, name: string): Promise<Rendered> {
  const { html, fonts } = await renderDraft(ctx, zone, theme, name);
  return { html, files: new Map(fonts.map((f) => [f.name, f.data])) };
}

export interface Update {
  /** URL paths of the drafts this change affects (rendered again, or to be rendered on their next request). */
  pages: string[];
  /** Every draft may have changed (zones, themes, sources or templates). */
  all: boolean;
  /** The problems of the files now; when any, nothing was applied. */
  problems: Problem[];
  hadProblems: boolean;
  rendered: number;
  generation: number;
}

/** What the store keeps in memory: the drafts used last, at most this many, and at most this many bytes (at least one). */
export interface StoreLimits {
  drafts: number;
  bytes: number;
}

/** 64 drafts (every zone × theme × language of almost three editions); a draft with its font subsets holds about 0.45 MB (32 bilingual and English drafts: 14 MB). */
export const DEFAULT_STORE_LIMITS: StoreLimits = { drafts: 64, bytes: 64 * 1024 * 1024 };

/** Bytes a rendered draft holds: its HTML (two bytes a character at most) and its files. */
const sizeOf = (r: Rendered) => r.html.length * 2 + [...r.files.values()].reduce((n, f) => n + f.byteLength, 0);

/** An unexpected failure still reaches the overlay, as one line. */
function problemsOf(e: unknown): Problem[] {
  if (e instanceof BriefingError) return e.problems;
  return [{ file: 'briefing', line: 0, col: 0, message: `internal error: ${e instanceof Error ? e.message : String(e)}`, hint: 'this is a bug in briefing, not in your data' }];
}

export class DraftStore {
  private base: FactBase | undefined;
  private templates: Templates | undefined;
  private dataProblems: Problem[] = [];
  private templateProblems: Problem[] = [];
  /** Drafts whose last render failed (a template that breaks at run time), by key. */
  private renderProblems = new Map<string, Problem[]>();
  /** The drafts rendered, least recently used first (a Map keeps insertion order); see StoreLimits. */
  private cache = new Map<string, Rendered>();
  private cacheBytes = 0;
  /**
   * Every draft asked for since the start, by key: ids only, bounded by the editions served
   * (servesEdition) × zones × themes × languages.
   */
  private known = new Map<string, DraftId>();
  /** Changes not applied yet because the files were broken; applied together with the fix. */
  private pending: Change | undefined;
  /** Bumped by every applied change: all drafts ('*'), or one zone × theme. PDFs printed before are stale. */
  private versions = new Map<string, number>();
  private readonly queue = new WorkQueue(1);
  /** Bumped by every applied change, so a page that reconnects knows whether it missed one. */
  generation = 0;
  /** Set when the preview closes: work done ahead stops. */
  stopped = false;

  /** supportedEditions of the current fact base, worked out once per base. */
  private supported: { base: FactBase; editions: ReturnType<typeof supportedEditions> } | undefined;

  constructor(
    private readonly config: Config,
    private readonly limits: StoreLimits = DEFAULT_STORE_LIMITS,
  ) {
    this.readData();
    this.readTemplates();
  }

  /** The cached draft, now the most recently used. */
  private cached(key: string): Rendered | undefined {
    const r = this.cache.get(key);
    if (r) {
      this.cache.delete(key);
      this.cache.set(key, r);
    }
    return r;
  }

  /** Caches a draft as the most recently used; drops the least recently used beyond the limits. */
  private keep(key: string, r: Rendered): void {
    this.drop(key);
    this.cache.set(key, r);
    this.cacheBytes += sizeOf(r);
    for (const oldest of this.cache.keys()) {
      if (this.cache.size <= 1 || (this.cache.size <= this.limits.drafts && this.cacheBytes <= this.limits.bytes)) break;
      this.drop(oldest);
    }
  }

  private drop(key: string): void {
    const r = this.cache.get(key);
    if (!r) return;
    this.cacheBytes -= sizeOf(r);
    this.cache.delete(key);
  }

  /** What the store holds now, to show that it stays bounded. */
  stats(): { drafts: number; bytes: number; known: number } {
    return { drafts: this.cache.size, bytes: this.cacheBytes, known: this.known.size };
  }

  /** Runs `fn` after every earlier update or render. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    return this.queue.run(fn);
  }

  /** Reads and checks the data; with `sheets`, proves only their facts that changed (see loadCheckedChanges). */
  private readData(sheets?: ReadonlySet<string>): void {
    try {
      this.base = sheets && this.base ? loadCheckedChanges(this.config.dataDir, this.base, sheets) : loadCheckedFacts(this.config.dataDir);
      this.dataProblems = [];
    } catch (e) {
      this.dataProblems = problemsOf(e);
    }
  }

  private readTemplates(): void {
    try {
      this.templates = loadTemplates(this.config.templatesDir);
      this.templateProblems = [];
    } catch (e) {
      this.templateProblems = problemsOf(e);
    }
  }

  /** Problems of the data and templates, then of single drafts; each once. */
  problems(): Problem[] {
    const all = [...this.dataProblems, ...this.templateProblems, ...[...this.renderProblems.values()].flat()];
    const seen = new Set<string>();
    return all.filter((p) => {
      const k = `${p.file}:${p.line}:${p.col}:${p.message}`;
      return !seen.has(k) && !!seen.add(k);
    });
  }

  /** The data or templates are broken now (the drafts shown are the last good ones). */
  inputsBroken(): boolean {
    return this.dataProblems.length + this.templateProblems.length > 0;
  }

  /** The last good fact base, for pages about its sources. */
  get factBase(): FactBase | undefined {
    return this.base;
  }

  /** Zones and themes of the last good fact base. */
  get zones() {
    return this.base?.zones ?? [];
  }
  get themes() {
    return this.base?.themes ?? [];
  }

  private supportedEditions(): ReturnType<typeof supportedEditions> {
    if (!this.base) return [];
    if (this.supported?.base !== this.base) this.supported = { base: this.base, editions: supportedEditions(this.base) };
    return this.supported.editions;
  }

  /**
   * The editions a request may ask for, every month from the first the data supports to this month, or
   * to the last the data supports if that is later (a figure dated in a coming month); and the one given
   * with --edition. Undefined before any data loaded.
   */
  editionRange(): { first: string; last: string } | undefined {
    const supported = this.supportedEditions();
    const first = supported[0]?.edition;
    if (!first) return undefined;
    const current = this.currentMonth();
    const latest = supported.at(-1)!.edition;
    return { first, last: latest > current ? latest : current };
  }

  /** May a request ask for this edition (YYYY-MM)? See editionRange. */
  servesEdition(edition: string): boolean {
    if (edition === this.config.edition) return true;
    const range = this.editionRange();
    return !!range && edition >= range.first && edition <= range.last;
  }

  /** The editions the data supports, this month's, and the configured one: what the index offers. */
  editions(): { edition: string; adds: number }[] {
    const supported = this.supportedEditions();
    const adds = new Map(supported.map((e) => [e.edition, e.adds.reduce((n, a) => n + a.count, 0)]));
    const all = new Set([...adds.keys(), this.currentMonth(), ...(this.config.edition ? [this.config.edition] : [])]);
    return [...all].sort().map((edition) => ({ edition, adds: adds.get(edition) ?? 0 }));
  }

  /** This month in the configured time zone. */
  currentMonth(): string {
    return currentEdition(this.config.now, this.config.timeZone);
  }

  /** The edition the index opens on: --edition, else this month. */
  defaultEdition(): string {
    return this.config.edition ?? this.currentMonth();
  }

  /** Changes with each applied change to the inputs of this zone × theme. */
  stamp(zone: string, theme: string): string {
    return `${this.versions.get('*') ?? 0}.${this.versions.get(sheetKey(zone, theme)) ?? 0}`;
  }

  /**
   * In the background after the start: renders the bilingual drafts of the default edition (the index's
   * first links) and runs the load of a save twice, one step at a time so that a request waits for one
   * step at most. Besides opening those drafts at once, this compiles the code a save runs: without it
   * the first saves after the start take about twice as long as the later ones.
   */
  async prerender(): Promise<void> {
    const edition = this.defaultEdition();
    for (const zone of this.zones) {
      for (const theme of this.themes) {
        const id: DraftId = { edition, zone: zone.id, theme: theme.id, lang: 'bilingual' };
        await this.serial(async () => {
          if (this.stopped || this.inputsBroken() || this.known.has(draftKey(id))) return;
          this.known.set(draftKey(id), id);
          await this.render(id);
        });
      }
    }
    for (let i = 0; i < 2; i++) {
      await this.serial(async () => {
        if (!this.stopped && this.base && !this.inputsBroken()) loadCheckedChanges(this.config.dataDir, this.base, new Set());
      }).catch(() => undefined);
    }
  }

  /** The draft's HTML: cached, or rendered now from the last good inputs. */
  draft(id: DraftId): Promise<DraftResult> {
    return this.serial(async () => {
      const key = draftKey(id);
      this.known.set(key, id);
      if (!this.cache.has(key) && !this.renderProblems.has(key)) await this.render(id);
      const html = this.cached(key)?.html;
      return { ...(html !== undefined ? { html } : {}), problems: this.problems() };
    });
  }

  /**
   * A file a draft of `edition` refers to beside itself (fonts/<name>.<face>.ttf): from the draft that made
   * it, rendered now if it is not cached (the draft whose name the file's name starts with).
   */
  file(edition: string, name: string): Promise<Uint8Array | undefined> {
    return this.serial(async () => {
      for (const [key, rendered] of this.cache) {
        if (key.startsWith(`${edition}/`) && rendered.files.has(name)) return this.cached(key)!.files.get(name);
      }
      const base = path.posix.basename(name);
      const owner = this.zones
        .flatMap((z) => this.themes.flatMap((t) => LANG_MODES.map((lang) => ({ edition, zone: z.id, theme: t.id, lang }))))
        .filter((id) => base.startsWith(`${draftName(id)}.`))
        .sort((a, b) => draftName(b).length - draftName(a).length)[0];
      if (!owner || this.cache.has(draftKey(owner))) return undefined;
      await this.render(owner);
      return this.cached(draftKey(owner))?.files.get(name);
    });
  }

  private async render(id: DraftId): Promise<void> {
    const key = draftKey(id);
    const zone = this.base?.zones.find((z) => z.id === id.zone);
    const theme = this.base?.themes.find((t) => t.id === id.theme);
    if (!this.base || !this.templates || !zone || !theme) {
      this.drop(key);
      return;
    }
    const ctx: DraftContext = {
      base: this.base, templates: this.templates, edition: id.edition, langs: langsOf(id.lang), now: this.config.now, timeZone: this.config.timeZone, staleAfterMonths: this.config.staleAfterMonths,
    };
    try {
      this.keep(key, await renderWithFiles(ctx, zone, theme, draftName(id)));
      this.renderProblems.delete(key);
    } catch (e) {
      // The last good HTML, if any, stays.
      this.renderProblems.set(key, problemsOf(e));
    }
  }

  /**
   * Applies a batch of file changes: reads what changed, and renders again the affected drafts that
   * `viewed` (draft keys with a page open) shows; other affected drafts are dropped from the cache.
   */
  apply(change: Change, viewed: ReadonlySet<string>): Promise<Update> {
    return this.serial(async () => {
      const hadProblems = this.problems().length > 0;
      const todo = this.pending ? mergeChanges(this.pending, change) : change;
      // Only the changed facts need proving when the data was clean before and no shared file changed.
      if (todo.data) this.readData(todo.scope !== 'all' && this.base && !this.dataProblems.length ? todo.scope : undefined);
      if (todo.templates) this.readTemplates();
      if (this.inputsBroken()) {
        this.pending = todo;
        return { pages: [], all: false, problems: this.problems(), hadProblems, rendered: 0, generation: this.generation };
      }
      this.pending = undefined;
      this.generation++;
      const affects = (id: DraftId) => todo.scope === 'all' || todo.scope.has(sheetKey(id.zone, id.theme));
      for (const k of todo.scope === 'all' ? ['*'] : todo.scope) this.versions.set(k, (this.versions.get(k) ?? 0) + 1);
      const pages: string[] = [];
      let rendered = 0;
      for (const [key, id] of this.known) {
        if (!affects(id)) continue;
        pages.push(draftUrl(id));
        this.renderProblems.delete(key);
        if (viewed.has(key)) {
          await this.render(id);
          rendered++;
        } else {
          this.drop(key);
        }
      }
      return { pages, all: todo.scope === 'all', problems: this.problems(), hadProblems, rendered, generation: this.generation };
    });
  }
}

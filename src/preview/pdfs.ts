/**
 * PDFs printed on request with the pipeline of `briefing build`, into the preview's cache folder
 * (`<out>/.preview/<edition>/<name>.pdf`, under its own lock). A PDF is printed again only when an
 * applied change touched its zone × theme since; one print at a time. The folder keeps the PDFs used
 * last: after each print, the least recently served beyond `maxPdfs` are deleted with the HTML and
 * font subsets printed beside them.
 */
import { existsSync, readdirSync, rmSync, rmdirSync, statSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { buildBriefings, openPrinter } from '../build.js';
import type { Printer } from '../print/printer.js';
import { writeFileAtomicAsync } from '../write.js';
import type { Config } from '../config.js';
import { draftKey, draftName, type DraftId } from './drafts.js';
import { WorkQueue } from '../queue.js';

/** 32 PDFs: the eight bilingual briefings of four editions; a PDF is 0.1–0.5 MB. */
export const DEFAULT_MAX_PDFS = 32;

/**
 * The browser stays open this long after the last print, so the next draft's PDF does not wait for a
 * browser to start (about half a second of CPU and of waiting); then it is closed and its memory freed.
 */
export const BROWSER_IDLE_MS = 5 * 60_000;

const EDITION_DIR = /^\d{4}-(0[1-9]|1[0-2])$/;
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export class PdfPrinter {
  private printed = new Map<string, { stamp: string; file: string }>();
  private running = new Map<string, Promise<string>>();
  /** One print at a time: the preview shares the machine with the editor. */
  private readonly queue = new WorkQueue(1);
  /** The printer every print uses, its browser kept open between prints until BROWSER_IDLE_MS pass without one. */
  private printer: Promise<Printer> | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly config: Config,
    private readonly cacheDir: string,
    private readonly log: (line: string) => void,
    private readonly maxPdfs = DEFAULT_MAX_PDFS,
    private readonly idleMs = BROWSER_IDLE_MS,
  ) {}

  /** The PDF's path, printed now unless the one printed at `stamp` is there. Throws BriefingError for bad inputs. */
  pdf(id: DraftId, stamp: string): Promise<string> {
    const key = draftKey(id);
    const done = this.printed.get(key);
    if (done?.stamp === stamp && existsSync(done.file)) {
      touch(done.file);
      return Promise.resolve(done.file);
    }
    const runKey = `${key}@${stamp}`;
    const running = this.running.get(runKey);
    if (running) return running;
    const print = async () => {
      const file = await this.print(id);
      this.printed.set(key, { stamp, file });
      touch(file);
      try {
        this.evict(file);
      } catch (e) {
        // The PDF is there all the same; the folder is trimmed again after the next print.
        this.log(`could not delete older PDFs from ${this.cacheDir}: ${e instanceof Error ? e.message : String(e)}`);
      }
      return file;
    };
    const run = this.queue.run(print);
    this.running.set(runKey, run);
    const forget = () => this.running.delete(runKey);
    run.then(forget, forget);
    return run;
  }

  private async print(id: DraftId): Promise<string> {
    if (this.closed) throw new Error('the preview is closing');
    clearTimeout(this.idleTimer);
    const config: Config = { ...this.config, outDir: this.cacheDir, edition: id.edition, zones: [id.zone], themes: [id.theme], lang: id.lang, htmlOnly: false };
    this.printer ??= openPrinter(config, {
      warning: (event, fields) => this.log(`${event}: ${JSON.stringify(fields)}`),
      browser: (description) => this.log(`browser: ${description}`),
    });
    try {
      await buildBriefings(config, {
        writeFile: writeFileAtomicAsync,
        printer: await this.printer,
        log: (line) => {
          if (line.event === 'printed') this.log(`printed ${String(line.file)} (${String(line.pages)} pages, ${String(line.ms)} ms)`);
        },
      });
    } finally {
      // Closed in the print queue, so never under a print.
      if (!this.closed) this.idleTimer = setTimeout(() => void this.queue.run(() => this.closeBrowser()), this.idleMs).unref();
    }
    // Where `build` puts it; a build that found the PDF up to date leaves it there untouched.
    const file = path.join(this.cacheDir, id.edition, `${draftName(id)}.pdf`);
    if (!existsSync(file)) throw new Error(`the build of ${draftKey(id)} left no PDF at ${file}`);
    return file;
  }

  /** The PDFs in the cache folder, most recently served (or printed) first. */
  pdfs(): { file: string; edition: string; name: string; mtimeMs: number }[] {
    const found: { file: string; edition: string; name: string; mtimeMs: number }[] = [];
    for (const edition of readdirSafe(this.cacheDir)) {
      if (!EDITION_DIR.test(edition)) continue;
      for (const f of readdirSafe(path.join(this.cacheDir, edition))) {
        if (!f.endsWith('.pdf')) continue;
        const file = path.join(this.cacheDir, edition, f);
        try {
          found.push({ file, edition, name: f.slice(0, -'.pdf'.length), mtimeMs: statSync(file).mtimeMs });
        } catch {
          // gone meanwhile
        }
      }
    }
    return found.sort((a, b) => b.mtimeMs - a.mtimeMs);
  }

  /**
   * Keeps `keep` and the newest others up to maxPdfs; deletes the rest with the HTML and font subsets
   * their build wrote beside them, and an edition folder left empty. Runs in the print queue, so no
   * build writes meanwhile.
   */
  private evict(keep: string): void {
    const all = this.pdfs();
    const kept = new Set([keep, ...all.filter((p) => p.file !== keep).slice(0, this.maxPdfs - 1).map((p) => p.file)]);
    for (const old of all) {
      if (kept.has(old.file)) continue;
      const dir = path.join(this.cacheDir, old.edition);
      const fonts = new RegExp(`^${escapeRegExp(old.name)}\\.[A-Za-z0-9]+-\\d+\\.ttf$`);
      rmSync(old.file, { force: true });
      rmSync(path.join(dir, `${old.name}.html`), { force: true });
      for (const f of readdirSafe(path.join(dir, 'fonts'))) if (fonts.test(f)) rmSync(path.join(dir, 'fonts', f), { force: true });
      this.printed.delete(`${old.edition}/${old.name}`);
      try {
        rmdirSync(path.join(dir, 'fonts'));
      } catch {
        // not empty, or gone
      }
      // The edition folder is a link into the cache's current version: an empty edition loses its link.
      try {
        if (readdirSync(dir).length === 0) rmSync(dir, { recursive: true });
      } catch {
        // gone
      }
    }
  }

  /** Takes no more prints, waits for those under way, and closes the browser. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.idleTimer);
    await Promise.allSettled([...this.running.values()]);
    await this.closeBrowser();
  }

  private async closeBrowser(): Promise<void> {
    const printer = this.printer;
    this.printer = undefined;
    await (await printer?.catch(() => undefined))?.close();
  }
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** Marks a PDF as just used: the cache keeps the most recently served. */
function touch(file: string): void {
  const now = new Date();
  try {
    utimesSync(file, now, now);
  } catch {
    // gone meanwhile: printed again on its next request
  }
}

/**
 * PDFs printed on request with the pipeline of `briefing build`, into the preview's cache folder
 * (`<out>/.preview/<edition>/<name>.pdf`, under its own lock). A PDF is printed again only when an
 * applied change touched its zone × theme since; one print at a time.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { buildBriefings } from '../build.js';
import { writeFileAtomicAsync } from '../write.js';
import type { Config } from '../config.js';
import { draftKey, draftName, type DraftId } from './drafts.js';

export class PdfPrinter {
  private printed = new Map<string, { stamp: string; file: string }>();
  private running = new Map<string, Promise<string>>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly config: Config,
    private readonly cacheDir: string,
    private readonly log: (line: string) => void,
  ) {}

  /** The PDF's path, printed now unless the one printed at `stamp` is there. Throws BriefingError for bad inputs. */
  pdf(id: DraftId, stamp: string): Promise<string> {
    const key = draftKey(id);
    const done = this.printed.get(key);
    if (done?.stamp === stamp && existsSync(done.file)) return Promise.resolve(done.file);
    const runKey = `${key}@${stamp}`;
    const running = this.running.get(runKey);
    if (running) return running;
    const run = this.queue.then(
      () => this.print(id),
      () => this.print(id),
    );
    this.queue = run.catch(() => undefined);
    this.running.set(runKey, run);
    const forget = () => this.running.delete(runKey);
    run.then(
      (file) => {
        this.printed.set(key, { stamp, file });
        forget();
      },
      forget,
    );
    return run;
  }

  private async print(id: DraftId): Promise<string> {
    const config: Config = { ...this.config, outDir: this.cacheDir, edition: id.edition, zones: [id.zone], themes: [id.theme], lang: id.lang, htmlOnly: false };
    await buildBriefings(config, {
      writeFile: writeFileAtomicAsync,
      log: (line) => {
        if (line.event === 'printed') this.log(`printed ${String(line.file)} (${String(line.pages)} pages, ${String(line.ms)} ms)`);
      },
    });
    // Where `build` puts it; a build that found the PDF up to date leaves it there untouched.
    const file = path.join(this.cacheDir, id.edition, `${draftName(id)}.pdf`);
    if (!existsSync(file)) throw new Error(`the build of ${draftKey(id)} left no PDF at ${file}`);
    return file;
  }

  /** Waits for the prints under way (for a clean close). */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.running.values()]);
  }
}

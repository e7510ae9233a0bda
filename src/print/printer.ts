/**
 * The printing service of a run: one launched browser (or a pool of remote ones, print/pool.ts),
 * a bounded number of documents printing at once, each in a tab of its own (its own renderer process,
 * so a document that hangs cannot stall the others). Tabs are kept and reused for the next document:
 * opening one costs as much CPU as printing a short briefing. A tab whose document failed is closed.
 * The browser is recycled after a number of documents so memory stays flat, and relaunched when it
 * crashes; a document whose print takes longer than the timeout fails alone, naming itself.
 */
import type { Browser, Page } from 'puppeteer';
import { closeBrowser, findBrowser, launchBrowser } from './browser.js';
import { openPrintPage, printPdf, PrintTimeout, printDeadline, type PrintResult } from './pdf.js';
import { createPool } from './pool.js';
import { WorkQueue } from '../queue.js';

export { PrintTimeout };

export interface PrinterOptions {
  /** Documents printing at once. */
  concurrency: number;
  /** Relaunch the browser after this many documents (launched browsers only). */
  recycleAfter: number;
  timeoutMs: number;
  /**
   * Print in these running browsers (ws://… or http://host:port) instead of launching one: a pool
   * (print/pool.ts), `concurrency` documents on each.
   */
  endpoints?: readonly string[];
  /** One more endpoint, as `endpoints`. */
  browserWs?: string;
  env: NodeJS.ProcessEnv;
  /** Files a page may load: everything under these folders, nothing else. */
  roots: string[];
  onBrowser?(description: string): void;
  /** Something the run should know but that fails nothing: a remote browser dropped from the pool. */
  onWarning?(event: string, fields: Record<string, unknown>): void;
  /** The user's cache folder (config.ts cacheFolder), for what remote browsers' probe needs (print/probe.ts). */
  cacheDir?: string;
}

class BrowserGone extends Error {}

export interface Printer {
  /**
   * Starts the browser now, in the background, so it is ready when the first document is. Resolves once
   * its process runs (or could not be started): from then on it starts even while this thread is busy.
   */
  warm(): Promise<void>;
  print(htmlFile: string): Promise<PrintResult>;
  close(): Promise<void>;
}

/**
 * One browser and what it is doing: documents started in it, printing now, and its idle tabs. Its
 * lifecycle: open (takes documents) → retired (takes no more: due for recycling, disconnected, or the
 * printer closing) → released (closing, once its last document is done) → gone (closed).
 */
class BrowserSession {
  /** Documents started in this browser, for recycling. */
  started = 0;
  /** Documents printing in it now. */
  active = 0;
  retired = false;
  #released = false;
  #idle: Page[] = [];
  /** The tabs opened as the browser starts, while the first documents render. */
  readonly #opening: Promise<void>;
  /** Resolves once the browser is closed (or disconnected). */
  readonly gone: Promise<void>;
  #markGone!: () => void;

  constructor(readonly browser: Browser, private readonly opts: { roots: string[]; tabs: number }) {
    this.gone = new Promise((resolve) => (this.#markGone = resolve));
    // Open the tabs now: Chromium sets them up while this process renders the first documents.
    this.#opening = Promise.all(
      Array.from({ length: opts.tabs }, () =>
        openPrintPage(browser, opts.roots).then(
          (page) => void (this.#released ? page.close().catch(() => undefined) : this.#idle.push(page)),
          () => undefined,
        ),
      ),
    ).then(() => undefined);
  }

  /** A tab for the next document: an idle one (waiting for those opening at start), else a new one. */
  async tab(): Promise<Page> {
    if (!this.#idle.length) await this.#opening;
    return this.#idle.pop() ?? openPrintPage(this.browser, this.opts.roots);
  }

  /** A tab back after a document: kept for the next after a clean print, closed after any other, even one still opening. */
  giveBack(opened: Promise<Page> | undefined, clean: Page | undefined): void {
    if (clean && !this.retired && this.browser.connected) this.#idle.push(clean);
    else void opened?.then((p) => p.close()).catch(() => undefined);
  }

  /**
   * Closes the browser. Returns the close under way, or undefined when it was already released;
   * `onClosed` runs once it is closed, before `gone` resolves.
   */
  release(onClosed: () => void): Promise<void> | undefined {
    if (this.#released) return undefined;
    this.#released = true;
    this.#idle.splice(0);
    return closeBrowser(this.browser).catch(() => undefined).then(() => {
      onClosed();
      this.#markGone();
    });
  }
}

/**
 * The printing service: at most `concurrency` documents at once (a work queue), in the live browser,
 * started on first use or by warm(), recycled after `recycleAfter` documents, relaunched after a crash.
 */
class PrintService implements Printer {
  #live: BrowserSession | undefined;
  #starting: Promise<BrowserSession> | undefined;
  /** Every browser not yet gone, and the closes under way. */
  readonly #sessions = new Set<BrowserSession>();
  readonly #closing: Promise<void>[] = [];
  #closed = false;
  readonly #slots: WorkQueue;
  /** Resolves when the browser starting has a running process. */
  #spawned: Promise<void> = Promise.resolve();

  constructor(private readonly opts: PrinterOptions) {
    this.#slots = new WorkQueue(opts.concurrency);
  }

  warm(): Promise<void> {
    this.#ensure().catch(() => undefined);
    return this.#spawned;
  }

  print(htmlFile: string): Promise<PrintResult> {
    return this.#slots.run(async () => {
      try {
        return await this.#attempt(htmlFile);
      } catch (e) {
        // A browser that died under us (crash, killed) is relaunched and the document tried once more.
        if (!(e instanceof BrowserGone) || this.#closed) throw e;
        return await this.#attempt(htmlFile);
      }
    });
  }

  /** Closes every browser now, even one still printing (its documents fail). */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#starting?.catch(() => undefined);
    this.#live = undefined;
    for (const s of this.#sessions) this.#release(s);
    await Promise.all(this.#closing);
  }

  async #launch(spawned: () => void): Promise<Browser> {
    const info = await findBrowser(this.opts.env);
    const b = await launchBrowser(info, spawned);
    this.opts.onBrowser?.(`${await b.version()} (${info.executablePath}, ${info.origin})`);
    return b;
  }

  #release(s: BrowserSession): void {
    const closing = s.release(() => this.#sessions.delete(s));
    if (closing) this.#closing.push(closing);
  }

  #retire(s: BrowserSession): void {
    s.retired = true;
    if (this.#live === s) this.#live = undefined;
    if (s.active === 0) this.#release(s);
  }

  /** The live browser, or the one starting. */
  #ensure(): Promise<BrowserSession> {
    if (this.#live) return Promise.resolve(this.#live);
    if (!this.#starting) {
      let onSpawned!: () => void;
      this.#spawned = new Promise((resolve) => (onSpawned = resolve));
      this.#starting = this.#launch(onSpawned).then(
        (browser) => {
          this.#starting = undefined;
          const session = new BrowserSession(browser, { roots: this.opts.roots, tabs: this.opts.concurrency });
          this.#sessions.add(session);
          this.#live = session;
          if (this.#closed) this.#retire(session);
          return session;
        },
        (e: unknown) => {
          this.#starting = undefined;
          onSpawned();
          throw e;
        },
      );
    }
    return this.#starting;
  }

  /**
   * Claims the browser for the next document, started or restarted as needed. A browser due for
   * recycling takes no more documents; the next one starts when it has finished and closed, so two
   * browsers never run at once and memory stays flat.
   */
  async #claim(): Promise<BrowserSession> {
    for (;;) {
      if (this.#closed) throw new Error('the printer is closed');
      const live = this.#live;
      if (live && !live.browser.connected) this.#retire(live);
      if (live && live.started >= this.opts.recycleAfter) this.#retire(live);
      const retiring = [...this.#sessions].filter((s) => s.retired);
      if (retiring.length) {
        await Promise.all(retiring.map((s) => s.gone));
        continue;
      }
      const session = await this.#ensure();
      // Checked and claimed in one step: nothing can retire it in between.
      if (session.retired) continue;
      session.started++;
      session.active++;
      return session;
    }
  }

  async #attempt(htmlFile: string): Promise<PrintResult> {
    const session = await this.#claim();
    const b = session.browser;
    let deadline: ReturnType<typeof printDeadline> | undefined;
    let onGone: (() => void) | undefined;
    let opened: Promise<Page> | undefined;
    let page: Page | undefined;
    let clean = false;
    try {
      deadline = printDeadline(this.opts.timeoutMs);
      const timeout = deadline.expired;
      // A browser that dies mid-print may leave the print's own promises pending: stop waiting at once.
      const gone = new Promise<never>((_, reject) => {
        onGone = () => reject(new BrowserGone('the browser closed while printing'));
        if (!b.connected) onGone();
        else b.once('disconnected', onGone);
      });
      // A per-document browser context would isolate no further than a tab and costs a quarter of a
      // second to create.
      opened = session.tab();
      const print = opened.then((p) => printPdf((page = p), htmlFile, { timeoutMs: this.opts.timeoutMs, serveFiles: false }));
      const result = await Promise.race([print, timeout, gone]);
      clean = true;
      return result;
    } catch (e) {
      // Whatever failed, a browser that is gone is the cause.
      if (!(e instanceof PrintTimeout) && !b.connected) throw new BrowserGone('the browser closed while printing');
      throw e;
    } finally {
      deadline?.clear();
      if (onGone) b.off('disconnected', onGone);
      session.active--;
      session.giveBack(opened, clean ? page : undefined);
      if (session.retired && session.active === 0) this.#release(session);
    }
  }
}

/** The run's printer: a pool of the remote browsers given, else a browser of its own. */
export function createPrinter(opts: PrinterOptions): Printer {
  const endpoints = [...(opts.endpoints ?? []), ...(opts.browserWs ? [opts.browserWs] : [])];
  if (!endpoints.length) return new PrintService(opts);
  const { concurrency, timeoutMs, roots, onBrowser, onWarning, cacheDir } = opts;
  return createPool({ endpoints, concurrency, timeoutMs, roots, ...(onBrowser ? { onBrowser } : {}), ...(onWarning ? { onWarning } : {}), ...(cacheDir ? { cacheDir } : {}) });
}

/**
 * The printing service of a run: one browser (launched, or a remote one reached over a WebSocket),
 * a bounded number of documents printing at once, each in a tab of its own (its own renderer process,
 * so a document that hangs cannot stall the others). Tabs are kept and reused for the next document:
 * opening one costs as much CPU as printing a short briefing. A tab whose document failed is closed.
 * The browser is recycled after a number of documents so memory stays flat, and relaunched when it
 * crashes; a document whose print takes longer than the timeout fails alone, naming itself.
 */
import type { Browser, Page } from 'puppeteer';
import { closeBrowser, findBrowser, launchBrowser, loadPuppeteer } from './browser.js';
import { openPrintPage, printPdf, type PrintResult } from './pdf.js';

export interface PrinterOptions {
  /** Documents printing at once. */
  concurrency: number;
  /** Relaunch the browser after this many documents (launched browsers only). */
  recycleAfter: number;
  timeoutMs: number;
  /** Connect to this browser instead of launching one. */
  browserWs?: string;
  env: NodeJS.ProcessEnv;
  /** Files a page may load: everything under these folders, nothing else. */
  roots: string[];
  onBrowser?(description: string): void;
}

export class PrintTimeout extends Error {}
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

/** One browser and what it is doing: documents started in it, printing now, and its idle tabs. */
interface Session {
  browser: Browser;
  started: number;
  active: number;
  /** Takes no more documents; closed when its last one is done. */
  retired: boolean;
  released: boolean;
  /** Resolves once the browser is closed (or disconnected). */
  gone: Promise<void>;
  markGone(): void;
  idle: Page[];
  /** The tabs opened as the browser starts, while the first documents render. */
  opening: Promise<void>;
}

export function createPrinter(opts: PrinterOptions): Printer {
  let live: Session | undefined;
  let starting: Promise<Session> | undefined;
  /** Every browser not yet closed, and the closes under way. */
  const sessions = new Set<Session>();
  const closing: Promise<void>[] = [];
  let closed = false;
  let active = 0;
  const waiting: (() => void)[] = [];

  const start = async (spawned: () => void): Promise<Browser> => {
    if (opts.browserWs) {
      spawned();
      const puppeteer = await loadPuppeteer();
      const b = await puppeteer.connect({ browserWSEndpoint: opts.browserWs });
      opts.onBrowser?.(`${await b.version()} (remote, ${opts.browserWs})`);
      return b;
    }
    const info = await findBrowser(opts.env);
    const b = await launchBrowser(info, spawned);
    opts.onBrowser?.(`${await b.version()} (${info.executablePath}, ${info.origin})`);
    return b;
  };
  const release = (s: Session) => {
    if (s.released) return;
    s.released = true;
    const done = opts.browserWs ? Promise.allSettled(s.idle.map((p) => p.close())).then(() => s.browser.disconnect()) : closeBrowser(s.browser);
    s.idle = [];
    closing.push(
      done.catch(() => undefined).then(() => {
        sessions.delete(s);
        s.markGone();
      }),
    );
  };
  const retire = (s: Session) => {
    s.retired = true;
    if (live === s) live = undefined;
    if (s.active === 0) release(s);
  };
  /** Resolves when the browser starting has a running process. */
  let spawned: Promise<void> = Promise.resolve();
  /** The live browser, or the one starting. */
  const ensure = (): Promise<Session> => {
    if (live) return Promise.resolve(live);
    if (!starting) {
      let onSpawned!: () => void;
      spawned = new Promise((resolve) => (onSpawned = resolve));
      starting = start(onSpawned).then(
        (browser) => {
          starting = undefined;
          let markGone!: () => void;
          const gone = new Promise<void>((resolve) => (markGone = resolve));
          const session: Session = { browser, started: 0, active: 0, retired: false, released: false, gone, markGone, idle: [], opening: Promise.resolve() };
          // Open the tabs now: Chromium sets them up while this process renders the first documents.
          session.opening = Promise.all(
            Array.from({ length: opts.concurrency }, () =>
              openPrintPage(browser, opts.roots).then(
                (page) => void (session.released ? page.close().catch(() => undefined) : session.idle.push(page)),
                () => undefined,
              ),
            ),
          ).then(() => undefined);
          sessions.add(session);
          live = session;
          if (closed) retire(session);
          return session;
        },
        (e: unknown) => {
          starting = undefined;
          onSpawned();
          throw e;
        },
      );
    }
    return starting;
  };
  /**
   * Claims the browser for the next document, started or restarted as needed. A browser due for
   * recycling takes no more documents; the next one starts when it has finished and closed, so two
   * browsers never run at once and memory stays flat.
   */
  const claim = async (): Promise<Session> => {
    for (;;) {
      if (closed) throw new Error('the printer is closed');
      if (live && !live.browser.connected) retire(live);
      if (live && !opts.browserWs && live.started >= opts.recycleAfter) retire(live);
      const retiring = [...sessions].filter((s) => s.retired);
      if (retiring.length) {
        await Promise.all(retiring.map((s) => s.gone));
        continue;
      }
      const session = await ensure();
      // Checked and claimed in one step: nothing can retire it in between.
      if (session.retired) continue;
      session.started++;
      session.active++;
      return session;
    }
  };

  const slot = async () => {
    if (active < opts.concurrency) {
      active++;
      return;
    }
    await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
  };
  const free = () => {
    active--;
    waiting.shift()?.();
  };

  const attempt = async (htmlFile: string): Promise<PrintResult> => {
    const session = await claim();
    const b = session.browser;
    let timer: NodeJS.Timeout | undefined;
    let onGone: (() => void) | undefined;
    let opened: Promise<Page> | undefined;
    let page: Page | undefined;
    let reusable = false;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new PrintTimeout(`printing took longer than ${Math.round(opts.timeoutMs / 1000)} s`)), opts.timeoutMs);
      });
      // A browser that dies mid-print may leave the print's own promises pending: stop waiting at once.
      const gone = new Promise<never>((_, reject) => {
        onGone = () => reject(new BrowserGone('the browser closed while printing'));
        if (!b.connected) onGone();
        else b.once('disconnected', onGone);
      });
      // A per-document browser context would isolate no further than a tab and costs a quarter of a
      // second to create.
      opened = (async () => {
        if (!session.idle.length) await session.opening;
        return session.idle.pop() ?? openPrintPage(b, opts.roots);
      })();
      const print = opened.then((p) => printPdf((page = p), htmlFile, { timeoutMs: opts.timeoutMs, serveFiles: !!opts.browserWs }));
      const result = await Promise.race([print, timeout, gone]);
      reusable = true;
      return result;
    } catch (e) {
      // Whatever failed, a browser that is gone is the cause.
      if (!(e instanceof PrintTimeout) && !b.connected) throw new BrowserGone('the browser closed while printing');
      throw e;
    } finally {
      clearTimeout(timer);
      if (onGone) b.off('disconnected', onGone);
      session.active--;
      // A tab is reused only after a clean print; any other is closed, even one still opening.
      if (reusable && page && !session.retired && b.connected) session.idle.push(page);
      else void opened?.then((p) => p.close()).catch(() => undefined);
      if (session.retired && session.active === 0) release(session);
    }
  };

  return {
    warm() {
      ensure().catch(() => undefined);
      return spawned;
    },
    async print(htmlFile) {
      await slot();
      try {
        try {
          return await attempt(htmlFile);
        } catch (e) {
          // A browser that died under us (crash, killed) is relaunched and the document tried once more.
          if (!(e instanceof BrowserGone) || closed) throw e;
          return await attempt(htmlFile);
        }
      } finally {
        free();
      }
    },
    /** Closes every browser now, even one still printing (its documents fail). */
    async close() {
      closed = true;
      await starting?.catch(() => undefined);
      live = undefined;
      for (const s of sessions) release(s);
      await Promise.all(closing);
    },
  };
}

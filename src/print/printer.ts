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
  /** Starts the browser now, in the background, so it is ready when the first document is. */
  warm(): void;
  print(htmlFile: string): Promise<PrintResult>;
  close(): Promise<void>;
}

export function createPrinter(opts: PrinterOptions): Printer {
  let browser: Browser | undefined;
  let starting: Promise<Browser> | undefined;
  let printedByThisBrowser = 0;
  let active = 0;
  /** Tabs ready for the next document, with the browser they belong to. */
  let idle: { browser: Browser; page: Page }[] = [];
  const waiting: (() => void)[] = [];

  const start = async (): Promise<Browser> => {
    if (opts.browserWs) {
      const puppeteer = await loadPuppeteer();
      const b = await puppeteer.connect({ browserWSEndpoint: opts.browserWs });
      opts.onBrowser?.(`${await b.version()} (remote, ${opts.browserWs})`);
      return b;
    }
    const info = await findBrowser(opts.env);
    const b = await launchBrowser(info);
    opts.onBrowser?.(`${await b.version()} (${info.executablePath}, ${info.origin})`);
    return b;
  };
  const release = async (b: Browser) => {
    if (opts.browserWs) await b.disconnect().catch(() => undefined);
    else await closeBrowser(b);
  };
  /** The live browser, started or restarted as needed; recycled between documents when due. */
  const current = async (): Promise<Browser> => {
    if (browser && !browser.connected) browser = undefined;
    if (browser && !opts.browserWs && printedByThisBrowser >= opts.recycleAfter && active === 1) {
      const old = browser;
      browser = undefined;
      await release(old);
    }
    if (!browser) {
      starting ??= start().then((b) => {
        browser = b;
        printedByThisBrowser = 0;
        starting = undefined;
        return b;
      }, (e: unknown) => {
        starting = undefined;
        throw e;
      });
      return starting;
    }
    return browser;
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

  /** An idle tab of `b`, or a new one; tabs of earlier browsers are dropped. */
  const tab = async (b: Browser): Promise<Page> => {
    idle = idle.filter((t) => t.browser === b);
    return idle.pop()?.page ?? openPrintPage(b, opts.roots);
  };

  const attempt = async (htmlFile: string): Promise<PrintResult> => {
    const b = await current();
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
      opened = tab(b);
      const print = opened.then((p) => printPdf((page = p), htmlFile, { timeoutMs: opts.timeoutMs, serveFiles: !!opts.browserWs }));
      const result = await Promise.race([print, timeout, gone]);
      printedByThisBrowser++;
      reusable = true;
      return result;
    } finally {
      clearTimeout(timer);
      if (onGone) b.off('disconnected', onGone);
      // A tab is reused only after a clean print; any other is closed, even one still opening.
      if (reusable && page && b.connected) idle.push({ browser: b, page });
      else void opened?.then((p) => p.close()).catch(() => undefined);
    }
  };

  return {
    warm() {
      current().catch(() => undefined);
    },
    async print(htmlFile) {
      await slot();
      try {
        try {
          return await attempt(htmlFile);
        } catch (e) {
          // A browser that died under us (crash, killed) is relaunched and the document tried once more.
          if (!(e instanceof BrowserGone) && (e instanceof PrintTimeout || (browser?.connected ?? false))) throw e;
          if (browser && !browser.connected) browser = undefined;
          return await attempt(htmlFile);
        }
      } finally {
        free();
      }
    },
    async close() {
      await starting?.catch(() => undefined);
      idle = [];
      if (browser) await release(browser);
      browser = undefined;
    },
  };
}

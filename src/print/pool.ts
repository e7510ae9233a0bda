/**
 * Printing on a pool of remote browsers (`--browser-ws`, one or several): Chromiums started elsewhere
 * (a headless shell in a container, say) that this process drives over the DevTools protocol, serving
 * them the documents' files itself (print/pdf.ts PRINT_ORIGIN).
 *
 * Each endpoint takes up to `concurrency` documents at once, each in a tab of its own, kept for the next
 * document. A document goes to the endpoint with the most free room (the least used on a tie), so the
 * work spreads by capacity. Before an endpoint takes any, it must lay text out as a local build does
 * (print/probe.ts). An endpoint that cannot be reached, refuses the probe, closes its connection or stops
 * answering (no reply to the protocol for HANG_MS) is dropped for the rest of the run, with a warning
 * naming it; the documents it was printing go back to the front of the queue for the others. Only when
 * no endpoint is left does a document fail for want of one. A document that fails on a live endpoint
 * (it takes longer than the timeout while the endpoint answers, a file of it does not load) fails alone,
 * as it would locally.
 *
 * Lifecycle of an endpoint: connecting → open (takes documents) → gone (dropped, or the pool closed).
 */
import { lookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { createRequire } from 'node:module';
import type { Browser, ConnectionTransport, Page } from 'puppeteer';
import { loadPuppeteer } from './browser.js';
import { openPrintPage, printPdf, PrintTimeout, printDeadline, type PrintResult } from './pdf.js';
import { probeMismatch, probeTextLayout } from './probe.js';
import type { Printer } from './printer.js';

export interface PoolOptions {
  /** ws://… DevTools URLs, or http://host:port (resolved through /json/version). */
  endpoints: readonly string[];
  /** Documents printing at once on each endpoint. */
  concurrency: number;
  timeoutMs: number;
  /** Files a page may load: everything under these folders, nothing else. */
  roots: string[];
  onBrowser?(description: string): void;
  /** An endpoint dropped: `browser-dropped`, with the endpoint, the reason and what is left. */
  onWarning?(event: string, fields: Record<string, unknown>): void;
  /** Where the text-layout probe's font and width made by earlier runs are kept (config.ts cacheFolder). */
  cacheDir?: string;
}

/** Reaching an endpoint (its address, the connection, its version and the probe) takes at most this long. */
export const CONNECT_MS = 10_000;
/** An endpoint that answers no protocol command for this long is hung. */
export const HANG_MS = 5_000;
/** How often an open endpoint is asked whether it still answers. */
const PING_EVERY_MS = 1_000;

class EndpointLost extends Error {}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Settles as `work` does, or rejects with `what` after `ms`; `late` receives a result that came too late. */
function withDeadline<T>(work: Promise<T>, ms: number, what: string, late?: (value: T) => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let expired = false;
  return Promise.race([
    work.then((value) => {
      if (expired) late?.(value);
      return value;
    }),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        expired = true;
        reject(new Error(what));
      }, ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * The DevTools WebSocket URL of an endpoint as given: a ws:// URL as it is, an http://host:port one
 * from its /json/version. A host name is looked up here and the address used: Chromium answers only a
 * request whose Host is an IP address or localhost (its guard against DNS rebinding), so a compose
 * service's name or a Kubernetes pod's would be refused.
 */
export async function resolveEndpoint(given: string, timeoutMs = CONNECT_MS, cut: Cut = {}): Promise<string> {
  const url = new URL(given);
  if (url.hostname !== 'localhost' && !net.isIP(url.hostname.replace(/^\[|\]$/g, ''))) {
    const { address, family } = await lookup(url.hostname);
    url.hostname = family === 6 ? `[${address}]` : address;
  }
  if (url.protocol === 'ws:' || url.protocol === 'wss:') return url.href;
  const version = new URL('/json/version', url);
  let body: string;
  try {
    body = await getText(version, timeoutMs, cut);
  } catch (e) {
    throw new Error(`${version.href}: ${networkError(e)}`);
  }
  let ws: unknown;
  try {
    ws = (JSON.parse(body) as { webSocketDebuggerUrl?: unknown }).webSocketDebuggerUrl;
  } catch {
    // told below
  }
  if (typeof ws !== 'string') throw new Error(`${version.href} names no webSocketDebuggerUrl: ${JSON.stringify(body.trim().slice(0, 120))}`);
  return ws;
}

/** A GET's body (node:http rather than fetch, which refuses some ports a browser may listen on). */
function getText(url: URL, timeoutMs: number, cut: Cut): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = (url.protocol === 'https:' ? https : http).get(url, { timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`answered ${res.statusCode} ${body.trim().slice(0, 120)}`))));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('no answer in time'), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    cut.now = () => req.destroy(new Error('cut short'));
  });
}

/** A failed connection in a few words: "connection refused (ECONNREFUSED)". */
export function networkError(e: unknown): string {
  // fetch and Node put the code on the error or its cause; Puppeteer's WebSocket gives an ErrorEvent with the error inside.
  const inner = e as { code?: string; cause?: { code?: string }; error?: { code?: string } };
  const code = inner.code ?? inner.cause?.code ?? inner.error?.code;
  const words: Record<string, string> = { ECONNREFUSED: 'connection refused', ECONNRESET: 'connection reset', EHOSTUNREACH: 'host unreachable', ENOTFOUND: 'no such host', ETIMEDOUT: 'timed out', EAI_AGAIN: 'name lookup failed' };
  if (code) return `${words[code] ?? 'failed'} (${code})`;
  const text = (e as { message?: unknown }).message;
  return typeof text === 'string' ? text.split('\n')[0]! : String(e);
}

/** What this module needs of the `ws` package (Puppeteer's own WebSocket client). */
interface WsSocket {
  on(event: 'open' | 'close', listener: () => void): void;
  on(event: 'message', listener: (data: Buffer | string) => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
  send(message: string): void;
  terminate(): void;
}
type WsClass = new (url: string, protocols: string[], options: Record<string, unknown>) => WsSocket;

/** `ws` as Puppeteer has it (it is Puppeteer's dependency, not ours). */
function wsClass(): WsClass {
  const fromHere = createRequire(import.meta.url);
  const fromPuppeteer = createRequire(fromHere.resolve('puppeteer'));
  return createRequire(fromPuppeteer.resolve('puppeteer-core'))('ws') as WsClass;
}

/**
 * A DevTools connection over a WebSocket, as Puppeteer's own but for its close: the socket is cut, not
 * closed with a handshake, which a browser that stopped answering never completes (the socket would hold
 * this process for 30 s). Its opening handshake is bounded too.
 */
class Socket implements ConnectionTransport {
  onmessage?: (message: string) => void;
  onclose?: () => void;

  private constructor(private readonly ws: WsSocket) {
    ws.on('message', (data) => this.onmessage?.(data.toString()));
    ws.on('close', () => this.onclose?.());
    ws.on('error', () => undefined);
  }

  static open(url: string, timeoutMs: number, cut: Cut): Promise<Socket> {
    const Ws = wsClass();
    return new Promise((resolve, reject) => {
      const ws = new Ws(url, [], { followRedirects: true, perMessageDeflate: false, maxPayload: 256 * 1024 * 1024, handshakeTimeout: timeoutMs, headers: { 'User-Agent': 'briefing' } });
      ws.on('open', () => resolve(new Socket(ws)));
      ws.on('error', reject);
      cut.now = () => ws.terminate();
    });
  }

  send(message: string): void {
    this.ws.send(message);
  }

  close(): void {
    this.ws.terminate();
  }
}

/** Set to cut a connection short, whichever step of it is under way (so that nothing holds this process). */
export interface Cut {
  now?: () => void;
}

/**
 * Connects to an endpoint as given (see resolveEndpoint), telling a failure in a few words. `cut`
 * receives a way to cut the connection, while it is made (when a deadline passes) or after.
 */
export async function connectTo(given: string, cut: Cut = {}): Promise<Browser> {
  let socket: Socket;
  try {
    socket = await Socket.open(await resolveEndpoint(given, CONNECT_MS, cut), CONNECT_MS, cut);
  } catch (e) {
    throw new Error(networkError(e));
  }
  cut.now = () => socket.close();
  try {
    return await (await loadPuppeteer()).connect({ transport: socket, defaultViewport: null });
  } catch (e) {
    socket.close();
    throw new Error(networkError(e));
  }
}

/** Whether `browser` answers a protocol command within HANG_MS. */
export async function answers(browser: Browser, withinMs = HANG_MS): Promise<boolean> {
  let answered = false;
  let failed = false;
  const ping = browser.version().then(
    () => void (answered = true),
    () => void (failed = true),
  );
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([ping, new Promise<void>((resolve) => (timer = setTimeout(resolve, withinMs)))]);
  clearTimeout(timer);
  // A reply may be waiting behind a busy event loop (timers run before sockets are read): read it first.
  if (!answered && !failed) await new Promise((resolve) => setImmediate(resolve));
  return answered;
}

interface Job {
  htmlFile: string;
  resolve(result: PrintResult): void;
  reject(error: unknown): void;
}

class Endpoint {
  state: 'connecting' | 'open' | 'gone' = 'connecting';
  browser: Browser | undefined;
  /** Documents printing here now, and started here in all. */
  active = 0;
  started = 0;
  /** Why it was dropped. */
  reason = '';
  readonly idle: Page[] = [];
  /** Tabs opening, for the next documents to take. */
  readonly opening: Promise<Page>[] = [];
  pinging: NodeJS.Timeout | undefined;
  /** Cuts its connection, made or being made. */
  readonly cut: Cut = {};
  /** Rejects once the endpoint is gone: the documents printing on it stop waiting at once. */
  readonly lost: Promise<never>;
  lose!: (e: Error) => void;

  constructor(readonly given: string) {
    this.lost = new Promise<never>((_, reject) => (this.lose = reject));
    this.lost.catch(() => undefined);
  }
}

class PrintPool implements Printer {
  readonly #endpoints: Endpoint[];
  readonly #waiting: Job[] = [];
  #connecting: Promise<void> | undefined;
  #closed = false;

  constructor(private readonly opts: PoolOptions) {
    this.#endpoints = [...new Set(opts.endpoints)].map((given) => new Endpoint(given));
    if (!this.#endpoints.length) throw new Error('a pool of browsers needs at least one endpoint');
  }

  /** Starts connecting to every endpoint, in the background. (No process of ours to wait for.) */
  warm(): Promise<void> {
    this.#connectAll();
    return Promise.resolve();
  }

  print(htmlFile: string): Promise<PrintResult> {
    if (this.#closed) return Promise.reject(new Error('the printer is closed'));
    this.#connectAll();
    return new Promise((resolve, reject) => {
      this.#waiting.push({ htmlFile, resolve, reject });
      this.#dispatch();
    });
  }

  /** Disconnects from every endpoint (their browsers keep running), closing its idle tabs; documents still printing fail. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const job of this.#waiting.splice(0)) job.reject(new Error('the printer is closed'));
    await Promise.all(
      this.#endpoints.map(async (e) => {
        const { browser, idle } = e;
        this.#leave(e, 'the printer closed');
        // One still connecting is cut off: its socket would hold this process until its deadline.
        if (!browser) return void e.cut.now?.();
        // A browser that stopped answering would hold a tab's close for ever.
        await withDeadline(Promise.allSettled(idle.map((p) => p.close())), 2_000, 'tabs did not close').catch(() => undefined);
        await browser.disconnect().catch(() => undefined);
      }),
    );
  }

  #connectAll(): void {
    this.#connecting ??= Promise.all(this.#endpoints.map((e) => this.#connect(e))).then(() => undefined);
  }

  async #connect(e: Endpoint): Promise<void> {
    const { cut } = e;
    try {
      const { browser, version } = await withDeadline(this.#open(e, cut), CONNECT_MS, `no answer within ${CONNECT_MS / 1000} s`, (late) => void late.browser.disconnect());
      if (e.state === 'gone') return void browser.disconnect();
      e.browser = browser;
      e.state = 'open';
      browser.once('disconnected', () => this.#drop(e, 'its connection closed (the browser exited, or the network failed)'));
      this.opts.onBrowser?.(`${version} (remote, ${e.given})`);
      this.#ping(e);
      // Its other tabs open now, for the documents about to come (one is open already: the probe's).
      for (let i = 1; i < this.opts.concurrency; i++) {
        const opening = openPrintPage(browser, this.opts.roots);
        e.opening.push(opening);
        opening.then(
          (page) => {
            // Not taken while it opened: kept for the next document.
            if (!e.opening.includes(opening)) return;
            e.opening.splice(e.opening.indexOf(opening), 1);
            if (e.state === 'open') e.idle.push(page);
            else void page.close().catch(() => undefined);
          },
          () => void (e.opening.includes(opening) && e.opening.splice(e.opening.indexOf(opening), 1)),
        );
      }
      this.#dispatch();
    } catch (err) {
      cut.now?.();
      this.#drop(e, message(err));
    }
  }

  /** Connects, reads the version and measures the probe in the endpoint's first tab. */
  async #open(e: Endpoint, cut: Cut): Promise<{ browser: Browser; version: string }> {
    const browser = await connectTo(e.given, cut);
    try {
      const version = await browser.version();
      const tab = await openPrintPage(browser, this.opts.roots);
      const probe = await probeTextLayout(tab, this.opts.cacheDir ? { cacheDir: this.opts.cacheDir } : {});
      if (!probe.ok) {
        await tab.close().catch(() => undefined);
        throw new Error(probeMismatch(probe));
      }
      e.idle.push(tab);
      return { browser, version };
    } catch (err) {
      await browser.disconnect().catch(() => undefined);
      throw err;
    }
  }

  /** Asks the endpoint every PING_EVERY_MS whether it still answers; drops it once it does not. */
  #ping(e: Endpoint): void {
    const tick = async () => {
      if (e.state !== 'open' || !e.browser) return;
      const alive = await answers(e.browser);
      if (e.state !== 'open') return;
      if (!alive) return this.#drop(e, `it stopped answering (no reply within ${HANG_MS / 1000} s)`);
      e.pinging = setTimeout(() => void tick(), PING_EVERY_MS).unref();
    };
    e.pinging = setTimeout(() => void tick(), PING_EVERY_MS).unref();
  }

  /** Hands waiting documents to the endpoints with room, the roomiest first; fails them all once none is left. */
  #dispatch(): void {
    while (this.#waiting.length) {
      const room = this.#endpoints.filter((e) => e.state === 'open' && e.active < this.opts.concurrency);
      if (!room.length) break;
      const e = room.reduce((best, c) => (c.active < best.active || (c.active === best.active && c.started < best.started) ? c : best));
      const job = this.#waiting.shift()!;
      e.active++;
      e.started++;
      void this.#run(e, job);
    }
    if (this.#waiting.length && this.#endpoints.every((e) => e.state === 'gone')) {
      const all = this.#endpoints.length;
      const none = new Error(`no browser is left to print in: ${all === 1 ? 'the one given was dropped' : `all ${all} given were dropped`} (${this.#endpoints.map((e) => `${e.given}: ${e.reason}`).join('; ')})`);
      for (const job of this.#waiting.splice(0)) job.reject(none);
    }
  }

  async #run(e: Endpoint, job: Job): Promise<void> {
    let deadline: ReturnType<typeof printDeadline> | undefined;
    let opened: Promise<Page> | undefined;
    let page: Page | undefined;
    let clean = false;
    try {
      deadline = printDeadline(this.opts.timeoutMs);
      const timeout = deadline.expired;
      // An idle tab, else one opening, else a new one.
      const browser = e.browser!;
      const tab = e.idle.pop();
      const opening = tab ? undefined : e.opening.shift();
      opened = tab ? Promise.resolve(tab) : opening ? opening.catch(() => openPrintPage(browser, this.opts.roots)) : openPrintPage(browser, this.opts.roots);
      const print = opened.then((p) => printPdf((page = p), job.htmlFile, { timeoutMs: this.opts.timeoutMs, serveFiles: true }));
      const result = await Promise.race([print, timeout, e.lost]);
      clean = true;
      job.resolve(result);
    } catch (err) {
      if (this.#closed) job.reject(err instanceof EndpointLost ? new Error('the printer is closed') : err);
      else if (e.state === 'gone') this.#waiting.unshift(job);
      else if (err instanceof PrintTimeout && !(await answers(e.browser!))) {
        // Not the document: the endpoint stopped answering. It goes, the document goes to another.
        this.#drop(e, `it stopped answering (no reply within ${HANG_MS / 1000} s)`);
        this.#waiting.unshift(job);
      } else job.reject(err);
    } finally {
      deadline?.clear();
      e.active--;
      // A tab back after a clean print; closed after any other, even one still opening.
      if (clean && page && e.state === 'open' && e.idle.length < this.opts.concurrency) e.idle.push(page);
      else if (e.state === 'open') void opened?.then((p) => p.close()).catch(() => undefined);
      this.#dispatch();
    }
  }

  /** The endpoint takes no more documents, and those printing on it stop waiting. */
  #leave(e: Endpoint, reason: string): boolean {
    if (e.state === 'gone') return false;
    e.state = 'gone';
    e.reason = reason;
    clearTimeout(e.pinging);
    e.lose(new EndpointLost(reason));
    e.browser = undefined;
    e.idle.splice(0);
    e.opening.splice(0);
    return true;
  }

  /** Drops an endpoint for the rest of the run, with a warning; its documents go to the others. */
  #drop(e: Endpoint, reason: string): void {
    const browser = e.browser;
    const printing = e.active;
    if (!this.#leave(e, reason)) return;
    void browser?.disconnect().catch(() => undefined);
    if (this.#closed) return;
    const left = this.#endpoints.filter((x) => x.state !== 'gone').length;
    this.opts.onWarning?.('browser-dropped', { endpoint: e.given, reason, printing, left });
    this.#dispatch();
  }
}

export function createPool(opts: PoolOptions): Printer {
  return new PrintPool(opts);
}

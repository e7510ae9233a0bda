/**
 * `briefing preview`: a local HTTP server for the HTML drafts, laid out as printed pages.
 *   /                                   index: every zone × theme × language, an edition selector
 *   /draft/<edition>/<name>.html        a draft (the HTML `build` writes) with Paged.js and the client
 *   /pdf/<edition>/<name>.pdf           the PDF, printed on request by the pipeline of `build`
 *   /draft/<edition>/fonts/…            the font subsets a draft refers to, from the render cache
 *   /source/<id>                        a source's text, every figure marked used (linked to its fact), drafted or not used
 *   /__preview/events                   Server-Sent Events: hello, reload, problems
 *   /__preview/contents/<edition>/<name>.json  the bookmarks of the draft's PDF (printed as for /pdf/), from
 *                                       which the draft's page fills in its contents' page numbers
 *   /__preview/paged.polyfill.js        Paged.js, from the npm package
 *   /__preview/dist/<module>.js         the client and the modules it imports, compiled (BROWSER_MODULES)
 * GET and HEAD only; it listens on 127.0.0.1 unless told otherwise, and on a loopback address it answers
 * only requests addressed to a loopback name (no DNS rebinding). Everything but the index refuses a
 * request made by another site (crossSite). Drafts and PDFs exist only for the editions the data
 * supports (DraftStore.servesEdition); the drafts kept in memory and the PDFs kept on disk are bounded.
 * Pages allow only scripts carrying their response's nonce.
 */
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pipeline } from 'node:stream';
import { BriefingError, formatProblem, usageError, type Problem } from '../errors.js';
import { LANG_MODES, type Config } from '../config.js';
import { BROWSER_MODULES, CODE_PREFIX, CONTENTS_PREFIX, EVENTS_URL, PAGED_URL, PREVIEW_PREFIX, injectPreview, type PageState } from './client.js';
import { PdfBytes } from '../print/pdfbytes.js';
import { DEFAULT_STORE_LIMITS, DraftStore, draftKey, draftName, draftUrl, pdfUrl, type DraftId } from './drafts.js';
import { indexPage, problemPage, sourcePage } from './pages.js';
import { sourceUsage } from '../draft/usage.js';
import { loadDrafts } from '../data/drafts.js';
import { parseTarget } from './paths.js';
import { CONTENT_TYPES } from '../content-types.js';
import { BROWSER_IDLE_MS, DEFAULT_MAX_PDFS, PdfPrinter } from './pdfs.js';
import { watchInputs, type Change } from './watch.js';

export interface PreviewOptions {
  /** 0 picks a free port. */
  port: number;
  host: string;
  /** Open the index in the system's browser. */
  open?: boolean;
  /** Where PDFs printed on request are written; default `<out>/.preview`. */
  cacheDir?: string;
  /** One line per event worth telling: a change applied, problems, a PDF printed. */
  log?: (line: string) => void;
  /** Quiet time after a file event before the batch is applied. */
  settleMs?: number;
  /**
   * What it keeps: drafts in memory (count and bytes, DEFAULT_STORE_LIMITS), PDFs on disk
   * (DEFAULT_MAX_PDFS), and the printing browser open after the last print (ms, BROWSER_IDLE_MS).
   */
  limits?: { drafts?: number; draftBytes?: number; pdfs?: number; browserIdleMs?: number };
}

export interface Preview {
  url: string;
  close(): Promise<void>;
  /** Resolves when the preview has closed. */
  done: Promise<void>;
  /** What it holds now: drafts in memory (count, bytes, ids known) and PDFs in its cache folder. */
  stats(): { drafts: number; draftBytes: number; known: number; pdfs: number };
}

export const DEFAULT_PORT = 4173;
export const DEFAULT_HOST = '127.0.0.1';

/** Flags → options; a bad port is the user's mistake, told in one line. */
export function previewOptions(input: { port?: string | number; host?: string; open?: boolean }): PreviewOptions {
  const raw = String(input.port ?? DEFAULT_PORT);
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port > 65535) throw usageError(`--port "${raw}" is not a port number`, 'use a number from 1 to 65535, or 0 for any free port');
  const host = (input.host ?? DEFAULT_HOST).trim();
  if (!host) throw usageError('--host is empty', `give an address to listen on, such as ${DEFAULT_HOST}`);
  return { port, host, open: !!input.open };
}

const LOOPBACK = /^(127(\.\d{1,3}){3}|::1|localhost)$/i;

/** On a loopback address, only requests naming a loopback host: a web page elsewhere cannot reach in through DNS. */
function hostAllowed(header: string | undefined, bound: string): boolean {
  if (!LOOPBACK.test(bound)) return true;
  if (!header) return false;
  const name = (header.startsWith('[') ? header.slice(1, header.indexOf(']')) : header.replace(/:\d*$/, '')).toLowerCase();
  return LOOPBACK.test(name) || name.endsWith('.localhost');
}

/**
 * Why a request comes from another site, or undefined when it does not. Allowed: `Sec-Fetch-Site`
 * `same-origin` (the preview's own pages) or `none` (an address typed, a bookmark), and no such header
 * (curl, tests, old browsers); in every case an `Origin` header, when sent, must be this server's
 * (`http://` and the Host the request names). Refused: `cross-site` and `same-site` (another port of
 * localhost is the same site), and any other Origin, `null` included.
 */
export function crossSite(headers: http.IncomingHttpHeaders): string | undefined {
  const site = headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return `Sec-Fetch-Site: ${site}`;
  const origin = headers.origin;
  if (origin !== undefined && origin.toLowerCase() !== `http://${headers.host ?? ''}`.toLowerCase()) return `Origin: ${origin}`;
  return undefined;
}

/** Paged.js's polyfill, from the npm package (its exports map names no file path, so it is found beside the package's entry). */
function pagedPolyfill(): string {
  const file = path.join(path.dirname(createRequire(import.meta.url).resolve('pagedjs')), '..', 'dist', 'paged.polyfill.js');
  if (!existsSync(file)) throw new Error(`Paged.js is missing (${file}); run npm install`);
  return file;
}

/**
 * The client's modules, compiled by `npm run build:ts` into dist/ (where the command runs from), by their
 * path there. The preview runs the same code from src/ in its tests: dist/ is always where they are.
 */
function browserModules(packageRoot: string): Map<string, string> {
  const modules = new Map(BROWSER_MODULES.map((m) => [m, path.join(packageRoot, 'dist', m)]));
  for (const file of modules.values()) if (!existsSync(file)) throw new Error(`the preview's browser code is missing (${file}); run npm run build:ts`);
  return modules;
}

const EDITION = /^\d{4}-(0[1-9]|1[0-2])$/;

interface Client {
  res: http.ServerResponse;
  /** The draft the page shows, as its key. */
  draft?: string;
}

/** Starts the server and the watcher; resolves once both are ready. */
export async function startPreview(config: Config, opts: PreviewOptions): Promise<Preview> {
  const log = opts.log ?? (() => undefined);
  const serverId = randomUUID();
  const paged = pagedPolyfill();
  const code = browserModules(config.packageRoot);
  const store = new DraftStore(config, { drafts: opts.limits?.drafts ?? DEFAULT_STORE_LIMITS.drafts, bytes: opts.limits?.draftBytes ?? DEFAULT_STORE_LIMITS.bytes });
  const printer = new PdfPrinter(config, opts.cacheDir ?? path.join(config.outDir, '.preview'), log, opts.limits?.pdfs ?? DEFAULT_MAX_PDFS, opts.limits?.browserIdleMs ?? BROWSER_IDLE_MS);
  const clients = new Set<Client>();
  const lines = (problems: Problem[]) => problems.map(formatProblem);

  /** A new nonce for every page served. */
  const stateFor = (page?: DraftId): PageState => ({
    nonce: randomBytes(18).toString('base64'),
    serverId,
    generation: store.generation,
    ...(page ? { page: draftUrl(page) } : {}),
    problems: lines(store.problems()),
    links: { index: page ? `/?edition=${page.edition}` : '/', ...(page ? { pdf: pdfUrl(page), contents: `${CONTENTS_PREFIX}${draftKey(page)}.json` } : {}) },
  });

  const broadcast = (event: string, data: unknown) => {
    const frame = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const c of clients) c.res.write(frame);
  };

  /** <edition>/<name>.<ext> → the draft, if the edition is one the data supports and the name a zone × theme × language. */
  const draftFor = (edition: string | undefined, file: string | undefined, ext: string): DraftId | undefined => {
    if (!edition || !file || !EDITION.test(edition) || !store.servesEdition(edition) || !file.endsWith(ext)) return undefined;
    const name = file.slice(0, -ext.length);
    for (const zone of store.zones) {
      for (const theme of store.themes) {
        for (const lang of LANG_MODES) if (draftName({ zone: zone.id, theme: theme.id, lang }) === name) return { edition, zone: zone.id, theme: theme.id, lang };
      }
    }
    return undefined;
  };

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Vary', 'Origin, Sec-Fetch-Site');
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, req, 405, 'method not allowed: the preview only reads\n', 'text/plain; charset=utf-8', { Allow: 'GET, HEAD' });
    if (!hostAllowed(req.headers.host, opts.host)) return send(res, req, 403, 'forbidden host\n', 'text/plain; charset=utf-8');
    const target = parseTarget(req.url ?? '');
    if (!target.ok) return send(res, req, target.status, `${target.status === 403 ? 'forbidden' : 'bad request'}: ${target.reason}\n`, 'text/plain; charset=utf-8');
    const [first, ...rest] = target.segments;
    // The index may be opened from anywhere (a link elsewhere, another site's page): it prints and
    // renders nothing, and a page elsewhere cannot read it. Everything else needs the preview's own pages.
    const foreign = first ? crossSite(req.headers) : undefined;
    if (foreign) return send(res, req, 403, `forbidden: a request from another site (${foreign}); open the preview's index and follow its links\n`, 'text/plain; charset=utf-8');

    if (!first) {
      const asked = target.query.get('edition');
      const edition = asked && EDITION.test(asked) && store.servesEdition(asked) ? asked : store.defaultEdition();
      const sources = [...(store.factBase?.sources.values() ?? [])].map((s) => ({ id: s.id, title: s.title.zh, published: s.published }));
      const state = stateFor();
      const html = indexPage(state, { edition, editions: store.editions(), current: store.currentMonth(), zones: store.zones, themes: store.themes, sources });
      return sendPage(res, req, 200, html, state);
    }
    if (`/${target.segments.join('/')}` === EVENTS_URL) return events(req, res, target.query.get('page'));
    if (`/${target.segments.join('/')}` === PAGED_URL) return sendFile(res, req, paged, { 'Cache-Control': 'max-age=3600' });
    if (`/${target.segments.join('/')}/`.startsWith(CODE_PREFIX)) {
      // Revalidated on every load: a rebuild changes them under the same name.
      const file = code.get(target.segments.slice(2).join('/'));
      return file ? sendFile(res, req, file, { 'Cache-Control': 'no-cache' }) : notFound(res, req);
    }
    if (`/${first}/${rest[0]}/` === CONTENTS_PREFIX && rest.length === 3) return contents(req, res, draftFor(rest[1], rest[2], '.json'));
    if (`/${first}/` === PREVIEW_PREFIX) return notFound(res, req);

    if ((first === 'draft' || first === 'pdf') && rest.length === 2 && !store.zones.length && rest[0] && EDITION.test(rest[0])) {
      // Nothing has loaded yet, so no name can be told good or bad: show the problems until it does.
      const state: PageState = { ...stateFor(), page: `/${target.segments.join('/')}` };
      return sendPage(res, req, 503, problemPage(state, 'Nothing to show yet · 尚无可显示的内容'), state);
    }

    if (first === 'draft' && rest.length === 2) {
      const id = draftFor(rest[0], rest[1], '.html');
      if (!id) return notFound(res, req);
      const result = await store.draft(id);
      const state = stateFor(id);
      if (result.html === undefined) return sendPage(res, req, 503, problemPage(state, `No draft of ${draftKey(id)} to show · 没有可显示的草稿`), state);
      return sendPage(res, req, 200, injectPreview(result.html, state), state);
    }

    if (first === 'pdf' && rest.length === 2) {
      const id = draftFor(rest[0], rest[1], '.pdf');
      if (!id) return notFound(res, req);
      const state = stateFor(id);
      if (store.inputsBroken()) return sendPage(res, req, 503, problemPage(state, 'The PDF cannot be printed · 无法打印 PDF'), state);
      try {
        const file = await printer.pdf(id, store.stamp(id.zone, id.theme));
        return sendFile(res, req, file, { 'Cache-Control': 'no-store', 'Content-Disposition': `inline; filename="${draftName(id)}.pdf"` });
      } catch (e) {
        // The user's to fix (a layout rule broken): 503 with the problems. Anything else (the browser
        // failed or was closed): 500, said on the page and in the terminal.
        const user = e instanceof BriefingError;
        if (!user) log(`printing ${draftKey(id)} failed: ${e instanceof Error ? e.message : String(e)}`);
        state.problems = user ? lines(e.problems) : [`briefing: printing failed: ${e instanceof Error ? e.message : String(e)}`];
        return sendPage(res, req, user ? 503 : 500, problemPage(state, 'The PDF cannot be printed · 无法打印 PDF'), state);
      }
    }

    if (first === 'source' && rest.length === 1 && rest[0]) {
      const base = store.factBase;
      const source = base?.sources.get(rest[0]);
      if (!base || !source) return notFound(res, req);
      const usage = sourceUsage(base, loadDrafts(config.dataDir, []), source.id)!;
      const state = stateFor();
      const html = sourcePage(state, { id: source.id, title: source.title.zh, published: source.published, edition: store.defaultEdition(), usage });
      return sendPage(res, req, 200, html, state);
    }

    // Files a draft refers to beside itself: its font subsets.
    if (first === 'draft' && rest.length > 2 && rest[0] && EDITION.test(rest[0]) && store.servesEdition(rest[0])) {
      const name = rest.slice(1).join('/');
      const type = CONTENT_TYPES[path.extname(name)];
      const data = type ? await store.file(rest[0], name) : undefined;
      if (data) return sendBytes(res, req, data, type!);
    }
    return notFound(res, req);
  }

  /**
   * The bookmarks of a draft's PDF, `{ bookmarks: [title, page][] }`: the draft's page fills in its
   * contents' page numbers from them as the printer does (contents.ts), so the preview shows the PDF's
   * numbers, not a second estimate. The PDF is the one /pdf/ serves, printed (or not) on the same terms.
   */
  async function contents(req: http.IncomingMessage, res: http.ServerResponse, id: DraftId | undefined): Promise<void> {
    const json = (status: number, body: unknown) => send(res, req, status, JSON.stringify(body), 'application/json; charset=utf-8', { 'Cache-Control': 'no-store' });
    if (!id) return notFound(res, req);
    if (store.inputsBroken()) return json(503, { error: 'the data or templates have problems' });
    try {
      let bytes: Uint8Array | undefined;
      // A PDF deleted from the cache folder (by another print) between its print and this read is printed again.
      for (let tries = 0; !bytes; tries++) {
        const file = await printer.pdf(id, store.stamp(id.zone, id.theme));
        bytes = await readFile(file).catch((e: unknown) => {
          if (tries > 0 || (e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
          return undefined;
        });
      }
      return json(200, { bookmarks: new PdfBytes(bytes).bookmarks() });
    } catch (e) {
      const user = e instanceof BriefingError;
      if (!user) log(`printing ${draftKey(id)} for its contents failed: ${e instanceof Error ? e.message : String(e)}`);
      return json(user ? 503 : 500, { error: user ? lines(e.problems).join('; ') : `printing failed: ${e instanceof Error ? e.message : String(e)}` });
    }
  }

  function events(req: http.IncomingMessage, res: http.ServerResponse, page: string | null): void {
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
    if (req.method === 'HEAD') return void res.end();
    const draft = /^\/draft\/([^/]+\/[^/]+)\.html$/.exec(page ?? '')?.[1];
    const client: Client = { res, ...(draft ? { draft } : {}) };
    clients.add(client);
    res.write(`retry: 1000\n\nevent: hello\ndata: ${JSON.stringify({ serverId, generation: store.generation, problems: lines(store.problems()) })}\n\n`);
    res.on('close', () => clients.delete(client));
  }

  async function onChange(change: Change): Promise<void> {
    const t0 = change.since ?? performance.now();
    const before = store.generation;
    const update = await store.apply(change, new Set([...clients].flatMap((c) => (c.draft ? [c.draft] : []))));
    const files = change.files.map((f) => path.relative(process.cwd(), f) || f).join(', ');
    if (update.generation !== before) {
      const all = update.all || (update.hadProblems && !update.problems.length);
      broadcast('reload', { all, pages: update.pages, generation: update.generation });
      const ms = Math.round(performance.now() - t0);
      log(`${files} changed: ${update.rendered} open draft${update.rendered === 1 ? '' : 's'} rendered again, reload sent ${ms} ms after the file event; ${update.pages.length} affected`);
    }
    if (update.problems.length) {
      broadcast('problems', { lines: lines(update.problems) });
      log(`${files}: ${update.problems.length} problem${update.problems.length === 1 ? '' : 's'}; the last good drafts stay on show`);
      for (const line of lines(update.problems)) log(`  ${line}`);
    }
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      log(`internal error serving ${req.url ?? ''}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      if (!res.headersSent) send(res, req, 500, 'internal error; see the terminal\n', 'text/plain; charset=utf-8');
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch((e: unknown) => {
    throw listenError(e, opts);
  });

  let watcher: Awaited<ReturnType<typeof watchInputs>>;
  try {
    watcher = await watchInputs(config, (change) => {
      onChange(change).catch((e: unknown) => log(`internal error applying a change: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`));
    }, { ...(opts.settleMs !== undefined ? { settleMs: opts.settleMs } : {}), onError: (e) => log(`watcher: ${String(e)}`) });
  } catch (e) {
    server.close();
    throw e;
  }
  // Proxies and browsers drop a silent stream after a while.
  const heartbeat = setInterval(() => {
    for (const c of clients) c.res.write(': ping\n\n');
  }, 15_000);
  heartbeat.unref();

  const { port } = server.address() as AddressInfo;
  const shownHost = opts.host === '0.0.0.0' ? '127.0.0.1' : opts.host === '::' ? '::1' : opts.host;
  const url = `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${port}/`;
  for (const line of lines(store.problems())) log(`problem: ${line}`);
  if (opts.open) openBrowser(url, log);
  const prerendered = store.prerender().catch((e: unknown) => log(`internal error rendering ahead: ${e instanceof Error ? e.message : String(e)}`));

  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      clearInterval(heartbeat);
      store.stopped = true;
      await watcher.close();
      for (const c of clients) c.res.end();
      clients.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await printer.close();
      await prerendered;
      resolveDone();
    })());
  const stats = () => {
    const s = store.stats();
    return { drafts: s.drafts, draftBytes: s.bytes, known: s.known, pdfs: printer.pdfs().length };
  };
  return { url, close, done, stats };
}

/**
 * Drafts and the index: no caching, and nothing but this server as a source of anything. Scripts run
 * only with the response's nonce (the preview's own and Paged.js, which loads nothing more); styles
 * stay 'unsafe-inline', as Paged.js writes its page styles into <style> elements and style attributes.
 */
export function pageHeaders(nonce: string): Record<string, string> {
  return {
    'Cache-Control': 'no-store',
    'Content-Security-Policy': `default-src 'self'; script-src 'nonce-${nonce}'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'`,
  };
}

/** A page of the preview, under the Content-Security-Policy of its state's nonce. */
function sendPage(res: http.ServerResponse, req: http.IncomingMessage, status: number, html: string, state: PageState): void {
  send(res, req, status, html, CONTENT_TYPES['.html']!, pageHeaders(state.nonce!));
}

function send(res: http.ServerResponse, req: http.IncomingMessage, status: number, body: string, type: string, headers: Record<string, string> = {}): void {
  const bytes = Buffer.from(body);
  res.writeHead(status, { ...headers, 'Content-Type': type, 'Content-Length': bytes.length });
  res.end(req.method === 'HEAD' ? undefined : bytes);
}

const notFound = (res: http.ServerResponse, req: http.IncomingMessage) => send(res, req, 404, 'not found\n', 'text/plain; charset=utf-8');

function sendBytes(res: http.ServerResponse, req: http.IncomingMessage, data: Uint8Array, type: string): void {
  res.writeHead(200, { 'Content-Type': type, 'Content-Length': data.byteLength, 'Cache-Control': 'no-cache' });
  res.end(req.method === 'HEAD' ? undefined : data);
}

function sendFile(res: http.ServerResponse, req: http.IncomingMessage, file: string, headers: Record<string, string>): void {
  const type = CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream';
  res.writeHead(200, { ...headers, 'Content-Type': type, 'Content-Length': statSync(file).size });
  if (req.method === 'HEAD') return void res.end();
  pipeline(createReadStream(file), res, () => undefined);
}

function listenError(e: unknown, opts: PreviewOptions): unknown {
  const code = (e as NodeJS.ErrnoException).code;
  const where = `${opts.host}:${opts.port}`;
  if (code === 'EADDRINUSE') return usageError(`port ${opts.port} on ${opts.host} is already in use`, 'stop the other server or choose another --port (0 picks a free one)');
  if (code === 'EACCES') return usageError(`not allowed to listen on ${where}`, 'choose a port above 1023');
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') return usageError(`cannot listen on ${opts.host}: no such address on this machine`, `use an address of this machine, such as ${DEFAULT_HOST}`);
  return e;
}

/** The system's way to open a URL; a failure is only a note, the server runs on. */
function openBrowser(url: string, log: (line: string) => void): void {
  const [cmd, args] = process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '""', url]] : ['xdg-open', [url]];
  const child = spawn(cmd as string, args as string[], { stdio: 'ignore', detached: true });
  child.on('error', () => log(`could not start ${String(cmd)} to open a browser; open ${url} yourself`));
  child.unref();
}

import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { usageError } from './errors.js';
import { parseEdition } from './model/edition.js';

/** The languages a briefing is printed in (--lang): both, Chinese first, or one of them. */
export const LANG_MODES = ['bilingual', 'zh', 'en'] as const;
export type LangMode = (typeof LANG_MODES)[number];
export const DEFAULT_LANG_MODE: LangMode = 'bilingual';
/** A measured figure older than this many months at the edition is marked stale (--stale-after). */
export const DEFAULT_STALE_AFTER_MONTHS = 12;

const isLangMode = (value: string): value is LangMode => (LANG_MODES as readonly string[]).includes(value);
/** "a, b or c". */
const orList = (items: readonly string[]) => (items.length > 1 ? `${items.slice(0, -1).join(', ')} or ${items.at(-1)}` : items.join(''));

/** Everything a build depends on, resolved once from defaults, flags and the environment. */
export interface Config {
  root: string;
  /** The folder holding briefing's own package.json and package-lock.json. */
  packageRoot: string;
  dataDir: string;
  templatesDir: string;
  outDir: string;
  zones?: string[];
  themes?: string[];
  lang: LangMode;
  edition?: string;
  /** The build time: printed on the cover and stored as the PDF creation date. */
  now: Date;
  timeZone: string;
  htmlOnly: boolean;
  verbose: boolean;
  printTimeoutMs: number;
  /** A measured figure older than this many months at the edition is marked stale. */
  staleAfterMonths: number;
  /** Rebuild every briefing even when nothing it is made from changed. */
  force: boolean;
  /** Briefings printing at once. */
  concurrency: number;
  /** Relaunch the browser after this many briefings. */
  recycleAfter: number;
  /**
   * Print in these running Chromiums instead of launching one (a pool, `concurrency` briefings on each):
   * DevTools WebSocket URLs (ws://…) or http://host:port, from --browser-ws or BRIEFING_BROWSER_WS.
   */
  browserWs?: string[];
  /** briefing's folder in the user's cache (cacheFolder), absent when there is no home to put it in. */
  cacheDir?: string;
  env: NodeJS.ProcessEnv;
}

export interface ConfigInput {
  root?: string;
  data?: string;
  templates?: string;
  out?: string;
  zone?: string[];
  theme?: string[];
  lang?: string;
  edition?: string;
  now?: string;
  tz?: string;
  htmlOnly?: boolean;
  verbose?: boolean;
  staleAfter?: string;
  force?: boolean;
  concurrency?: string;
  recycleAfter?: string;
  /** Each a URL or several separated by commas (the flag may be repeated). */
  browserWs?: string | string[];
  printTimeout?: string;
}

function positiveInt(value: string | undefined, fallback: number, flag: string, example: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw usageError(`${flag} "${value}" is not a positive whole number`, `use e.g. ${flag} ${example}`);
  return n;
}

/**
 * The remote browsers of --browser-ws (repeated, or comma-separated), else of BRIEFING_BROWSER_WS
 * (comma-separated): each a DevTools WebSocket URL (ws://, wss://) or an http(s)://host:port whose
 * /json/version names one. The same endpoint given twice is one.
 */
export function parseEndpoints(flag: string | readonly string[] | undefined, env: NodeJS.ProcessEnv): string[] {
  const given = flag === undefined ? env.BRIEFING_BROWSER_WS : flag;
  const source = flag === undefined ? 'BRIEFING_BROWSER_WS' : '--browser-ws';
  const out: string[] = [];
  for (const value of [given ?? []].flat().flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean)) {
    let url: URL | undefined;
    try {
      url = new URL(value);
    } catch {
      // told below
    }
    if (!url || !['ws:', 'wss:', 'http:', 'https:'].includes(url.protocol) || !url.host) {
      throw usageError(`${source} "${value}" is not a browser's DevTools address`, 'give ws://host:port/devtools/browser/<id> or http://host:port, several separated by commas');
    }
    if (!out.includes(value)) out.push(value);
  }
  return out;
}

/** `--now`, else SOURCE_DATE_EPOCH (seconds), else the clock. */
function resolveNow(flag: string | undefined, env: NodeJS.ProcessEnv, clock: () => Date): Date {
  if (flag) {
    const d = new Date(flag);
    if (Number.isNaN(d.getTime())) throw usageError(`--now "${flag}" is not a date and time`, 'write it as ISO 8601, e.g. 2022-11-30T08:00:00Z');
    return d;
  }
  const epoch = env.SOURCE_DATE_EPOCH;
  if (epoch !== undefined && epoch !== '') {
    if (!/^\d+$/.test(epoch)) throw usageError(`SOURCE_DATE_EPOCH "${epoch}" is not a number of seconds`, 'set it to a Unix time, e.g. 1669795200');
    return new Date(Number(epoch) * 1000);
  }
  return clock();
}

/**
 * briefing's folder in the user's cache, as the XDG base directories say: $XDG_CACHE_HOME/briefing when
 * that is an absolute path, else $HOME/.cache/briefing; none without a home. Never node_modules/ (it may
 * be read-only, or shared by users) nor the output folder (a cache is not output).
 */
export function cacheFolder(env: NodeJS.ProcessEnv): string | undefined {
  const xdg = env.XDG_CACHE_HOME;
  if (xdg && path.isAbsolute(xdg)) return path.join(xdg, 'briefing');
  const home = env.HOME;
  return home && path.isAbsolute(home) ? path.join(home, '.cache', 'briefing') : undefined;
}

/**
 * An IANA time zone this Node knows: looked up in its list of canonical names first (a millisecond),
 * and only for another name (UTC, an alias such as US/Eastern) by building a formatter, whose first use
 * loads ICU's locale data (20 ms).
 */
function isTimeZone(tz: string): boolean {
  if (Intl.supportedValuesOf('timeZone').includes(tz)) return true;
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export function resolveConfig(input: ConfigInput, env: NodeJS.ProcessEnv = process.env, clock: () => Date = () => new Date()): Config {
  const root = path.resolve(input.root ?? process.cwd());
  const lang = input.lang ?? DEFAULT_LANG_MODE;
  if (!isLangMode(lang)) throw usageError(`--lang "${lang}" is not a language mode`, `use ${orList(LANG_MODES)}`);
  const tz = input.tz ?? env.BRIEFING_TZ ?? 'Asia/Shanghai';
  if (!isTimeZone(tz)) throw usageError(`time zone "${tz}" is unknown`, 'use an IANA name such as Asia/Shanghai');
  const staleAfterMonths = Number(input.staleAfter ?? DEFAULT_STALE_AFTER_MONTHS);
  if (!Number.isInteger(staleAfterMonths) || staleAfterMonths < 1) throw usageError(`--stale-after "${input.staleAfter}" is not a number of months`, `use a whole number such as ${DEFAULT_STALE_AFTER_MONTHS}`);
  const endpoints = parseEndpoints(input.browserWs, env);
  return {
    root,
    packageRoot: path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..'),
    staleAfterMonths,
    dataDir: path.resolve(root, input.data ?? 'data'),
    templatesDir: path.resolve(root, input.templates ?? 'templates'),
    outDir: path.resolve(root, input.out ?? 'output'),
    ...(input.zone?.length ? { zones: input.zone } : {}),
    ...(input.theme?.length ? { themes: input.theme } : {}),
    lang,
    ...(input.edition ? { edition: parseEdition(input.edition) } : {}),
    now: resolveNow(input.now, env, clock),
    timeZone: tz,
    htmlOnly: !!input.htmlOnly,
    verbose: !!input.verbose,
    printTimeoutMs: positiveInt(input.printTimeout, 30, '--print-timeout', '30') * 1000,
    force: !!input.force,
    concurrency: positiveInt(input.concurrency, os.availableParallelism(), '--concurrency', '2'),
    recycleAfter: positiveInt(input.recycleAfter, 200, '--recycle-after', '200'),
    ...(endpoints.length ? { browserWs: endpoints } : {}),
    ...(cacheFolder(env) ? { cacheDir: cacheFolder(env) } : {}),
    env,
  };
}

import { existsSync, mkdtempSync, readdirSync, readlinkSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { Browser } from 'puppeteer';
import { usageError } from '../errors.js';
import { isAlive } from '../process.js';

/**
 * The system browsers looked for, in order, after PUPPETEER_EXECUTABLE_PATH and Puppeteer's own download.
 * Chromium's headless shell (Debian's `chromium-headless-shell`) comes first: it prints the same pages
 * with about a third less CPU than the full browser in headless mode, having no browser UI to run.
 */
const SYSTEM_BROWSERS = [
  '/usr/lib/chromium/chromium-headless-shell', '/usr/bin/chromium-headless-shell',
  '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome-stable', '/usr/bin/google-chrome', '/snap/bin/chromium',
];

export interface BrowserInfo {
  executablePath: string;
  origin: 'PUPPETEER_EXECUTABLE_PATH' | 'puppeteer download' | 'system';
}

/** Chromium's headless shell (chrome-headless-shell, chromium-headless-shell) is launched without --headless=new. */
const isHeadlessShell = (executablePath: string) => /headless[-_]shell/.test(path.basename(executablePath));

type Puppeteer = typeof import('puppeteer').default;
let puppeteerModule: Promise<Puppeteer> | undefined;
/** Puppeteer is heavy: loaded only when something is printed. */
export const loadPuppeteer = (): Promise<Puppeteer> => (puppeteerModule ??= import('puppeteer').then((m) => m.default as unknown as Puppeteer));

/** Finds Chromium: PUPPETEER_EXECUTABLE_PATH, then Puppeteer's downloaded browser, then the system's. */
export async function findBrowser(env: NodeJS.ProcessEnv = process.env): Promise<BrowserInfo> {
  const fromEnv = env.PUPPETEER_EXECUTABLE_PATH;
  if (fromEnv) {
    if (existsSync(fromEnv)) return { executablePath: fromEnv, origin: 'PUPPETEER_EXECUTABLE_PATH' };
    throw usageError(`PUPPETEER_EXECUTABLE_PATH points to ${fromEnv}, which does not exist`, 'fix the path or unset the variable');
  }
  try {
    const downloaded = (await loadPuppeteer()).executablePath();
    if (downloaded && existsSync(downloaded)) return { executablePath: downloaded, origin: 'puppeteer download' };
  } catch {
    // No downloaded browser: fall through to the system's.
  }
  const system = SYSTEM_BROWSERS.find((p) => existsSync(p));
  if (system) return { executablePath: system, origin: 'system' };
  throw usageError('no Chromium found', 'install it with `sudo apt-get install chromium` (Debian/Ubuntu) or set PUPPETEER_EXECUTABLE_PATH to a Chrome or Chromium binary');
}

/**
 * Flags that keep a headless print quiet and the same on every machine: no network chatter, no GPU, fixed hinting.
 * And no way out: every host name and address resolves to nothing (`MAP * ~NOTFOUND` applies to IP
 * literals too), which closes the connections request interception does not see (WebSocket,
 * <link rel=prefetch>, preconnect, WebRTC over TCP); WebRTC may not send UDP but through a proxy, and
 * there is none. (The pages print from file: URLs, or from answers to intercepted requests, and Puppeteer
 * talks over a pipe: nothing of ours needs a host.) A browser reached with --browser-ws has its own
 * flags; there, the page's scripts being off and its Content Security Policy hold (print/pdf.ts).
 */
const ARGS = [
  '--disable-gpu', '--no-first-run', '--no-default-browser-check', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-quic', '--disable-extensions', '--disable-dev-shm-usage',
  '--font-render-hinting=none', '--mute-audio', '--hide-scrollbars',
  '--host-resolver-rules=MAP * ~NOTFOUND', '--force-webrtc-ip-handling-policy=disable_non_proxied_udp',
];

const PROFILE_PREFIX = 'briefing-chromium-';

/**
 * Removes the profile folders left by runs killed outright (SIGKILL, power loss), which could not
 * clean up: those whose Chromium, named in the folder's SingletonLock ("host-pid"), no longer runs,
 * and those with no lock (Chromium removes it as it exits) over an hour old. A running browser always
 * holds its lock.
 */
export function removeAbandonedProfiles(dir = os.tmpdir()): void {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.startsWith(PROFILE_PREFIX));
  } catch {
    return;
  }
  for (const name of names) {
    const folder = path.join(dir, name);
    try {
      let abandoned: boolean;
      try {
        const pid = Number(/-(\d+)$/.exec(readlinkSync(path.join(folder, 'SingletonLock')))?.[1]);
        abandoned = !isAlive(pid);
      } catch {
        abandoned = Date.now() - statSync(folder).mtimeMs > 3_600_000;
      }
      if (abandoned) {
        removeSingletonFolder(folder);
        rmSync(folder, { recursive: true, force: true });
      }
    } catch {
      // Another process's folder, or gone already: not ours to worry about.
    }
  }
}

/** Each launched browser and its profile folder; the profiles of browsers still starting. */
const open = new Map<Browser, string>();
const starting = new Map<string, Promise<Browser>>();

/**
 * Launches one browser for a run. Closed by the caller in `finally`, or by closeAllBrowsers on a signal.
 * `spawned` is called once the Chromium process runs, before it is ready: the caller may then block
 * its thread (loading data) while Chromium starts in parallel.
 */
export async function launchBrowser(info: BrowserInfo, spawned?: () => void): Promise<Browser> {
  const puppeteer = await loadPuppeteer();
  if (shuttingDown) throw new Error('the process is shutting down');
  // The profile folder is made here, not by Puppeteer: with it given, Puppeteer spawns Chromium without
  // waiting on I/O, so the process runs by the next turn of the event loop.
  removeAbandonedProfiles();
  const profile = mkdtempSync(path.join(os.tmpdir(), PROFILE_PREFIX));
  const shell = isHeadlessShell(info.executablePath);
  const args = [...(shell ? [] : ['--headless=new']), ...ARGS, `--user-data-dir=${profile}`];
  // Chromium refuses its sandbox when run as root, as on CI machines.
  if (process.getuid?.() === 0) args.push('--no-sandbox');
  // Over a pipe rather than a WebSocket: less framing work on both ends for every message.
  const launching = puppeteer.launch({ executablePath: info.executablePath, args, pipe: true, handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false, headless: shell ? 'shell' : true });
  starting.set(profile, launching);
  if (spawned) setImmediate(spawned);
  let browser: Browser;
  // Puppeteer's launch never settles when Chromium dies between answering and attaching its first tab:
  // a deadline turns that into a failure, which the caller retries or reports.
  let deadline: NodeJS.Timeout | undefined;
  try {
    browser = await Promise.race([
      launching,
      new Promise<never>((_, reject) => {
        deadline = setTimeout(() => reject(new Error(`the browser did not start within ${LAUNCH_TIMEOUT_MS / 1000} s`)), LAUNCH_TIMEOUT_MS);
        // It keeps no process alive by itself: a command line with nothing else to wait on reports the stall at once.
        deadline.unref();
      }),
    ]);
  } catch (e) {
    void launching.then((b) => b.close(), () => undefined).finally(() => removeProfile(profile));
    throw e;
  } finally {
    clearTimeout(deadline);
    starting.delete(profile);
  }
  // A pipe to a browser that died with messages unread (killed when done, or crashed) fails with
  // ECONNRESET, possibly after Puppeteer has stopped listening to it: an error nobody heard would end this
  // process. The browser's end is told by its process and its connection.
  for (const stream of browser.process()?.stdio ?? []) stream?.on('error', () => undefined);
  open.set(browser, profile);
  return browser;
}

/** How long a launch may take before it counts as failed. */
const LAUNCH_TIMEOUT_MS = 30_000;

const closing = new WeakMap<Browser, Promise<void>>();
/** Set by closeAllBrowsers: a print retried after its browser was closed must not launch another. */
let shuttingDown = false;

/** Closes the browser and removes its profile; callers closing the same browser share one close. */
export function closeBrowser(browser: Browser): Promise<void> {
  let done = closing.get(browser);
  if (!done) {
    done = (async () => {
      try {
        await stop(browser);
      } catch {
        // Already gone: make sure the process is.
        browser.process()?.kill('SIGKILL');
      }
      const profile = open.get(browser);
      open.delete(browser);
      if (profile) removeProfile(profile);
    })();
    closing.set(browser, done);
  }
  return done;
}

/**
 * Ends a launched browser at once: its process group (Chromium and the renderers it started; Puppeteer
 * launches it as the group's leader) is killed, and its end awaited. Chromium's own shutdown took about
 * 0.1 s of every build, saving a profile that is deleted next. A browser without a process of this one's
 * is closed as Puppeteer closes it.
 */
async function stop(browser: Browser): Promise<void> {
  const proc = browser.process();
  if (!proc?.pid || process.platform === 'win32' || proc.exitCode !== null || proc.signalCode !== null) return browser.close();
  const ended = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  try {
    process.kill(-proc.pid, 'SIGKILL');
  } catch {
    proc.kill('SIGKILL');
  }
  await ended;
  await browser.disconnect();
}

/** For signal handlers: closes every browser this process launched. */
export async function closeAllBrowsers(): Promise<void> {
  shuttingDown = true;
  // A browser still starting is closed once it has started (Chromium writes its profile until then, and
  // the folder cannot be removed under it); one that does not start within a second dies with this
  // process (its pipe closes), and its profile goes as far as it can.
  const started = [...starting].map(async ([profile, launching]) => {
    const browser = await Promise.race([launching.catch(() => undefined), delay(1000, undefined, { ref: false })]);
    if (browser) await browser.close().catch(() => browser.process()?.kill('SIGKILL'));
    removeProfile(profile);
  });
  await Promise.all([...[...open.keys()].map(closeBrowser), ...started]);
}

/** Removes a profile folder; one that cannot be removed (Chromium still writing in it) is left to the next launch's sweep. */
function removeProfile(profile: string): void {
  removeSingletonFolder(profile);
  try {
    rmSync(profile, { recursive: true, force: true, maxRetries: 3 });
  } catch {
    // removeAbandonedProfiles takes it once its process has gone.
  }
}

/**
 * The full Chromium keeps its single-instance socket in a folder of the system's temporary folder
 * (org.chromium.Chromium.XXXXXX), linked from the profile as SingletonSocket, and removes it only on its
 * own shutdown: a browser ended by its process group's kill (stop) left one behind every run. Removed
 * with the profile; only such a folder, directly in the temporary folder, is ever touched.
 */
function removeSingletonFolder(profile: string): void {
  try {
    const folder = path.dirname(readlinkSync(path.join(profile, 'SingletonSocket')));
    if (path.dirname(folder) === os.tmpdir() && /^org\.chromium\.Chromium\.\w+$/.test(path.basename(folder))) rmSync(folder, { recursive: true, force: true });
  } catch {
    // No such link (the headless shell makes none), or gone already.
  }
}

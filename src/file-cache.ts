/**
 * Results kept between runs in the user's cache folder (config.ts cacheFolder), each under the hash of
 * everything it is made from: a chart's SVG (charts/render.ts), a font subset (render/fonts.ts). A cold
 * build of data drawn before then reads them instead of loading Vega or HarfBuzz and making them again.
 *
 * One file per result, <cache>/<kind>/<key>, holding the SHA-256 of its content on its first line: a
 * file that does not match it (torn by a power cut, edited) is no result, nor is a link, a pipe or a file
 * too large. Written beside and renamed, never flushed: a lost result is made again. The oldest results
 * beyond `max` are removed as new ones are written. A folder that cannot be read or written is no cache.
 */
import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, lstatSync, openSync, readFileSync, readdirSync, rmSync, statSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { replaceFile } from './write.js';

const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

/** A key from the parts a result is made from. */
export const cacheKey = (...parts: (string | Uint8Array)[]): string => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\0');
  return h.digest('hex');
};

/** What a result is made from, when that is a file: its path, size and modification time (read, not hashed). */
export const fileIdentity = (file: string): string => {
  const st = statSync(file);
  return `${file}\0${st.size}\0${st.mtimeMs}`;
};

export class FileCache {
  readonly #dir: string | undefined;

  /** `dir` undefined: nothing is kept. */
  constructor(cacheDir: string | undefined, kind: string, private readonly opts: { max: number; maxBytes: number }) {
    this.#dir = cacheDir && path.join(cacheDir, kind);
  }

  /** The result kept under `key`, whole, or undefined. */
  get(key: string): Buffer | undefined {
    if (!this.#dir) return undefined;
    const file = path.join(this.#dir, key);
    try {
      const st = lstatSync(file);
      if (!st.isFile() || st.size > this.opts.maxBytes + 65) return undefined;
      const fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
      let bytes: Buffer;
      try {
        if (!fstatSync(fd).isFile()) return undefined;
        bytes = readFileSync(fd);
      } finally {
        closeSync(fd);
      }
      const nl = bytes.indexOf(0x0a);
      if (nl !== 64) return undefined;
      const data = bytes.subarray(65);
      if (bytes.toString('latin1', 0, 64) !== sha256(data)) return undefined;
      // Used now: the last to be removed.
      const now = new Date();
      utimesSync(file, now, now);
      return data;
    } catch {
      return undefined;
    }
  }

  /** Keeps `data` under `key`; never throws. */
  set(key: string, data: string | Uint8Array): void {
    if (!this.#dir) return;
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    if (bytes.byteLength > this.opts.maxBytes) return;
    const file = path.join(this.#dir, key);
    try {
      replaceFile(file, Buffer.concat([Buffer.from(`${sha256(bytes)}\n`, 'latin1'), bytes]));
      this.#prune();
    } catch {
      // Not kept: the next run makes it again.
    }
  }

  /** Removes the least recently used results beyond `max`, down to three quarters of it. */
  #prune(): void {
    const names = readdirSync(this.#dir!);
    if (names.length <= this.opts.max) return;
    const aged = names.flatMap((n) => {
      try {
        return [{ n, t: statSync(path.join(this.#dir!, n)).mtimeMs }];
      } catch {
        return [];
      }
    });
    aged.sort((a, b) => a.t - b.t);
    for (const { n } of aged.slice(0, aged.length - Math.floor(this.opts.max * 0.75))) rmSync(path.join(this.#dir!, n), { force: true });
  }
}

/**
 * Removes what earlier versions kept in the cache folder's top level, one file per data folder's path
 * (`check-<hash>.txt`, `list-<hash>.txt`), which nothing removed: they piled up with every folder a build
 * or `list` ever saw. Never throws.
 */
export function removeLegacyCacheFiles(cacheDir: string): void {
  try {
    for (const n of readdirSync(cacheDir)) if (/^(check|list)-[0-9a-f]{16}\.txt$/.test(n)) rmSync(path.join(cacheDir, n), { force: true });
  } catch {
    // No folder, or not ours to tidy: left as it is.
  }
}

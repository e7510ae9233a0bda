/**
 * Request paths, taken apart before anything is looked up: the raw path is split on "/" and each segment
 * decoded on its own, so an encoded slash (%2f) or dot-segment (%2e%2e) can never join or climb, and
 * nothing is ever looked up on disk from a request path: drafts, fonts and PDFs are found by name.
 */

export type Target =
  | { ok: true; segments: string[]; query: URLSearchParams }
  | { ok: false; status: 400 | 403; reason: string };

/** Splits an origin-form request target ("/a/b?x=1") into decoded segments; refuses what could leave a root. */
export function parseTarget(raw: string): Target {
  if (!raw.startsWith('/')) return { ok: false, status: 400, reason: 'not a path' };
  const q = raw.indexOf('?');
  const rawPath = q < 0 ? raw : raw.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
  if (/\\|%5c/i.test(rawPath)) return { ok: false, status: 403, reason: 'backslash in path' };
  const parts = rawPath.split('/').slice(1);
  // "/" and "/draft/": a trailing slash names the same thing.
  if (parts.at(-1) === '') parts.pop();
  const segments: string[] = [];
  for (const part of parts) {
    let s: string;
    try {
      s = decodeURIComponent(part);
    } catch {
      return { ok: false, status: 400, reason: 'bad percent-encoding' };
    }
    if (s === '' || s === '.' || s === '..' || /[/\\:\0]/.test(s)) return { ok: false, status: 403, reason: `refused path segment ${JSON.stringify(s)}` };
    segments.push(s);
  }
  return { ok: true, segments, query };
}

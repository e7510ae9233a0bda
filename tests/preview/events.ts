/** Test helpers for the preview: its event stream as a page sees it, and raw HTTP requests no client normalises. */
import http from 'node:http';

export interface PreviewEvent {
  event: string;
  data: { [key: string]: unknown };
}

export interface EventStream {
  events: PreviewEvent[];
  /** The first event from index `from` on that matches; rejects after `timeoutMs`. */
  waitFor(match: (e: PreviewEvent) => boolean, opts?: { from?: number; timeoutMs?: number }): Promise<PreviewEvent>;
  close(): void;
}

/** Subscribes to /__preview/events (as the page `page`, if given); resolves once the server said hello. */
export async function subscribe(base: string, page?: string): Promise<EventStream> {
  const events: PreviewEvent[] = [];
  const listeners = new Set<() => void>();
  let buffer = '';
  const req = http.get(new URL(`/__preview/events${page ? `?page=${encodeURIComponent(page)}` : ''}`, base), (res) => {
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buffer += chunk;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(frame)?.[1];
        const data = /^data: (.*)$/m.exec(frame)?.[1];
        if (event && data) events.push({ event, data: JSON.parse(data) as PreviewEvent['data'] });
        for (const l of listeners) l();
      }
    });
  });
  req.on('error', () => undefined);
  const stream: EventStream = {
    events,
    waitFor(match, { from = 0, timeoutMs = 20_000 } = {}) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = events.slice(from).find(match);
          if (!hit) return;
          listeners.delete(check);
          clearTimeout(timer);
          resolve(hit);
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`no matching event within ${timeoutMs} ms; got ${JSON.stringify(events.slice(from))}`));
        }, timeoutMs);
        listeners.add(check);
        check();
      });
    },
    close: () => req.destroy(),
  };
  await stream.waitFor((e) => e.event === 'hello');
  return stream;
}

/** A request with the path sent exactly as written (fetch would resolve "..", encode "\\"). */
export function rawRequest(base: string, rawPath: string, opts: { method?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, path: rawPath, method: opts.method ?? 'GET', headers: opts.headers ?? {} }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

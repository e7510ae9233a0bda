/**
 * Issue 17, "hostile input: nothing runs that the data smuggles in".
 *
 *   1. The escaping functions (src/render/escape.ts), each against what breaks its context.
 *   2. A fact base whose names and titles carry markup and scripts (tests/hostile/escaping-data) builds
 *      with exit 0, prints every hostile string as the text it is, and nothing reaches the listeners
 *      this test runs on 127.0.0.1 (HTTP, WebSocket, a STUN server over UDP).
 *   3. Should escaping ever fail, printing still lets nothing out: a document with a live script that
 *      tries every way out (fetch, WebSocket, WebRTC, a worker, prefetch, preconnect, images, frames,
 *      a redirect, sendBeacon) reaches every listener in a bare Chromium, and none in the printer,
 *      whether it launched the browser or prints in one reached with --browser-ws.
 */
import { execFileSync } from 'node:child_process';
import dgram from 'node:dgram';
import { cpSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import Handlebars from 'handlebars';
import type { Browser } from 'puppeteer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, spawnCli, tempDir } from '../helpers/cli.js';
import { readPdf } from '../helpers/pdf.js';
import { UnsafeOutput, cssColor, cssString, htmlAttr, htmlText, inertSvg, safeUrl, svgText } from '../../src/render/escape.js';
import { CONTENT_SECURITY_POLICY, withContentSecurityPolicy } from '../../src/render/csp.js';
import { renderChartSvg } from '../../src/charts/render.js';
import { closeBrowser, findBrowser, launchBrowser, loadPuppeteer } from '../../src/print/browser.js';
import { createPrinter } from '../../src/print/printer.js';

const FIXTURE = path.join(ROOT, 'tests/hostile/escaping-data');
/** How long the listeners must stay silent after a document was printed or shown. */
const SILENCE_MS = 3000;

const HOSTILE = [
  '</style><script>alert(1)</script><style>',
  '<!-- --> <![CDATA[ x ]]>',
  '"double" \'single\' `back` = & &amp; \\ \\\\ \\"',
  'line\nbreak\r\ncarriage\fform\ttab',
  '\u0000nul \u007f del \u2028 \u2029',
  '/* comment */ } body { display: none } @import url(http://127.0.0.1/x);',
  '中文</STYLE ><script>alert(1)</script>',
  'emoji 😀 and \\3C escape-looking text',
];

// ---------------------------------------------------------------------------------------------------
describe('the escaping functions', () => {
  it('htmlText and htmlAttr leave no markup and match Handlebars {{ }}', () => {
    for (const s of HOSTILE) {
      for (const out of [htmlText(s), htmlAttr(s)]) {
        expect(out).not.toMatch(/[<>"'`]/);
        expect(out).toBe(Handlebars.escapeExpression(s));
      }
    }
    expect(htmlText(undefined)).toBe('');
    expect(htmlText('a & b <c>')).toBe('a &amp; b &lt;c&gt;');
  });

  it('cssString can end neither the string nor the <style> element, and reads back as the text', () => {
    for (const s of HOSTILE) {
      const out = cssString(s);
      expect(out.startsWith('"') && out.endsWith('"')).toBe(true);
      const inner = out.slice(1, -1);
      // Nothing the HTML parser of a <style> element or the CSS tokenizer of a string could act on.
      expect(inner).not.toMatch(/[<>"'\n\r\f\u0000]/);
      expect(inner.replace(/\\[0-9A-F]{1,6} /g, '')).not.toContain('\\');
      expect(decodeCssString(out)).toBe(s.replace(/\u0000/g, '\uFFFD'));
    }
    expect(cssString('</style>')).toBe('"\\3C /style\\3E "');
    expect(cssString('a\nb')).toBe('"a\\A b"');
    // Ordinary text is written as it is (the pages print exactly as before).
    expect(cssString('太原 · 交通 · 2023年3月    Taiyuan · Transport · Mar 2023')).toBe('"太原 · 交通 · 2023年3月    Taiyuan · Transport · Mar 2023"');
  });

  it('cssColor passes #rgb and #rrggbb and refuses anything else', () => {
    expect(cssColor('#1f5fa8')).toBe('#1f5fa8');
    expect(cssColor('#ABC')).toBe('#ABC');
    for (const bad of ['red', '#1f5fa8;} body{display:none', '#1f5fa8</style>', 'url(x)', '#12345', '', undefined, ' #1f5fa8']) {
      expect(() => cssColor(bad)).toThrow(UnsafeOutput);
    }
  });

  it('safeUrl keeps http, https and mailto and drops everything else', () => {
    expect(safeUrl('https://www.shanxi.gov.cn/a?b=1&c=2')).toBe('https://www.shanxi.gov.cn/a?b=1&c=2');
    expect(safeUrl(' http://example.org ')).toBe('http://example.org/');
    expect(safeUrl('mailto:office@example.org')).toBe('mailto:office@example.org');
    for (const bad of ['javascript:alert(1)', 'JaVaScRiPt:alert(1)', ' javascript:alert(1)', 'java\tscript:alert(1)', 'java\nscript:x', 'data:text/html,<script>alert(1)</script>',
      'vbscript:x', 'file:///etc/passwd', 'ftp://example.org/', '/relative', '//example.org/x', 'example.org', 'http://a b/', '', undefined]) {
      expect(safeUrl(bad), String(bad)).toBe('');
    }
  });

  it('svgText escapes markup and drops what XML forbids', () => {
    expect(svgText('</text><script>x</script> "q" & \'s\'\u0001')).toBe('&lt;/text&gt;&lt;script&gt;x&lt;/script&gt; &quot;q&quot; &amp; &#39;s&#39;');
  });

  it('Vega escapes a hostile chart label, and inertSvg accepts what it drew', async () => {
    const label = 'Avenue </text><script>alert(1)</script> "q" & \'s\' <b>';
    const chart = { id: 'c', type: 'bar', title: { en: 't' }, rows: [{ label: { en: label }, value: 41, formatted: { en: `41 km ${label}` } }] };
    const svg = await renderChartSvg(chart as unknown as Parameters<typeof renderChartSvg>[0], ['en'], '#1f5fa8');
    expect(inertSvg(svg)).toBe(svg);
    expect(svg).not.toContain('<script');
    expect(svg).not.toContain('</text><script');
    expect(svg).toContain('Avenue &lt;/text&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(svg).toContain('&amp;');
    // A label's double quote is escaped inside attributes (aria-label); in text it may stay as it is.
    for (const [, value] of svg.matchAll(/aria-label="([^"]*)"/g)) expect(value).not.toMatch(/[<>]/);
  });

  it('inertSvg refuses anything that is not shapes and text', () => {
    const refused = [
      '<svg><script>alert(1)</script></svg>',
      '<svg onload="alert(1)"><g/></svg>',
      '<svg><rect ONLOAD="x"/></svg>',
      '<svg><foreignObject><div/></foreignObject></svg>',
      '<svg><a href="http://x"><text>a</text></a></svg>',
      '<svg><image href="http://127.0.0.1/x"/></svg>',
      '<svg><use xlink:href="http://x#a"/></svg>',
      '<svg><style>@import url(http://x)</style></svg>',
      '<svg><rect style="fill:url(http://x)"/></svg>',
      '<svg><rect fill="url(http://x)"/></svg>',
      '<svg><rect fill="&#x75;rl(http://x)"/></svg>',
      '<svg><rect fill=url(http://x) /></svg>',
      '<svg><!-- a --><g/></svg>',
      '<svg><![CDATA[<script>]]></svg>',
      '<svg><text>a</text><script>x</script></svg>',
      '<svg><animate attributeName="href" to="javascript:alert(1)"/></svg>',
      '<svg><set attributeName="onload" to="x"/></svg>',
      '<svg><g>< script></g></svg>',
      '<div><svg></svg></div>',
      '<svg></svg><script>x</script><svg></svg>',
    ];
    for (const svg of refused) expect(() => inertSvg(svg), svg).toThrow(UnsafeOutput);
    const ok = '<svg xmlns="http://www.w3.org/2000/svg" class="marks"><defs><clipPath id="clip1"><rect width="3"/></clipPath></defs><g clip-path="url(#clip1)"><text aria-label="a &lt;b&gt;">a &lt;/text&gt; &amp; "q"</text></g></svg>';
    expect(inertSvg(ok)).toBe(ok);
  });

  it('the templates write data only through {{ }} and the escaping helpers', () => {
    const files = [path.join(ROOT, 'templates/briefing.hbs'), ...readdirSync(path.join(ROOT, 'templates/partials')).map((f) => path.join(ROOT, 'templates/partials', f))];
    const triples = files.flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/\{\{\{[^}]*\}\}\}/g)].map((m) => `${path.basename(f)}: ${m[0]}`));
    // The templates' own stylesheet and the program's font faces; nothing from the data.
    expect(triples).toEqual(['briefing.hbs: {{{fontFaces}}}', 'briefing.hbs: {{{css}}}']);
  });

  it('the Content Security Policy goes first into <head>', () => {
    const doc = '<!doctype html><html><head><meta charset="utf-8"><title>t</title></head><body></body></html>';
    const secured = withContentSecurityPolicy(doc);
    expect(secured).toMatch(/<head><meta http-equiv="Content-Security-Policy" content="[^"]+"><meta charset/);
    expect(secured.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, '')).toBe(doc);
    expect(withContentSecurityPolicy('<p>x')).toMatch(/^<meta http-equiv="Content-Security-Policy"[^>]*><p>x$/);
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'none'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/script-src[^;]*unsafe/);
    for (const d of ['connect-src', 'object-src', 'base-uri', 'form-action', 'worker-src', 'frame-src']) expect(CONTENT_SECURITY_POLICY).toContain(`${d} 'none'`);
  });
});

/** Reads a CSS string literal back as CSS Syntax §4.3.5 does. */
function decodeCssString(lit: string): string {
  let out = '';
  const s = lit.slice(1, -1);
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== '\\') {
      out += s[i];
      continue;
    }
    const hex = /^[0-9a-fA-F]{1,6}/.exec(s.slice(i + 1));
    if (hex) {
      const code = parseInt(hex[0], 16);
      out += code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff) ? '\uFFFD' : String.fromCodePoint(code);
      i += hex[0].length;
      if (/[ \t\n]/.test(s[i + 1] ?? '')) i++;
    } else if (s[i + 1] === '\n') {
      i++;
    } else {
      out += s[++i] ?? '';
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
/** Listeners on 127.0.0.1 for every way out; each contact is recorded. */
interface Listeners {
  http: string;
  ws: string;
  stun: string;
  hits: string[];
  /**
   * Once whatever made contact has exited (a build and its browser): resolves when every contact it made
   * is recorded. A TCP connection and a UDP datagram of this process's are queued behind any of its
   * (accept and receive queues are first in, first out), and removed from `hits` once they arrive.
   */
  settled(): Promise<void>;
  close(): Promise<void>;
}

async function listen(): Promise<Listeners> {
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(`http ${req.url}`);
    res.writeHead(200, { 'Content-Type': req.url?.endsWith('.css') ? 'text/css' : 'text/html', 'Access-Control-Allow-Origin': '*' });
    res.end('');
  });
  server.on('connection', () => hits.push('tcp connection'));
  server.on('upgrade', (req, socket) => {
    hits.push(`websocket ${req.url}`);
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const udp = dgram.createSocket('udp4');
  // A STUN binding request starts 0x0001; anything else is counted too.
  let barrier: (() => void) | undefined;
  udp.on('message', (m) => {
    if (barrier && m.toString() === 'barrier') return barrier();
    hits.push(m.length >= 2 && m.readUInt16BE(0) === 1 ? 'udp stun' : 'udp');
  });
  await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    http: `http://127.0.0.1:${port}`,
    ws: `ws://127.0.0.1:${port}`,
    stun: `stun:127.0.0.1:${udp.address().port}`,
    hits,
    async settled() {
      await fetch(`http://127.0.0.1:${port}/barrier`).then((res) => res.text());
      const udpArrived = new Promise<void>((resolve) => (barrier = resolve));
      const sender = dgram.createSocket('udp4');
      await new Promise<void>((resolve, reject) => sender.send('barrier', udp.address().port, '127.0.0.1', (e) => (e ? reject(e) : resolve())));
      await udpArrived;
      sender.close();
      barrier = undefined;
      // This process's own connection and request: the last of each.
      for (const own of ['http /barrier', 'tcp connection']) {
        const at = hits.lastIndexOf(own);
        if (at < 0) throw new Error(`the barrier's own "${own}" was not recorded`);
        hits.splice(at, 1);
      }
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => udp.close(() => resolve()));
    },
  };
}

const silence = () => new Promise((resolve) => setTimeout(resolve, SILENCE_MS));
const fill = (text: string, l: Listeners) => text.replaceAll('__HTTP__', l.http).replaceAll('__WS__', l.ws).replaceAll('__STUN__', l.stun);
const squash = (s: string) => s.replace(/\s+/g, '');


/** A bare Chromium, with none of the printer's guards: the control. */
async function bareBrowser(opts: { pipe: boolean; args?: string[] }): Promise<Browser> {
  const puppeteer = await loadPuppeteer();
  const info = await findBrowser();
  const shell = /headless[-_]shell/.test(path.basename(info.executablePath));
  const args = [...(shell ? [] : ['--headless=new']), ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), ...(opts.args ?? [])];
  return puppeteer.launch({ executablePath: info.executablePath, args, pipe: opts.pipe, headless: shell ? 'shell' : true });
}

// ---------------------------------------------------------------------------------------------------
describe('a fact base with markup and scripts in its names and titles', () => {
  let listeners: Listeners;
  let dir: string;
  let built: Awaited<ReturnType<typeof spawnCli>>;
  let text: Record<string, string>;
  const html = () => path.join(dir, 'out/2022-11/zone-a-transport.html');
  const pdf = () => path.join(dir, 'out/2022-11/zone-a-transport.pdf');

  beforeAll(async () => {
    listeners = await listen();
    dir = tempDir('briefing-hostile-');
    cpSync(FIXTURE, path.join(dir, 'data'), { recursive: true });
    for (const f of ['themes.yaml', 'zones.yaml', 'sources.yaml', 'facts/zone-a/transport.yaml']) {
      const file = path.join(dir, 'data', f);
      writeFileSync(file, fill(readFileSync(file, 'utf8'), listeners));
    }
    const yaml = await import('js-yaml');
    const read = (f: string) => yaml.load(readFileSync(path.join(dir, 'data', f), 'utf8')) as Record<string, Record<string, unknown>[]>;
    const theme = read('themes.yaml').themes![0]!.name as Record<string, string>;
    const zone = read('zones.yaml').zones![0]!.name as Record<string, string>;
    const source = read('sources.yaml').sources![0]! as Record<string, Record<string, string>>;
    const facts = read('facts/zone-a/transport.yaml');
    text = {
      themeZh: theme.zh!, themeEn: theme.en!, zoneEn: zone.en!,
      sourceTitle: source.title!.en!, publisher: source.publisher!.en!, quality: source.quality!.en!,
      railTitle: (facts.facts![0]!.title as Record<string, string>).en!,
      chartLabel: (facts.facts![1]!.title as Record<string, string>).en!,
      chartTitle: (facts.charts![0]!.title as Record<string, string>).en!,
    };
    // A process of its own, not blocking this one: the listeners answer while it runs.
    built = await spawnCli(['build', '--data', path.join(dir, 'data'), '--out', path.join(dir, 'out'), '--edition', '2022-11', '--now', '2022-11-30T08:00:00Z', '--concurrency', '1']);
    // The build has exited and closed its browser: nothing more can come than what is queued.
    await listeners.settled();
  });
  afterAll(() => listeners.close());

  it('builds with exit 0, and nothing reaches the listeners', () => {
    expect(built.code, built.stderr).toBe(0);
    expect(listeners.hits).toEqual([]);
  });

  it('prints every hostile string as the text it is, in the body and in the running header', async () => {
    const content = await readPdf(pdf());
    const all = squash(content.text);
    for (const [where, s] of Object.entries(text)) expect(all, where).toContain(squash(s));
    // The chart title's script would append this; as text, the title reads [`SCRIPT`,`RAN`].join(` `).
    expect(all).not.toContain('SCRIPTRAN');
    // The running header (a CSS string in the page's <style>) on a page after the cover.
    expect(squash(content.pages[1]!)).toContain(squash(`${text.themeZh} · 2022年11月 ${text.zoneEn}`));
  });

  it('holds no element or attribute the data brought, as a browser reads the draft', async () => {
    const browser = await bareBrowser({ pipe: true });
    try {
      const page = await browser.newPage();
      await page.setJavaScriptEnabled(false);
      await page.setRequestInterception(true);
      page.on('request', (req) => void (req.url().startsWith('file:') ? req.continue() : req.abort('blockedbyclient')));
      await page.goto(`file://${html()}`, { waitUntil: 'load' });
      const found = await page.evaluate(() => ({
        elements: [...document.querySelectorAll('script, style, iframe, img, object, embed, link, base, form, meta[http-equiv="refresh"], svg')]
          .filter((el) => !(el.tagName === 'svg' && el.parentElement?.classList.contains('chart-svg')))
          .map((el) => el.tagName.toLowerCase()),
        handlers: [...document.querySelectorAll('*')].flatMap((el) => [...el.attributes].filter((a) => /^on/i.test(a.name)).map((a) => `${el.tagName} ${a.name}`)),
        csp: [...document.querySelectorAll('meta[http-equiv="Content-Security-Policy"]')].map((m) => m.getAttribute('content')),
        title: document.title,
        h1: document.querySelector('h1 .secondary')?.textContent,
        theme: [...document.querySelectorAll('.cover-theme')].map((el) => el.textContent),
        factTitle: document.querySelector('#fact-rail-investment h3 .secondary')?.textContent,
        chartText: [...document.querySelectorAll('.chart-svg svg text')].map((t) => t.textContent).join('\n'),
        chartTitle: document.querySelector('.chart-title .secondary')?.textContent,
        accent: getComputedStyle(document.documentElement).getPropertyValue('--accent').trim(),
      }));
      // One <style> (the page's own), the chart's <svg>; nothing else.
      expect(found.elements).toEqual(['style']);
      expect(found.handlers).toEqual([]);
      expect(found.csp).toEqual([CONTENT_SECURITY_POLICY]);
      expect(found.title).toBe(`甲区 · ${text.themeZh} · 2022-11`);
      expect(found.h1).toBe(text.zoneEn);
      expect(found.theme.join('')).toContain(text.themeEn);
      expect(found.factTitle).toBe(text.railTitle);
      expect(found.chartTitle).toBe(text.chartTitle);
      expect(found.chartText).toContain(text.chartLabel);
      expect(found.accent).toBe('#1f5fa8');
    } finally {
      await browser.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------------
/**
 * As if escaping had failed: a document with a live script and markup trying every way out.
 * Without a Content Security Policy of its own (printing adds one).
 */
function hostileDocument(l: Listeners, opts: { redirect: boolean } = { redirect: true }): string {
  const js = `
    fetch('${l.http}/fetch').catch(function () {});
    try { new WebSocket('${l.ws}/ws'); } catch (e) {}
    try {
      var pc = new RTCPeerConnection({ iceServers: [{ urls: '${l.stun}' }] });
      pc.createDataChannel('x');
      pc.createOffer().then(function (o) { return pc.setLocalDescription(o); });
    } catch (e) {}
    try {
      new Worker(URL.createObjectURL(new Blob(["fetch('${l.http}/worker').catch(function () {}); new WebSocket('${l.ws}/worker-ws');"], { type: 'text/javascript' })));
    } catch (e) {}
    var link = document.createElement('link'); link.rel = 'prefetch'; link.href = '${l.http}/script-prefetch'; document.head.appendChild(link);
    new Image().src = '${l.http}/script-img';
    try { navigator.sendBeacon('${l.http}/beacon', 'x'); } catch (e) {}
    document.documentElement.setAttribute('data-script-ran', '');
    document.body.append(['SCRIPT', 'RAN'].join(' '));`;
  return `<!doctype html><html><head><meta charset="utf-8"><title>hostile</title>
${opts.redirect ? `<meta http-equiv="refresh" content="1;url=${l.http}/refresh">` : ''}
<link rel="prefetch" href="${l.http}/prefetch"><link rel="preconnect" href="${l.http}"><link rel="stylesheet" href="${l.http}/sheet.css">
<style>@import url(${l.http}/import.css); body { font: 12pt sans-serif; }</style>
</head><body><h1>Hostile document</h1><img src="${l.http}/img" alt=""><iframe src="${l.http}/frame"></iframe><object data="${l.http}/object"></object>
<svg onload="new Image().src='${l.http}/svg-onload'"></svg>
<script>${js}</script></body></html>`;
}

/** Whether the document's script ran (its source text holds no such attribute). */
const scriptRan = (page: import('puppeteer').Page) => page.evaluate(() => document.documentElement.hasAttribute('data-script-ran'));

/** The ways out and the contact each leaves on the listeners when it works. */
const EXITS = {
  fetch: 'http /fetch',
  websocket: 'websocket /ws',
  webrtc: 'udp stun',
  worker: 'http /worker',
  'worker websocket': 'websocket /worker-ws',
  prefetch: 'http /prefetch',
  'prefetch (script)': 'http /script-prefetch',
  img: 'http /img',
  'img (script)': 'http /script-img',
  stylesheet: 'http /sheet.css',
  '@import': 'http /import.css',
  iframe: 'http /frame',
  object: 'http /object',
  'svg onload': 'http /svg-onload',
  beacon: 'http /beacon',
  redirect: 'http /refresh',
};

// Concurrent: each test has its own browser and listeners, and most of its time is the silence it waits
// out; side by side, those windows overlap.
describe.concurrent('printing a document with a live script (as if escaping had failed)', () => {
  const dir = tempDir('briefing-hostile-print-');

  it('the control: in a bare Chromium, the document reaches every listener', async () => {
    const l = await listen();
    const browser = await bareBrowser({ pipe: true });
    try {
      const page = await browser.newPage();
      await page.setContent(hostileDocument(l), { waitUntil: 'load' });
      expect(await scriptRan(page)).toBe(true);
      // Every way out arrives (the refresh after a second), or the window the other tests wait ends.
      const missingNow = () => Object.entries(EXITS).filter(([, hit]) => !l.hits.includes(hit)).map(([exit]) => exit);
      for (const end = performance.now() + SILENCE_MS; missingNow().length && performance.now() < end; ) await new Promise((resolve) => setTimeout(resolve, 20));
      const missing = missingNow();
      expect(missing, `hits: ${l.hits.join(', ')}`).toEqual([]);
    } finally {
      await browser.close();
      await l.close();
    }
  });

  it("the briefing's Content Security Policy alone stops it all: no script runs, nothing loads", async () => {
    const l = await listen();
    const browser = await bareBrowser({ pipe: true });
    try {
      const page = await browser.newPage();
      // JavaScript on, no request interception: only the policy stands in the way. (Without the
      // redirect: a policy cannot stop a page from navigating itself away; the printer's interception does.)
      await page.setContent(withContentSecurityPolicy(hostileDocument(l, { redirect: false })), { waitUntil: 'load' });
      expect(await scriptRan(page)).toBe(false);
      await silence();
      expect(l.hits).toEqual([]);
    } finally {
      await browser.close();
      await l.close();
    }
  });

  it('the browser the printer launches reaches nothing, even with scripts on, no policy and no interception', async () => {
    const l = await listen();
    const browser = await launchBrowser(await findBrowser());
    try {
      const page = await browser.newPage();
      await page.setContent(hostileDocument(l), { waitUntil: 'load' });
      expect(await scriptRan(page)).toBe(true);
      await silence();
      expect(l.hits).toEqual([]);
    } finally {
      await closeBrowser(browser);
      await l.close();
    }
  });

  const browsers = [
    ['the headless shell', ['/usr/lib/chromium/chromium-headless-shell', '/usr/bin/chromium-headless-shell'].find((p) => existsSync(p))],
    ['the full Chromium', ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p))],
  ].filter((b): b is [string, string] => !!b[1]);

  it.each(browsers)('the printer, in %s it launches: nothing reaches the listeners, the script never ran', async (_, executable) => {
    const l = await listen();
    const file = path.join(dir, `launched-${path.basename(executable)}.html`);
    writeFileSync(file, hostileDocument(l));
    const printer = createPrinter({ concurrency: 1, recycleAfter: 100, timeoutMs: 30_000, env: { ...process.env, PUPPETEER_EXECUTABLE_PATH: executable }, roots: [dir] });
    try {
      const result = await printer.print(file);
      await silence();
      expect(l.hits).toEqual([]);
      const pdfFile = `${file}.pdf`;
      writeFileSync(pdfFile, result.pdf.bytes);
      const printed = (await readPdf(pdfFile)).text;
      expect(printed).toContain('Hostile document');
      expect(printed).not.toContain('SCRIPT RAN');
    } finally {
      await printer.close();
      await l.close();
    }
  });

  it('the printer, in a bare Chromium reached with --browser-ws: nothing reaches the listeners, and the fonts load', async () => {
    const l = await listen();
    const file = path.join(dir, 'remote.html');
    writeFileSync(file, hostileDocument(l));
    // A real briefing too, to show the policy lets its fonts load from the print origin.
    const briefing = path.join(dir, 'briefing');
    const built = await spawnCli(['build', '--html-only', '--zone', 'taiyuan-jinzhong', '--theme', 'ecology', '--edition', '2023-03', '--now', '2023-03-31T08:00:00Z', '--out', path.join(briefing, 'out')]);
    expect(built.code, built.stderr).toBe(0);
    // A page from the print origin (http://print.invalid) is a public, insecure context to Chromium, whose
    // Local Network Access checks would keep it from the listeners on 127.0.0.1 whatever the printer did;
    // they are off here, so that the listeners stand for any host on the network.
    const browser = await bareBrowser({ pipe: false, args: ['--disable-features=LocalNetworkAccessChecks'] });
    const printer = createPrinter({ concurrency: 1, recycleAfter: 100, timeoutMs: 30_000, env: process.env, roots: [dir], browserWs: browser.wsEndpoint() });
    try {
      const result = await printer.print(file);
      const fonts = await printer.print(path.join(briefing, 'out/2023-03/taiyuan-jinzhong-ecology.html'));
      await silence();
      expect(l.hits).toEqual([]);
      writeFileSync(`${file}.pdf`, result.pdf.bytes);
      expect((await readPdf(`${file}.pdf`)).text).not.toContain('SCRIPT RAN');
      writeFileSync(`${briefing}.pdf`, fonts.pdf.bytes);
      const embedded = execFileSync('pdffonts', [`${briefing}.pdf`], { encoding: 'utf8' });
      expect(embedded).toContain('NotoSansSC-Regular');
      expect(embedded).toContain('NotoSans-Regular');
    } finally {
      await printer.close();
      await browser.close();
      await l.close();
    }
  });
});

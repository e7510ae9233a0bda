/**
 * A small reader and incremental writer for the PDFs Chromium's Skia backend produces: classic
 * cross-reference table, no object streams, uncompressed dictionaries. It reads the page tree and
 * the bookmarks, and appends document information as an incremental update — instead of a full
 * parse and rewrite, which costs a PDF library about 150 ms per briefing.
 */
export class PdfBytes {
  readonly bytes: Uint8Array;
  private readonly text: string;
  private readonly offsets = new Map<number, number>();

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
    // Later definitions win, as in an incrementally updated file.
    for (const m of this.text.matchAll(/(?:^|[\r\n])(\d+) 0 obj\b/g)) this.offsets.set(Number(m[1]), m.index + m[0].length);
  }

  /** The dictionary of object `num`, as text (up to its stream or its end). */
  dict(num: number): string {
    const start = this.offsets.get(num);
    if (start === undefined) throw new Error(`PDF object ${num} not found`);
    const end = this.text.indexOf('endobj', start);
    const body = this.text.slice(start, end);
    const stream = body.indexOf('stream');
    return stream >= 0 ? body.slice(0, stream) : body;
  }

  /**
   * The fonts of the document: their PostScript names without a subset tag (AAAAAA+), each once, and how
   * many are Type 3 fonts (no name: Chromium draws glyphs it has no font file for as Type 3 outlines).
   */
  fonts(): { names: string[]; type3: number } {
    const names = [...this.text.matchAll(/\/(?:BaseFont|FontName)\s*\/([^\s/<>[\]()]+)/g)].map((m) => m[1]!.replace(/^[A-Z]{6}\+/, ''));
    return { names: [...new Set(names)], type3: [...this.text.matchAll(/\/Subtype\s*\/Type3\b/g)].length };
  }

  trailer(): { size: number; root: number; startxref: number } {
    const at = this.text.lastIndexOf('trailer');
    const trailer = this.text.slice(at);
    return {
      size: Number(/\/Size\s+(\d+)/.exec(trailer)?.[1]),
      root: Number(/\/Root\s+(\d+) 0 R/.exec(trailer)?.[1]),
      startxref: Number(/startxref\s+(\d+)/.exec(this.text.slice(this.text.lastIndexOf('startxref')))?.[1]),
    };
  }

  /** Page object numbers in page order, from the page tree. */
  pages(): number[] {
    const walk = (num: number): number[] => {
      const d = this.dict(num);
      if (!/\/Type\s*\/Pages\b/.test(d)) return [num];
      const kids = /\/Kids\s*\[([^\]]*)\]/.exec(d)?.[1] ?? '';
      return [...kids.matchAll(/(\d+) 0 R/g)].flatMap((k) => walk(Number(k[1])));
    };
    return walk(ref(this.dict(this.trailer().root), 'Pages')!);
  }

  /** Every bookmark, depth first: its title and the page number (1-based) it points to. */
  bookmarks(): [string, number][] {
    const pageNumber = new Map(this.pages().map((p, i) => [p, i + 1]));
    const out: [string, number][] = [];
    const visit = (num: number | undefined, depth: number) => {
      for (let n = num; n !== undefined && depth < 32; n = ref(this.dict(n), 'Next')) {
        const d = this.dict(n);
        const page = Number(/\/Dest\s*\[\s*(\d+) 0 R/.exec(d)?.[1]);
        if (pageNumber.has(page)) out.push([decodeString(/\/Title\s*(<[0-9A-Fa-f\s]*>|\((?:\\.|[^\\)])*\))/.exec(d)?.[1] ?? '()'), pageNumber.get(page)!]);
        visit(ref(d, 'First'), depth + 1);
      }
    };
    const outlines = ref(this.dict(this.trailer().root), 'Outlines');
    if (outlines !== undefined) visit(ref(this.dict(outlines), 'First'), 0);
    return out;
  }

  /**
   * Appends an incremental update: a new document information dictionary and the catalog with
   * `/Lang`. Earlier bytes are untouched; readers take the newest definitions.
   */
  withInfo(info: Record<string, string>, lang: string): Uint8Array {
    const { size, root, startxref } = this.trailer();
    const catalog = this.dict(root).trim().replace(/\/Lang\s*\([^)]*\)/, '').replace(/>>\s*$/, `/Lang ${pdfString(lang)}\n>>`);
    const infoNum = size;
    const entries = Object.entries(info).map(([k, v]) => `/${k} ${v.startsWith('D:') ? `(${v})` : pdfString(v)}`).join('\n');
    const parts: string[] = [];
    let offset = this.bytes.byteLength + 1;
    const objects: [number, string][] = [[root, `${root} 0 obj\n${catalog}\nendobj\n`], [infoNum, `${infoNum} 0 obj\n<<${entries}>>\nendobj\n`]];
    const xref: string[] = ['xref', '0 1', '0000000000 65535 f '];
    for (const [num, body] of objects.sort((a, b) => a[0] - b[0])) {
      xref.push(`${num} 1`, `${String(offset).padStart(10, '0')} 00000 n `);
      parts.push(body);
      offset += Buffer.byteLength(body, 'latin1');
    }
    const tail = `${xref.join('\n')}\ntrailer\n<</Size ${size + 1}\n/Root ${root} 0 R\n/Info ${infoNum} 0 R\n/Prev ${startxref}>>\nstartxref\n${offset}\n%%EOF\n`;
    return Buffer.concat([this.bytes, Buffer.from(`\n${parts.join('')}${tail}`, 'latin1')]);
  }
}

function ref(dict: string, key: string): number | undefined {
  const m = new RegExp(`/${key}\\s+(\\d+) 0 R`).exec(dict);
  return m ? Number(m[1]) : undefined;
}

/** A text string: ASCII as a literal, anything else as UTF-16BE hex with a byte-order mark. */
export function pdfString(s: string): string {
  if (/^[\x20-\x7e]*$/.test(s)) return `(${s.replace(/[\\()]/g, (c) => `\\${c}`)})`;
  return `<FEFF${Buffer.from(s, 'utf16le').swap16().toString('hex').toUpperCase()}>`;
}

export function decodeString(token: string): string {
  if (token.startsWith('<')) {
    const hex = token.slice(1, -1).replace(/\s+/g, '');
    const buf = Buffer.from(hex, 'hex');
    return buf[0] === 0xfe && buf[1] === 0xff ? Buffer.from(buf.subarray(2)).swap16().toString('utf16le') : buf.toString('latin1');
  }
  return token.slice(1, -1).replace(/\\([nrtbf()\\]|[0-7]{1,3})/g, (_, e: string) =>
    /^[0-7]/.test(e) ? String.fromCharCode(parseInt(e, 8)) : ({ n: '\n', r: '\r', t: '\t', b: '\b', f: '\f' } as Record<string, string>)[e] ?? e,
  );
}

/** D:YYYYMMDDHHmmSSZ */
export function pdfDate(d: Date): string {
  return `D:${d.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
}

import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { subsetFont } from './subset.js';
import { cssString } from './escape.js';
import { FileCache, cacheKey, fileIdentity } from '../file-cache.js';

/**
 * Fonts come from npm (full TrueType files of Noto Sans SC and Noto Sans), never from the system.
 * Each document gets, per face, a subset holding exactly the characters it uses, written beside it as
 * `fonts/<document>.<face>.ttf`: one small font per face to load instead of a hundred unicode-range
 * slices. (Files, not data: URLs: Chromium parses a page with half a megabyte of base64 fonts
 * several times slower.)
 */
export const FONT_FACES = [
  { family: 'Noto Sans SC', weight: 400, pkg: '@expo-google-fonts/noto-sans-sc', file: '400Regular/NotoSansSC_400Regular.ttf' },
  { family: 'Noto Sans SC', weight: 700, pkg: '@expo-google-fonts/noto-sans-sc', file: '700Bold/NotoSansSC_700Bold.ttf' },
  { family: 'Noto Sans', weight: 400, pkg: '@expo-google-fonts/noto-sans', file: '400Regular/NotoSans_400Regular.ttf' },
  { family: 'Noto Sans', weight: 700, pkg: '@expo-google-fonts/noto-sans', file: '700Bold/NotoSans_700Bold.ttf' },
] as const;

export const FONT_PACKAGES = [...new Set(FONT_FACES.map((f) => f.pkg))];

/** Where CSS asks for the fonts before they are known: replaced by fontFaceCss() once the page is rendered. */
export const FONT_PLACEHOLDER = '/*@font-faces*/';

const require = createRequire(import.meta.url);
const fontFile = (pkg: string, file: string): string => path.join(path.dirname(require.resolve(`${pkg}/package.json`)), file);

/** Printable ASCII is always included: page numbers and counters are drawn by the browser, not the text. */
const ALWAYS = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('') + '·–—…“”‘’';

/**
 * The characters a rendered HTML page can show: printable ASCII (which also covers every entity
 * Handlebars writes) and each other character of its text.
 */
export function charactersOf(html: string): string {
  const chars = new Set(ALWAYS);
  for (const ch of html) if (ch.charCodeAt(0) > 0x7e) chars.add(ch);
  return [...chars].sort().join('');
}

export interface FontFile {
  /** Path relative to the HTML: fonts/<document>.<face>.ttf */
  name: string;
  data: Buffer;
}

/** Subsets made in this process, by font and characters: briefings with the same characters share the work. */
const subsets = new Map<string, Buffer>();
const SUBSETS_MAX = 64;
let subsetter: string | undefined;
/**
 * The cache key of a subset, or undefined (no cache) when what it is made from cannot be told: besides its
 * characters and Node's version, the font file, HarfBuzz's build and subset.ts's options, by size and time.
 */
function subsetKey(file: string, chars: string): string | undefined {
  try {
    // subset.js beside fonts.js (subset.ts beside fonts.ts where the sources run as they are).
    subsetter ??= fileIdentity(require.resolve('harfbuzzjs/dist/harfbuzz-subset.wasm')) + fileIdentity(fileURLToPath(new URL(`./subset${path.extname(fileURLToPath(import.meta.url))}`, import.meta.url)));
    return cacheKey(subsetter, process.version, fileIdentity(file), chars);
  } catch {
    return undefined;
  }
}
function subsetOf(file: string, chars: string, cache: FileCache | undefined): Buffer {
  const key = `${file}\n${chars}`;
  let data = subsets.get(key);
  if (!data) {
    if (subsets.size >= SUBSETS_MAX) subsets.delete(subsets.keys().next().value!);
    // A subset made by an earlier run (file-cache.ts) spares loading HarfBuzz and the font.
    const stored = cache && subsetKey(file, chars);
    data = stored ? cache.get(stored) : undefined;
    if (!data) {
      data = subsetFont(file, chars);
      if (stored) cache!.set(stored, data);
    }
    subsets.set(key, data);
  }
  return data;
}

/**
 * Subsets every face to `chars`; returns the files and the @font-face rules that use them. With a cache
 * folder (config.ts cacheFolder), subsets made by earlier runs are read from there.
 */
export function subsetFonts(chars: string, document: string, cacheDir?: string): { css: string; files: FontFile[] } {
  const files: FontFile[] = [];
  const rules: string[] = [];
  const cache = cacheDir ? new FileCache(cacheDir, 'fonts', { max: 512, maxBytes: 20e6 }) : undefined;
  for (const face of FONT_FACES) {
    const name = `fonts/${document}.${face.family.replace(/\s+/g, '')}-${face.weight}.ttf`;
    files.push({ name, data: subsetOf(fontFile(face.pkg, face.file), chars, cache) });
    rules.push(`@font-face { font-family: ${cssString(face.family)}; font-weight: ${face.weight}; font-style: normal; font-display: block; src: url(${cssString(name)}) format("truetype"); }`);
  }
  return { css: rules.join('\n'), files };
}

/** Puts the document's own font subsets into its rendered HTML; returns the font files to write beside it. */
export function embedFonts(html: string, document: string, cacheDir?: string): { html: string; fonts: FontFile[] } {
  const { css, files } = subsetFonts(charactersOf(html.replace(FONT_PLACEHOLDER, '')), document, cacheDir);
  return { html: html.replace(FONT_PLACEHOLDER, css), fonts: files };
}

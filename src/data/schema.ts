import { z } from 'zod';
import { QUALIFIERS, UNITS } from './quantities.js';

/** The shape of every data file. Unknown keys are errors everywhere (strictObject). */

const text = z.strictObject({ zh: z.string().trim().min(1), en: z.string().trim().min(1) });
/** A text whose English a person has yet to write (a new source, a drafted fact): `en` may be empty. */
const pendingText = z.strictObject({ zh: z.string().trim().min(1), en: z.string().trim() });
const id = z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'must be kebab-case (a-z, 0-9 and single hyphens)');
const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month YYYY-MM with the month 01–12');
/** A month or a day; days are checked against the calendar. */
export const dateSchema = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?$/, 'must be a date YYYY-MM or YYYY-MM-DD with the month 01–12')
  .refine((s) => {
    const [y, m, d] = s.split('-').map(Number);
    if (d === undefined) return true;
    const t = new Date(Date.UTC(y!, m! - 1, d));
    return t.getUTCDate() === d;
  }, 'is not a day of the calendar');
const year = z.number().int().min(1900).max(2100);

/** Words that place a drafted figure in a zone or theme (`briefing draft` counts them in the clause). */
const keywords = z.array(z.string().trim().min(1)).optional();

export const zonesSchema = z.strictObject({
  zones: z.array(z.strictObject({ id, name: text, short: text, keywords })).min(1),
});

export const themesSchema = z.strictObject({
  themes: z
    .array(z.strictObject({ id, name: text, accent: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour #rrggbb'), keywords }))
    .min(1),
});

export const sourcesSchema = z.strictObject({
  sources: z.array(
    z.strictObject({
      id: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'must be the file stem of a text in data/sources/'),
      title: pendingText,
      publisher: pendingText,
      published: dateSchema,
      zones: z.array(id).min(1),
      url: z.string().regex(/^https?:\/\/[^\s]+$/, 'must be an http:// or https:// address').optional(),
      quality: text.optional(),
    }),
  ),
});

const sourceRef = z.strictObject({ doc: z.string().min(1), quote: z.string().trim().min(2) });

/** A fact's fields, with `t` for its bilingual texts: complete in a sheet, English pending in a draft. */
function factFields<T extends z.ZodType>(t: T) {
  const value = z.strictObject({
    value: z.number(),
    unit: z.enum(UNITS),
    label: t.optional(),
    noun: t.optional(),
    qualifier: z.enum(QUALIFIERS).optional(),
  });
  return {
  id,
  kind: z.enum(['metric', 'target', 'milestone', 'initiative']),
  key: z.boolean().optional(),
  /** Facts that measure the same indicator at different times share a series id. */
  series: id.optional(),
  /** This count is a subset of that fact's count (a fact of the same zone): never drawn beside it in a chart. */
  part_of: id.optional(),
  title: t,
  summary: t,
  values: z.array(value),
  as_of: dateSchema.optional(),
  date: dateSchema.optional(),
  period: z.strictObject({ from: month, to: month }).optional(),
  target_year: year.optional(),
  baseline: z.strictObject({ year }).optional(),
  items: z.array(t).optional(),
  source: sourceRef,
  /** The same figure in other sources: each quote is checked like the main one. */
  also: z.array(sourceRef).optional(),
  conflict: z.strictObject({ with: sourceRef, resolution: t.optional() }).optional(),
  };
}

export const factSchema = z.strictObject(factFields(text));

/** What `briefing draft` found for a drafted figure, and what accepting it does. */
export const REVIEW_STATUSES = ['new', 'known', 'update', 'conflict'] as const;

/** A candidate fact in data/drafts/<source>.yaml: a fact whose zone and theme are its own, English pending. */
export const draftFactSchema = z.strictObject({
  ...factFields(pendingText),
  zone: id,
  theme: id,
  review: z
    .strictObject({
      status: z.enum(REVIEW_STATUSES),
      /** The fact of the base this figure repeats (known), revises (update) or contradicts (conflict). */
      fact: id.optional(),
      note: z.string().optional(),
    })
    .optional(),
});

export const draftSheetSchema = z.strictObject({
  source: z.string().min(1),
  facts: z.array(draftFactSchema),
});

export const chartSchema = z.strictObject({
  id,
  type: z.enum(['bar']),
  title: text,
  unit: z.enum(UNITS),
  facts: z.array(id).min(1),
});

export const sheetSchema = z.strictObject({
  facts: z.array(factSchema),
  charts: z.array(chartSchema).optional(),
});

/**
 * data/glossary.yaml: one English name per Chinese name, across all sheets. `avoid` lists English
 * variants no text may use instead.
 */
export const glossarySchema = z.strictObject({
  terms: z.array(
    z.strictObject({
      zh: z.string().trim().min(1),
      en: z.string().trim().min(1),
      avoid: z.array(z.string().trim().min(1)).optional(),
    }),
  ),
});

export type TextField = z.infer<typeof text>;
export type ZoneSpec = z.infer<typeof zonesSchema>['zones'][number];
export type ThemeSpec = z.infer<typeof themesSchema>['themes'][number];
export type SourceSpec = z.infer<typeof sourcesSchema>['sources'][number];
export type FactSpec = z.infer<typeof factSchema>;
export type ChartSpec = z.infer<typeof chartSchema>;
export type SheetSpec = z.infer<typeof sheetSchema>;
export type DraftFactSpec = z.infer<typeof draftFactSchema>;
export type GlossaryTerm = z.infer<typeof glossarySchema>['terms'][number];
export type DraftSheetSpec = z.infer<typeof draftSheetSchema>;

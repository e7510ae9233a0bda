import { z } from 'zod';
import { QUALIFIERS, UNITS } from './quantities.js';

/** The shape of every data file. Unknown keys are errors everywhere (strictObject). */

const text = z.strictObject({ zh: z.string().trim().min(1), en: z.string().trim().min(1) });
const id = z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'must be kebab-case (a-z, 0-9 and single hyphens)');
const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month YYYY-MM with the month 01–12');
/** A month or a day; days are checked against the calendar. */
const date = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?$/, 'must be a date YYYY-MM or YYYY-MM-DD with the month 01–12')
  .refine((s) => {
    const [y, m, d] = s.split('-').map(Number);
    if (d === undefined) return true;
    const t = new Date(Date.UTC(y!, m! - 1, d));
    return t.getUTCDate() === d;
  }, 'is not a day of the calendar');
const year = z.number().int().min(1900).max(2100);

export const zonesSchema = z.strictObject({
  zones: z.array(z.strictObject({ id, name: text, short: text })).min(1),
});

export const themesSchema = z.strictObject({
  themes: z
    .array(z.strictObject({ id, name: text, accent: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour #rrggbb') }))
    .min(1),
});

export const sourcesSchema = z.strictObject({
  sources: z.array(
    z.strictObject({
      id: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'must be the file stem of a text in data/sources/'),
      title: text,
      publisher: text,
      published: date,
      zones: z.array(id).min(1),
      quality: text,
    }),
  ),
});

const sourceRef = z.strictObject({ doc: z.string().min(1), quote: z.string().trim().min(2) });

const value = z.strictObject({
  value: z.number(),
  unit: z.enum(UNITS),
  label: text.optional(),
  noun: text.optional(),
  qualifier: z.enum(QUALIFIERS).optional(),
});

export const factSchema = z.strictObject({
  id,
  kind: z.enum(['metric', 'target', 'milestone', 'initiative']),
  key: z.boolean().optional(),
  title: text,
  summary: text,
  values: z.array(value),
  as_of: date.optional(),
  date: date.optional(),
  period: z.strictObject({ from: month, to: month }).optional(),
  target_year: year.optional(),
  baseline: z.strictObject({ year }).optional(),
  items: z.array(text).optional(),
  source: sourceRef,
  /** The same figure in other sources: each quote is checked like the main one. */
  also: z.array(sourceRef).optional(),
  conflict: z.strictObject({ with: sourceRef, resolution: text.optional() }).optional(),
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

export type TextField = z.infer<typeof text>;
export type ZoneSpec = z.infer<typeof zonesSchema>['zones'][number];
export type ThemeSpec = z.infer<typeof themesSchema>['themes'][number];
export type SourceSpec = z.infer<typeof sourcesSchema>['sources'][number];
export type FactSpec = z.infer<typeof factSchema>;
export type ChartSpec = z.infer<typeof chartSchema>;
export type SheetSpec = z.infer<typeof sheetSchema>;

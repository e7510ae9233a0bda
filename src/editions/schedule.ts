/**
 * Moved: the scheduler is src/schedule.ts (it sits above the build), its cron functions src/cron.ts.
 * This forwarding module only keeps tests/editions/schedule.test.ts and tests/hostile/schedule.test.ts
 * compiling until they import ../../src/cron.js; delete it then. It must not forward src/schedule.ts,
 * which imports build.ts.
 */
export { CRON_HORIZON_YEARS, CRON_OPTIONS, cronToOnCalendar, crontabLine, missedEdition, parseCron, systemdUnits } from '../cron.js';

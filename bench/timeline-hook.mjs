/**
 * Loaded with `node --import bench/timeline-hook.mjs bin/briefing.js …` by bench/timeline.mjs: when the
 * process exits, writes its timeline to $BRIEFING_TIMELINE as JSON: the time origin, Node's own start-up
 * milestones, every performance mark (briefing:* from bin/briefing.js and build.ts) and the pairing of
 * the monotonic clock with performance.now(), to place the marks in a CPU profile.
 */
import { writeFileSync } from 'node:fs';

const file = process.env.BRIEFING_TIMELINE;
if (file) {
  process.once('exit', () => {
    const t = performance.nodeTiming;
    writeFileSync(file, JSON.stringify({
      timeOrigin: performance.timeOrigin,
      node: { nodeStart: t.nodeStart, v8Start: t.v8Start, environment: t.environment, bootstrapComplete: t.bootstrapComplete, loopStart: t.loopStart },
      marks: performance.getEntriesByType('mark').map((m) => ({ name: m.name, t: m.startTime })),
      clock: { perf: performance.now(), hrtimeUs: Number(process.hrtime.bigint() / 1000n) },
      exit: performance.now(),
    }));
  });
}

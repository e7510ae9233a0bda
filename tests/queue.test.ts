import { describe, expect, it } from 'vitest';
import { WorkQueue, mapSettled } from '../src/queue.js';

const tick = () => new Promise<void>((r) => setImmediate(r));

/** A task that runs until released by hand, recording when it started. */
function gate(log: string[], name: string) {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { task: async () => (log.push(`start ${name}`), await opened, log.push(`end ${name}`), name), open };
}

describe('a work queue', () => {
  it('runs at most its concurrency at once, the rest in the order they came', async () => {
    const q = new WorkQueue(2);
    const log: string[] = [];
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((n) => gate(log, n));
    const results = [a, b, c, d].map((g) => q.run(g!.task));
    await tick();
    expect(log).toEqual(['start a', 'start b']);
    expect([q.running, q.waiting]).toEqual([2, 2]);
    b!.open();
    await tick();
    expect(log).toEqual(['start a', 'start b', 'end b', 'start c']);
    a!.open();
    c!.open();
    d!.open();
    expect(await Promise.all(results)).toEqual(['a', 'b', 'c', 'd']);
    expect([q.running, q.waiting]).toEqual([0, 0]);
  });

  it('hands a finished turn to the next waiting task, never to a newcomer', async () => {
    const q = new WorkQueue(1);
    const log: string[] = [];
    const first = gate(log, 'first');
    const second = gate(log, 'second');
    void q.run(first.task);
    void q.run(second.task);
    await tick();
    first.open();
    // A newcomer given in the same turn as the release waits behind the task that was already waiting.
    const late = gate(log, 'late');
    void q.run(late.task);
    await tick();
    await tick();
    expect(log).toEqual(['start first', 'end first', 'start second']);
    expect(q.running).toBe(1);
    second.open();
    late.open();
  });

  it('frees the turn of a task that throws', async () => {
    const q = new WorkQueue(1);
    await expect(q.run(() => Promise.reject(new Error('no')))).rejects.toThrow('no');
    expect(await q.run(() => 7)).toBe(7);
  });

  it('says when a task would start at once', async () => {
    const q = new WorkQueue(1);
    const log: string[] = [];
    const g = gate(log, 'g');
    void q.run(g.task);
    let vacant = false;
    void q.whenVacant().then(() => (vacant = true));
    await tick();
    expect(vacant).toBe(false);
    g.open();
    await tick();
    await tick();
    expect(vacant).toBe(true);
  });

  it('refuses waiting and later tasks once cancelled, and lets running ones finish', async () => {
    const q = new WorkQueue(1);
    const log: string[] = [];
    const running = gate(log, 'running');
    const done = q.run(running.task);
    const waiting = q.run(() => 'never');
    await tick();
    q.cancel(new Error('interrupted'));
    await expect(waiting).rejects.toThrow('interrupted');
    await expect(q.run(() => 'later')).rejects.toThrow('interrupted');
    running.open();
    expect(await done).toBe('running');
  });

  it('refuses a concurrency below one', () => {
    expect(() => new WorkQueue(0)).toThrow(RangeError);
  });
});

describe('mapSettled', () => {
  it('gives every outcome in the items’ order, whatever order they finish in', async () => {
    const out = await mapSettled([30, 10, 20], 2, async (ms, i) => {
      await new Promise((r) => setTimeout(r, ms));
      if (i === 1) throw new Error('second');
      return ms;
    });
    expect(out.map((o) => (o.status === 'fulfilled' ? o.value : (o.reason as Error).message))).toEqual([30, 'second', 20]);
  });
});

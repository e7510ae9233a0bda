/**
 * One work queue for the whole program: at most `concurrency` tasks run at once, the others wait their
 * turn in the order they came; `cancel` refuses every task not yet started (and every later one) with
 * a reason. Used for the printer's tabs, the build's render-ahead window, and the preview's one-at-a-time
 * renders and prints.
 */
export class WorkQueue {
  #running = 0;
  #waiting: { start(): void; refuse(reason: unknown): void }[] = [];
  #vacancies: (() => void)[] = [];
  #cancelled: { reason: unknown } | undefined;

  constructor(readonly concurrency: number) {
    if (!(concurrency >= 1)) throw new RangeError(`a work queue needs a concurrency of 1 or more, not ${concurrency}`);
  }

  /** Tasks running now. */
  get running(): number {
    return this.#running;
  }

  /** Tasks waiting for a turn. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /** Runs `task` when a turn is free; settles as it does. Refused once the queue is cancelled. */
  async run<T>(task: () => Promise<T> | T): Promise<T> {
    if (this.#cancelled) throw this.#cancelled.reason;
    // A finishing task hands its turn straight to the next waiting one, so no newcomer can slip in between.
    if (this.#running < this.concurrency && this.#waiting.length === 0) this.#running++;
    else await new Promise<void>((start, refuse) => this.#waiting.push({ start, refuse }));
    try {
      return await task();
    } finally {
      const next = this.#waiting.shift();
      if (next) next.start();
      else {
        this.#running--;
        this.#vacancies.shift()?.();
      }
    }
  }

  /** Resolves once a task given now would start at once (nothing waiting, a turn free). */
  whenVacant(): Promise<void> {
    if (this.#running < this.concurrency && this.#waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#vacancies.push(resolve));
  }

  /** Refuses the waiting tasks and every later one with `reason`; running tasks finish on their own. */
  cancel(reason: unknown): void {
    this.#cancelled = { reason };
    for (const w of this.#waiting.splice(0)) w.refuse(reason);
    for (const v of this.#vacancies.splice(0)) v();
  }
}

/**
 * `fn` over `items`, at most `concurrency` at once, results in the items' order. Every item is tried;
 * the outcomes are returned settled, so one failure neither hides the others nor leaves work running.
 */
export async function mapSettled<T, R>(items: readonly T[], concurrency: number, fn: (item: T, index: number) => Promise<R>): Promise<PromiseSettledResult<R>[]> {
  const queue = new WorkQueue(concurrency);
  return Promise.allSettled(items.map((item, i) => queue.run(() => fn(item, i))));
}

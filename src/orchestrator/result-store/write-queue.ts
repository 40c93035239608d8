/**
 * Order and bound the store's writes: jobs on the same key (one chunk, one shapes file) run in
 * call order, so a plane sent twice ends up as the later one on disk and in the index; and at
 * most `slots` jobs run at once, which bounds the plane copies zarrita makes while encoding.
 */
export class WriteQueue {
  private readonly tails = new Map<string, Promise<unknown>>();
  private readonly waiting: (() => void)[] = [];
  private running = 0;

  constructor(private readonly slots: number) {}

  /** Run `job` after earlier jobs on `key`, when a slot is free. */
  run<T>(key: string, job: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous
      .catch(() => undefined) // an earlier failure is its own caller's to see
      .then(() => this.withSlot(job));
    this.tails.set(key, result);
    const forget = (): void => {
      if (this.tails.get(key) === result) this.tails.delete(key);
    };
    result.then(forget, forget);
    return result;
  }

  private async withSlot<T>(job: () => Promise<T>): Promise<T> {
    if (this.running >= this.slots) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running++;
    }
    try {
      return await job();
    } finally {
      const next = this.waiting.shift();
      // Hand the slot straight to the next job, so `running` never over-counts.
      if (next === undefined) this.running--;
      else next();
    }
  }
}

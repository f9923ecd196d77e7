/**
 * Counting semaphore: a phase drives the server at a chosen concurrency (requests in flight),
 * which is what makes throughput and latency figures comparable between runs.
 */
export class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new Error(`concurrency must be a positive integer, got ${limit}`);
  }

  get inFlight(): number {
    return this.active;
  }

  async acquire(): Promise<void> {
    if (this.active < this.limit) {
      this.active++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    // The slot passes straight to the next waiter, so `active` stays at the limit.
    if (next) next();
    else this.active--;
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await fn();
    } finally {
      this.release();
    }
  }
}

/**
 * Runs `fn(0..count-1)` with at most `concurrency` in flight. Errors are counted, not thrown:
 * a load phase reports how many requests failed instead of stopping at the first.
 */
export async function runPool(
  count: number,
  concurrency: number,
  fn: (index: number) => Promise<void>,
  onError?: (index: number, err: unknown) => void,
): Promise<{ errors: number }> {
  let next = 0;
  let errors = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      try {
        await fn(i);
      } catch (err) {
        errors++;
        onError?.(i, err);
      }
    }
  };
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, () => worker()),
  );
  return { errors };
}

import { readFileSync, statSync, unwatchFile, watchFile, type Stats } from 'node:fs';

/**
 * How a test moves time inside a real process it started (ADR 0013). Services take their clock
 * as an injected dependency; only a process entry point (`steward server`, `steward up`,
 * `steward-agent run`) reads this variable, once, and injects the clock it names.
 */
export const CLOCK_FILE_VARIABLE = 'STEWARD_TEST_CLOCK_FILE';

/**
 * "now" is the ISO instant written in `file` plus the real time elapsed since the file was last
 * written, so a test moves the clock of running processes by rewriting one file.
 */
export function fileClock(file: string): { now(): Date } {
  let cached: { mtimeMs: number; base: number } | undefined;
  return {
    now(): Date {
      try {
        const { mtimeMs } = statSync(file);
        if (cached?.mtimeMs !== mtimeMs) {
          const base = Date.parse(readFileSync(file, 'utf8').trim());
          if (Number.isNaN(base)) return new Date();
          cached = { mtimeMs, base };
        }
        return new Date(cached.base + Math.max(0, Date.now() - cached.mtimeMs));
      } catch {
        return new Date();
      }
    },
  };
}

/**
 * For a process entry point only: calls `onMove` when the test rewrites the clock file that
 * STEWARD_TEST_CLOCK_FILE names (polled every 200 ms; it never keeps the process alive), so work
 * a real-time timer would look at only on its next tick is looked at when the clock moves, as a
 * real clock's passing time would have reached it. Returns how to stop; undefined without a
 * clock file.
 */
export function watchClockFile(
  env: Readonly<Record<string, string | undefined>>,
  onMove: () => void,
): (() => void) | undefined {
  const file = env[CLOCK_FILE_VARIABLE];
  if (!file) return undefined;
  const listener = (current: Stats, previous: Stats): void => {
    if (current.mtimeMs !== previous.mtimeMs) onMove();
  };
  watchFile(file, { interval: 200, persistent: false }, listener);
  return () => unwatchFile(file, listener);
}

/** For a process entry point only: the clock STEWARD_TEST_CLOCK_FILE names in `env`, if any. */
export function clockFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): { now(): Date } | undefined {
  const file = env[CLOCK_FILE_VARIABLE];
  return file ? fileClock(file) : undefined;
}

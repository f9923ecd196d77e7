import { readFileSync, statSync } from 'node:fs';

/**
 * A clock tests move from outside a real process (ADR 0007): "now" is the ISO instant written in
 * `file` plus the real time elapsed since the file was last written. Server and agent use it only
 * when STEWARD_TEST_CLOCK_FILE is set; production processes use the system clock.
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

/** The clock STEWARD_TEST_CLOCK_FILE asks for, if any. */
export function clockFromEnv(env: NodeJS.ProcessEnv = process.env): { now(): Date } | undefined {
  const file = env.STEWARD_TEST_CLOCK_FILE;
  return file ? fileClock(file) : undefined;
}

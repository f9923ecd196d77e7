import { clockFromEnv } from '@steward/protocol/node';

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** STEWARD_TEST_CLOCK_FILE when set (tests only, ADR 0007), otherwise the system clock. */
export function agentClock(env: NodeJS.ProcessEnv = process.env): Clock {
  return clockFromEnv(env) ?? systemClock;
}

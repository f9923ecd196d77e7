import type { Logger } from 'pino';
import type { Db } from './db/database.js';
import type { Bus } from './events/bus.js';
import type { Role, Permission } from '@steward/protocol';
import { ROLE_PERMISSIONS, NotAllowedError } from '@steward/protocol';

/** Who is calling a service: an admin user, or the site itself (scheduler, agents). */
export interface Actor {
  userId: string;
  userName: string;
  role: Role;
}

export const SYSTEM_ACTOR: Actor = {
  userId: 'system',
  userName: 'system',
  role: 'full-administrator',
};

export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };

/** What every service receives: the database, the event bus, the log, the clock. */
export interface SiteContext {
  db: Db;
  bus: Bus;
  log: Logger;
  clock: Clock;
  /** Random id of this server process (push connection ownership, logs). */
  processId: string;
  siteCode: string;
}

export function nowIso(ctx: { clock: Clock }): string {
  return ctx.clock.now().toISOString();
}

/** First line of every service method. */
export function authorize(actor: Actor, permission: Permission): void {
  if (!ROLE_PERMISSIONS[actor.role].includes(permission)) {
    throw new NotAllowedError(`role ${actor.role} may not do this (needs ${permission})`);
  }
}

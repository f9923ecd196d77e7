import type { ServerRole, startServer } from '@steward/server';
import { usageError } from '../errors.js';

export type { RunningServer, ServerOptions, ServerRole } from '@steward/server';
export type StartServer = typeof startServer;

/**
 * Loads @steward/server on demand (ADR 0013): a typed import of a declared dependency, deferred
 * so that only `server`, `up` and `rotate-master-key` pay for loading the site (Fastify, the
 * database drivers); every other command starts fast.
 */
export async function loadStartServer(): Promise<StartServer> {
  const { startServer } = await import('@steward/server');
  return startServer;
}

/** Every role, checked by the compiler against the server's `ServerRole` (both ways). */
const ROLES: Record<ServerRole, true> = { admin: true, mp: true, scheduler: true, dp: true };

function isServerRole(value: string): value is ServerRole {
  return Object.hasOwn(ROLES, value);
}

/** `--roles admin,mp`: each one a role the server knows. */
export function parseRoles(values: readonly string[]): ServerRole[] {
  return values.map((value) => {
    if (!isServerRole(value))
      throw usageError(
        `--roles: unknown role "${value}" (one of ${Object.keys(ROLES).join(', ')})`,
      );
    return value;
  });
}

import { ApiClient } from '@steward/protocol';
import { CliError } from './errors.js';
import type { CliIo } from './io.js';
import { parseServerUrl } from './options.js';
import { readSession } from './session.js';

export interface Connection {
  server: string;
  token: string | undefined;
  /** Where the token came from, for `whoami` and error hints. */
  source: 'env' | 'session' | 'none';
}

/**
 * `STEWARD_SERVER` and `STEWARD_TOKEN` win over the stored session. A stored token is only sent
 * to the server it was issued by, so pointing STEWARD_SERVER elsewhere never leaks it.
 */
export async function resolveConnection(io: CliIo): Promise<Connection> {
  const envServer = nonEmpty(io.env['STEWARD_SERVER']);
  const envToken = nonEmpty(io.env['STEWARD_TOKEN']);
  const session = await readSession(io.env);
  const server =
    envServer !== undefined ? parseServerUrl(envServer, 'STEWARD_SERVER') : session?.server;
  if (server === undefined) {
    throw new CliError(
      'NOT_SIGNED_IN',
      'no site: run "steward login --server <admin-url> --user <name>" or set STEWARD_SERVER and STEWARD_TOKEN',
    );
  }
  if (envToken !== undefined) return { server, token: envToken, source: 'env' };
  if (session !== undefined && session.server === server)
    return { server, token: session.token, source: 'session' };
  return { server, token: undefined, source: 'none' };
}

export function createClient(io: CliIo, server: string, token?: string): ApiClient {
  return new ApiClient({ baseUrl: server, token, fetch: io.fetch });
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

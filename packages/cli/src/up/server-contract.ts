import { CliError, errorMessage } from '../errors.js';

/** What `startServer` of @steward/server takes (the lead's contract, mirrored here). */
export interface StartServerOptions {
  dataDir: string;
  /** host:port, default 127.0.0.1:8080; port 0 = any */
  adminListen?: string;
  /** host:port, default 0.0.0.0:8443 */
  agentListen?: string;
  /** postgres://... or a SQLite path; default <dataDir>/steward.db */
  db?: string;
  roles?: string[];
  publicUrl?: string;
  adminPassword?: string;
  logLevel?: string;
  /** The site master key file; default STEWARD_MASTER_KEY_FILE, else <dataDir>/master.key. */
  masterKeyFile?: string;
  /** Folders a server-side folder import may read (none by default). */
  contentImportRoots?: string[];
}

export interface RunningServer {
  adminUrl: string;
  agentUrl: string;
  /** Set only on the first start, when the site made up the admin password. */
  generatedAdminPassword?: string | undefined;
  close(): Promise<void>;
}

export type StartServer = (options: StartServerOptions) => Promise<RunningServer>;

/** Checks what startServer resolved to, so a drifted contract fails with a clear message. */
export function parseRunningServer(value: unknown): RunningServer {
  if (typeof value !== 'object' || value === null)
    throw contractError('startServer did not return an object');
  const o = value as Record<string, unknown>;
  const { adminUrl, agentUrl, generatedAdminPassword, close } = o;
  if (typeof adminUrl !== 'string' || typeof agentUrl !== 'string')
    throw contractError('startServer returned no adminUrl/agentUrl');
  if (typeof close !== 'function') throw contractError('startServer returned no close()');
  if (generatedAdminPassword !== undefined && typeof generatedAdminPassword !== 'string') {
    throw contractError('generatedAdminPassword is not a string');
  }
  return {
    adminUrl,
    agentUrl,
    generatedAdminPassword,
    async close() {
      await close.call(value);
    },
  };
}

function contractError(message: string): CliError {
  return new CliError('SERVER_CONTRACT', `@steward/server: ${message}`);
}

/**
 * Loads @steward/server on demand: only `server` and `up` pay for it, so every other command
 * starts fast. The specifier is a variable so this package builds even before the server
 * exports startServer; the result is checked at run time instead.
 */
export async function loadStartServer(): Promise<StartServer> {
  const specifier = '@steward/server';
  let mod: unknown;
  try {
    mod = await import(specifier);
  } catch (err) {
    throw new CliError(
      'SERVER_UNAVAILABLE',
      `cannot load @steward/server (run "npm run build" at the repository root): ${errorMessage(err)}`,
    );
  }
  if (
    typeof mod !== 'object' ||
    mod === null ||
    !('startServer' in mod) ||
    typeof mod.startServer !== 'function'
  ) {
    throw contractError('the package does not export startServer');
  }
  const start = mod.startServer;
  return async (options) => {
    const running: unknown = await Reflect.apply(start, mod, [options]);
    return parseRunningServer(running);
  };
}

import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { clockFromEnv, DP_TOKEN_PREFIX } from '@steward/protocol/node';
import { action, collect, type Ctx } from '../context.js';
import { usageError } from '../errors.js';
import { onInterrupts, type CliIo } from '../io.js';
import { parseList, parseListen, type Opts } from '../options.js';
import { masterKeyError, registerRotateMasterKey } from './rotate-master-key.js';
import { explainListenError, type ListenFlag } from '../up/ports.js';
import {
  loadStartServer,
  parseRoles,
  type RunningServer,
  type ServerOptions,
  type ServerRole,
} from '../up/site-server.js';

export const DEFAULT_ADMIN_LISTEN = '127.0.0.1:8080';
export const DEFAULT_AGENT_LISTEN = '0.0.0.0:8443';
/** A standalone distribution point (`--roles dp`) serves content here by default. */
export const DEFAULT_DP_LISTEN = '0.0.0.0:8444';

/** Flags shared by `server` and `up`. */
export function serverFlags(cmd: Command): Command {
  return cmd
    .option(
      '--admin-listen <host:port>',
      `admin API and console address (default ${DEFAULT_ADMIN_LISTEN}; port 0 = any)`,
    )
    .option(
      '--agent-listen <host:port>',
      `agent endpoint address, HTTPS (default ${DEFAULT_AGENT_LISTEN})`,
    )
    .option('--db <url>', 'postgres://... or a SQLite file (default <data>/steward.db)')
    .option(
      '--public-url <url>',
      'agent URL as machines reach it, e.g. https://steward.example:8443',
    )
    .option('--log-level <level>', 'trace, debug, info, warn, error')
    .option(
      '--master-key-file <path>',
      'the site master key, which seals the site keys in the database (default $STEWARD_MASTER_KEY_FILE, else <data>/master.key, made at first start)',
    );
}

export interface ServerSetup {
  options: ServerOptions;
  listens: ListenFlag[];
}

/** The startServer options from the flags (data dir resolved against the working directory). */
export function serverSetup(
  io: CliIo,
  opts: Opts,
  dataDir: string,
  extra: { roles?: ServerRole[]; logLevel?: string } = {},
): ServerSetup {
  const admin = parseListen(opts.string('adminListen') ?? DEFAULT_ADMIN_LISTEN, '--admin-listen');
  const agent = parseListen(opts.string('agentListen') ?? DEFAULT_AGENT_LISTEN, '--agent-listen');
  const options: ServerOptions = {
    dataDir: resolve(io.cwd, dataDir),
    adminListen: admin.text,
    agentListen: agent.text,
  };
  const db = opts.string('db');
  if (db !== undefined) options.db = db;
  const masterKeyFile = opts.string('masterKeyFile');
  if (masterKeyFile !== undefined) options.masterKeyFile = resolve(io.cwd, masterKeyFile);
  const publicUrl = opts.string('publicUrl');
  if (publicUrl !== undefined) {
    if (!/^https?:\/\/[^/]+/.test(publicUrl))
      throw usageError(
        `--public-url must be a URL like https://steward.example:8443; got "${publicUrl}"`,
      );
    options.publicUrl = publicUrl;
  }
  if (extra.roles !== undefined) options.roles = extra.roles;
  const logLevel = opts.string('logLevel') ?? extra.logLevel;
  if (logLevel !== undefined) options.logLevel = logLevel;
  const password = io.env['STEWARD_ADMIN_PASSWORD'];
  if (password !== undefined && password !== '') options.adminPassword = password;
  // The one way a test moves the time of a site process it started (ADR 0013).
  const clock = clockFromEnv(io.env);
  if (clock !== undefined) options.clock = clock;
  const viaNpmStart = io.env['STEWARD_LAUNCHER'] === 'npm-start';
  return {
    options,
    listens: [
      { flag: '--admin-listen', host: admin.host, port: admin.port, viaNpmStart },
      { flag: '--agent-listen', host: agent.host, port: agent.port, viaNpmStart },
    ],
  };
}

/** Starts the site in this process; bind failures name the flag that fixes them. */
export async function startSite(io: CliIo, setup: ServerSetup): Promise<RunningServer> {
  // The server process creates everything it writes readable by its own account only
  // (database, -wal/-shm, log, content library, master key), whatever the data folder's mode.
  process.umask(0o077);
  await mkdir(setup.options.dataDir, { recursive: true, mode: 0o700 });
  const startServer = await (io.loadServer ?? loadStartServer)();
  try {
    return await startServer(setup.options);
  } catch (err) {
    throw masterKeyError(err) ?? explainListenError(err, setup.listens);
  }
}

/** Resolves on the first SIGINT/SIGTERM; a second one while shutting down calls `onSecond`. */
export function untilInterrupted(io: CliIo, onSecond: () => void): Promise<string> {
  return new Promise((resolveSignal) => {
    onInterrupts(io, { first: resolveSignal, again: onSecond });
  });
}

/** `--roles dp`: content listener on 8444 unless told, no admin listener, the token passed on. */
function setupDistributionPoint(setup: ServerSetup, opts: Opts, dpToken: string | undefined): void {
  const registered = existsSync(join(setup.options.dataDir, 'dp.json'));
  if (!registered && dpToken === undefined)
    throw usageError(
      'this distribution point is not registered yet: pass --dp-token <token> from "steward dp create" (or set STEWARD_DP_TOKEN)',
    );
  if (dpToken !== undefined && !dpToken.trim().startsWith(DP_TOKEN_PREFIX))
    throw usageError(
      `the DP token starts with "${DP_TOKEN_PREFIX}" (from "steward dp create" or "steward dp token")`,
    );
  if (opts.string('agentListen') === undefined) {
    const dp = parseListen(DEFAULT_DP_LISTEN, '--agent-listen');
    setup.options.agentListen = dp.text;
    setup.listens = setup.listens
      .filter((l) => l.flag === '--agent-listen')
      .map((l) => ({ ...l, host: dp.host, port: dp.port }));
  } else {
    setup.listens = setup.listens.filter((l) => l.flag === '--agent-listen');
  }
  if (dpToken !== undefined) setup.options.dpToken = dpToken;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

export function registerServerCommand(program: Command, ctx: Ctx): void {
  const cmd = serverFlags(
    program
      .command('server')
      .description(
        'run a site server until SIGINT/SIGTERM (first admin password: $STEWARD_ADMIN_PASSWORD, or generated and shown once)',
      )
      // Not requiredOption: commander would then demand it of `server rotate-master-key` too.
      .option('--data <dir>', 'data directory (database, master key, content library, log)')
      .enablePositionalOptions()
      .option(
        '--roles <list>',
        'roles of this process, comma-separated (default: all), e.g. admin,mp; "dp" alone runs a distribution point',
        collect,
      )
      .option(
        '--dp-token <token>',
        'with --roles dp, first start only: the registration token from "steward dp create" (or $STEWARD_DP_TOKEN)',
      )
      .option(
        '--content-import-root <dir>',
        'a folder "steward package import --server-path" may read below (repeatable; default none: folder import is off; or $STEWARD_CONTENT_IMPORT_ROOTS, separated by ":")',
        collect,
      ),
  );
  action(cmd, async ({ opts }) => {
    const { io, out } = ctx;
    const roles = parseRoles(parseList(opts.strings('roles')));
    const setup = serverSetup(
      io,
      opts,
      opts.requiredString('data'),
      roles.length > 0 ? { roles } : {},
    );
    const dpOnly = roles.length > 0 && roles.every((r) => r === 'dp');
    const importRoots = opts.strings('contentImportRoot');
    if (importRoots.length > 0)
      setup.options.contentImportRoots = importRoots.map((r) => resolve(io.cwd, r));
    const dpToken = opts.string('dpToken');
    if (dpToken !== undefined && !dpOnly)
      throw usageError('--dp-token goes with --roles dp (a distribution point process)');
    if (dpOnly)
      setupDistributionPoint(setup, opts, dpToken ?? nonEmpty(io.env['STEWARD_DP_TOKEN']));
    const server = await startSite(io, setup);
    const stopping = untilInterrupted(io, () => {
      out.note('Forced exit.');
      io.exit(130);
    });
    if (dpOnly) {
      out.line(`Steward distribution point running (data: ${setup.options.dataDir}).`);
      out.line(`  Clients:  ${server.agentUrl}`);
    } else {
      out.line(`Steward site server running (data: ${setup.options.dataDir}).`);
      out.line(`  Console:  ${out.style.cyan(server.adminUrl)}`);
      out.line(`  Agents:   ${server.agentUrl}`);
    }
    if (server.generatedAdminPassword !== undefined) {
      out.line(
        `  Admin:    user admin, password ${out.style.bold(server.generatedAdminPassword)}  (generated; shown only this once)`,
      );
    } else if (setup.options.adminPassword !== undefined && !dpOnly) {
      out.line('  Admin:    user admin, password as set in STEWARD_ADMIN_PASSWORD');
    }
    const signal = await stopping;
    out.note(`${signal}: stopping the site server...`);
    await server.close();
    out.note('Stopped.');
  });
  registerRotateMasterKey(cmd, ctx);
}

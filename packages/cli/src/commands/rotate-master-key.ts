import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { action, withJson, type Ctx } from '../context.js';
import { CliError, usageError } from '../errors.js';

/** A site whose keys this process cannot open (MasterKeyError of @steward/server). */
export function masterKeyError(err: unknown): CliError | undefined {
  return err instanceof Error && err.name === 'MasterKeyError'
    ? new CliError('MASTER_KEY', err.message)
    : undefined;
}

/** `steward server rotate-master-key`: re-seals the site's secrets with a new master key. */
export function registerRotateMasterKey(server: Command, ctx: Ctx): void {
  const cmd = withJson(
    server
      .command('rotate-master-key')
      .description(
        'seal the site keys with a new master key (stop the site first; then give the new key file to every server process)',
      )
      .option('--data <dir>', 'data directory of the site server')
      .option('--db <url>', 'postgres://... or a SQLite file (default <data>/steward.db)')
      .option(
        '--master-key-file <path>',
        'the current master key (default $STEWARD_MASTER_KEY_FILE, else <data>/master.key); replaced by the new one',
      ),
  );
  action(cmd, async ({ opts }) => {
    const { io, out } = ctx;
    process.umask(0o077);
    const dataDir = resolve(io.cwd, opts.requiredString('data'));
    const db = opts.string('db');
    if (db === undefined && !existsSync(join(dataDir, 'steward.db')))
      throw usageError(`no site database in ${dataDir} (give --db for PostgreSQL)`);
    const keyFile = opts.string('masterKeyFile');
    // On demand, as for `server` (see up/site-server.ts).
    const { rotateSiteMasterKey } = await import('@steward/server');
    const result = await rotateSiteMasterKey({
      dataDir,
      db,
      masterKeyFile: keyFile === undefined ? undefined : resolve(io.cwd, keyFile),
    }).catch((err: unknown) => {
      if (err instanceof Error && err.name === 'SiteRunningError')
        throw new CliError('SITE_RUNNING', err.message);
      throw masterKeyError(err) ?? err;
    });
    if (opts.flag('json')) {
      out.json(result);
      return;
    }
    out.line(`Master key rotated: ${result.previousKeyId} -> ${result.keyId}.`);
    out.line(`  ${String(result.resealed)} secrets re-sealed; new key in ${result.path} (0600).`);
    out.line('  Give this file to every server process of the site before starting them again.');
  });
}

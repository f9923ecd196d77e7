import type { ClientSettings } from '@steward/protocol';
import type { Command } from 'commander';
import { action, withJson, type Ctx } from '../context.js';
import { usageError } from '../errors.js';
import type { Opts } from '../options.js';
import { formatDuration } from '../output/format.js';

/** The settings changed by `client-settings set`, from its flags. */
export function settingsFromFlags(opts: Opts): Partial<ClientSettings> {
  const s: Partial<ClientSettings> = {};
  const policy = opts.seconds('policyInterval', { min: 30 });
  if (policy !== undefined) s.policyIntervalSeconds = policy;
  const heartbeat = opts.seconds('heartbeatInterval', { min: 10 });
  if (heartbeat !== undefined) s.heartbeatIntervalSeconds = heartbeat;
  const inventory = opts.seconds('inventoryInterval', { min: 60 });
  if (inventory !== undefined) s.inventoryIntervalSeconds = inventory;
  const scan = opts.seconds('softwareScanInterval', { min: 60 });
  if (scan !== undefined) s.softwareScanIntervalSeconds = scan;
  const paths = opts.strings('softwareScanPath');
  if (paths.length > 0 && opts.flag('clearSoftwareScanPaths')) {
    throw usageError('--software-scan-path and --clear-software-scan-paths exclude each other');
  }
  if (paths.length > 0) {
    const relative = paths.find((p) => !p.startsWith('/'));
    if (relative !== undefined)
      throw usageError(`--software-scan-path must be absolute, got "${relative}"`);
    s.softwareScanPaths = paths;
  }
  if (opts.flag('clearSoftwareScanPaths')) s.softwareScanPaths = [];
  const batch = opts.int('reportBatchSize', { min: 1, max: 5000 });
  if (batch !== undefined) s.reportBatchSize = batch;
  const kbps = opts.int('contentDownloadKbps', { min: 0, max: 10_000_000 });
  if (kbps !== undefined) s.contentDownloadKbps = kbps;
  const cache = opts.int('contentCacheMb', { min: 100, max: 10_000_000 });
  if (cache !== undefined) s.contentCacheMb = cache;
  if (Object.keys(s).length === 0)
    throw usageError('nothing to set: give at least one setting flag (see --help)');
  return s;
}

const every = (seconds: number): string =>
  seconds < 60 ? `every ${seconds} s` : `every ${formatDuration(seconds * 1000)} (${seconds} s)`;

export function registerClientSettingsCommands(program: Command, ctx: Ctx): void {
  const settings = program
    .command('client-settings')
    .description('agent schedules delivered in policy');

  action(
    withJson(settings.command('show').description('show the client settings')),
    async ({ opts }) => {
      const s = await (await ctx.client()).getClientSettings();
      if (opts.flag('json')) {
        ctx.out.json(s);
        return;
      }
      printSettings(ctx, s);
    },
  );

  const set = withJson(
    settings
      .command('set')
      .description('change client settings (durations: seconds, or 15m, 1h, 1d)')
      .option('--policy-interval <duration>', 'how often agents fetch policy (min 30 s)')
      .option('--heartbeat-interval <duration>', 'how often agents send a heartbeat (min 10 s)')
      .option('--inventory-interval <duration>', 'how often agents collect inventory (min 60 s)')
      .option(
        '--software-scan-interval <duration>',
        'how often agents scan for executable files (min 60 s)',
      )
      .option(
        '--software-scan-path <path...>',
        'directories to scan for executable files (replaces the list)',
      )
      .option('--clear-software-scan-paths', 'scan no directories')
      .option('--report-batch-size <n>', 'reports per upload batch (1-5000)')
      .option(
        '--content-download-kbps <n>',
        'content download throttle per agent, KiB/s (0 = none)',
      )
      .option('--content-cache-mb <n>', "bound of each agent's content cache, MiB (min 100)"),
  );
  action(set, async ({ opts }) => {
    const changes = settingsFromFlags(opts);
    const updated = await (await ctx.client()).updateClientSettings(changes);
    if (opts.flag('json')) {
      ctx.out.json(updated);
      return;
    }
    ctx.out.line('Client settings updated; agents apply them with their next policy.');
    printSettings(ctx, updated);
  });
}

function printSettings(ctx: Ctx, s: ClientSettings): void {
  ctx.out.fields([
    ['Policy', every(s.policyIntervalSeconds)],
    ['Heartbeat', every(s.heartbeatIntervalSeconds)],
    ['Inventory', every(s.inventoryIntervalSeconds)],
    ['Software scan', every(s.softwareScanIntervalSeconds)],
    [
      'Software scan paths',
      s.softwareScanPaths.length > 0 ? s.softwareScanPaths.join(', ') : '(none)',
    ],
    ['Report batch size', String(s.reportBatchSize)],
    [
      'Content download',
      s.contentDownloadKbps ? `at most ${s.contentDownloadKbps} KiB/s` : 'not throttled',
    ],
    ['Content cache', `${s.contentCacheMb ?? 5120} MiB`],
  ]);
}

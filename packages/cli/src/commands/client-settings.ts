import {
  ClientSettingsOptions,
  describeSetting,
  settingEntries,
  shownLabel,
  withSettingDefaults,
  type ClientSettings,
} from '@steward/protocol';
import type { Command } from 'commander';
import { action, withJson, type Ctx } from '../context.js';
import { usageError } from '../errors.js';
import type { Opts } from '../options.js';
import { addSettingFlags, readSettingFlags } from '../setting-flags.js';
import { registerClientSettingsObjectCommands } from './client-settings-objects.js';

/**
 * The settings changed by `client-settings set`, from its flags: the declared ones (ADR 0016)
 * and the scan path list, which has its own pair of flags.
 */
export function settingsFromFlags(cmd: Command, opts: Opts): Partial<ClientSettings> {
  const s: Partial<ClientSettings> = readSettingFlags(cmd, ClientSettingsOptions);
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
  if (Object.keys(s).length === 0)
    throw usageError('nothing to set: give at least one setting flag (see --help)');
  return s;
}

export function registerClientSettingsCommands(program: Command, ctx: Ctx): void {
  const settings = program
    .command('client-settings')
    .description(
      'agent schedules delivered in policy: the site settings (show, set) and client settings objects per collection',
    );

  action(
    withJson(settings.command('show').description('show the site client settings (the defaults)')),
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
    addSettingFlags(
      settings
        .command('set')
        .description('change client settings (durations: seconds, or 15m, 1h, 1d)'),
      ClientSettingsOptions,
    )
      .option(
        '--software-scan-path <path...>',
        'directories to scan for executable files (replaces the list)',
      )
      .option('--clear-software-scan-paths', 'scan no directories'),
  );
  action(set, async ({ opts }) => {
    const changes = settingsFromFlags(set, opts);
    const updated = await (await ctx.client()).updateClientSettings(changes);
    if (opts.flag('json')) {
      ctx.out.json(updated);
      return;
    }
    ctx.out.line('Client settings updated; agents apply them with their next policy.');
    printSettings(ctx, updated);
  });
  registerClientSettingsObjectCommands(settings, ctx);
}

function printSettings(ctx: Ctx, s: ClientSettings): void {
  // A policy signed before the content settings existed lacks them: the agent uses the defaults.
  const values = withSettingDefaults(ClientSettingsOptions, s);
  const rows = settingEntries(ClientSettingsOptions).map(({ key, field }): [string, string] => [
    shownLabel(field),
    describeSetting(field, values[key]),
  ]);
  ctx.out.fields([
    ...rows,
    [
      'Software scan paths',
      s.softwareScanPaths.length > 0 ? s.softwareScanPaths.join(', ') : '(none)',
    ],
  ]);
}

import {
  describeSetting,
  settingEntries,
  shownLabel,
  SiteSettingsOptions,
  type SiteSettings,
} from '@steward/protocol';
import type { Command } from 'commander';
import { action, withJson, type Ctx } from '../context.js';
import { usageError } from '../errors.js';
import { addSettingFlags, readSettingFlags } from '../setting-flags.js';

function print(ctx: Ctx, s: SiteSettings): void {
  ctx.out.fields(
    settingEntries(SiteSettingsOptions).map(({ key, field }) => [
      shownLabel(field),
      describeSetting(field, s[key]),
    ]),
  );
}

/** `steward site-settings show|set`: site-wide settings such as the client activity thresholds. */
export function registerSiteSettingsCommands(program: Command, ctx: Ctx): void {
  const settings = program
    .command('site-settings')
    .description(
      'site-wide settings (client activity thresholds, obsolete clients, status-message retention)',
    );
  action(
    withJson(settings.command('show').description('show the site settings')),
    async ({ opts }) => {
      const s = await (await ctx.client()).getSiteSettings();
      if (opts.flag('json')) {
        ctx.out.json(s);
        return;
      }
      print(ctx, s);
    },
  );
  const set = withJson(settings.command('set').description('change site settings'));
  addSettingFlags(set, SiteSettingsOptions);
  action(set, async ({ opts }) => {
    const given = readSettingFlags(set, SiteSettingsOptions);
    if (Object.keys(given).length === 0)
      throw usageError('nothing to set: give one of the setting flags (see --help)');
    const updated = await (await ctx.client()).updateSiteSettings(given);
    if (opts.flag('json')) {
      ctx.out.json(updated);
      return;
    }
    print(ctx, updated);
  });
}

import { SEARCH_MAX_PER_KIND } from '@steward/protocol';
import type { Command } from 'commander';
import { action, withJson, type Ctx } from '../context.js';

/**
 * `steward search <text>`: devices, collections, packages, programs, deployments, software
 * updates (by package, version, CVE or advisory id), custom updates (by title, vendor, product or
 * version), CVEs, advisories, update groups, update deployments, automatic deployment rules, task
 * sequences and their deployments, OS and boot images, users, DPs.
 */
export function registerSearchCommands(program: Command, ctx: Ctx): void {
  const cmd = withJson(
    program
      .command('search')
      .description(
        'find devices (name, address, serial, user), collections, packages, programs, deployments, updates (package, version, CVE, advisory), custom updates, CVEs, advisories, update groups, update deployments, automatic deployment rules, task sequences, task-sequence deployments, OS images, boot images, users and DPs',
      )
      .argument('<text...>', 'what to look for (case-insensitive, anywhere in the name)')
      .option('--limit <n>', `matches per kind (1-${SEARCH_MAX_PER_KIND}, default 5)`),
  );
  action(cmd, async ({ opts, argList }) => {
    const limit = opts.int('limit', { min: 1, max: SEARCH_MAX_PER_KIND });
    const res = await (await ctx.client()).search(argList(0).join(' '), limit);
    if (opts.flag('json')) {
      ctx.out.json(res);
      return;
    }
    ctx.out.table(
      [{ header: 'KIND' }, { header: 'NAME' }, { header: 'ID' }, { header: 'DETAIL', flex: true }],
      res.hits.map((h) => [h.kind, h.name, h.id, h.detail]),
      'Nothing matches.',
    );
    if (res.hiddenKinds.length > 0)
      ctx.out.note(`Not searched (your role may not list them): ${res.hiddenKinds.join(', ')}.`);
  });
}

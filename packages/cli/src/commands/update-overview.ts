import { ops, type ComplianceGroup } from '@steward/protocol';
import type { Command } from 'commander';
import { action, withJson, type Ctx } from '../context.js';

const groupRows = (kind: string, groups: readonly ComplianceGroup[]) =>
  groups.map((g) => [kind, g.label, String(g.updates), String(g.installed), String(g.required)]);

/** `steward update overview`: the fleet's compliance with the current catalog (the dashboard). */
export function registerUpdateOverviewCommand(update: Command, ctx: Ctx): void {
  const cmd = withJson(
    update
      .command('overview')
      .description(
        'fleet compliance with the current catalog: per source, classification, severity, and the most required updates',
      )
      .option('--top <n>', 'how many most-required updates (default 10)'),
  );
  action(cmd, async ({ opts }) => {
    const top = opts.int('top', { min: 1, max: 100 });
    const o = await (
      await ctx.client()
    ).call(ops.updateCompliance.overview, { query: top !== undefined ? { top } : {} });
    if (opts.flag('json')) {
      ctx.out.json(o);
      return;
    }
    ctx.out.line(
      `${o.devicesRequiring} of ${o.devices} devices need updates; ${o.installed} installed and ` +
        `${o.required} required over ${o.currentUpdates} current updates (catalog ${o.catalogVersion})`,
    );
    ctx.out.table(
      [
        { header: 'BY' },
        { header: 'GROUP' },
        { header: 'UPDATES' },
        { header: 'INSTALLED' },
        { header: 'REQUIRED', flex: true },
      ],
      [
        ...groupRows('source', o.bySource),
        ...groupRows('classification', o.byClassification),
        ...groupRows('severity', o.bySeverity),
      ],
      'No current updates.',
    );
    ctx.out.table(
      [
        { header: 'MOST REQUIRED' },
        { header: 'VERSION' },
        { header: 'SEVERITY' },
        { header: 'INSTALLED' },
        { header: 'REQUIRED', flex: true },
      ],
      o.mostRequired.map((u) => [
        u.package,
        u.version,
        u.severity,
        String(u.installed),
        String(u.required),
      ]),
      'No device needs a current update.',
    );
  });
}

import { ops, type CustomComplianceState } from '@steward/protocol';
import type { Command } from 'commander';
import { action, withJson, type Ctx } from '../context.js';
import { usageError } from '../errors.js';
import { humanTime } from '../output/format.js';

const STATES: readonly CustomComplianceState[] = [
  'installed',
  'required',
  'not-required',
  'unknown',
];

function stateQuery(value: string | undefined): { state?: CustomComplianceState } {
  if (value === undefined) return {};
  const state = STATES.find((s) => s === value);
  if (state === undefined) throw usageError(`--state is one of ${STATES.join(', ')}`);
  return { state };
}

/**
 * `steward update custom compliance <id>`: counts from the devices' scans (ADR 0074), "not
 * scanned" for devices whose scan has not reported it, and the machines in one state.
 */
export function addCustomComplianceCommand(custom: Command, ctx: Ctx): void {
  const cmd = withJson(
    custom
      .command('compliance')
      .description(
        "a custom update's machines from their scans: installed, required, not required, unknown",
      )
      .argument('<id>')
      .option('--state <state>', `only machines in this state (${STATES.join(', ')})`)
      .option('--limit <n>', 'at most this many machines (default 50)'),
  );
  action(cmd, async ({ opts, arg }) => {
    const client = await ctx.client();
    const limit = opts.int('limit', { min: 1, max: 1000 });
    const params = { id: arg(0) };
    const summary = await client.call(ops.customUpdates.customUpdateCompliance, { params });
    const devices = await client.call(ops.customUpdates.customUpdateDevices, {
      params,
      query: { ...stateQuery(opts.string('state')), ...(limit !== undefined ? { limit } : {}) },
    });
    if (opts.flag('json')) {
      ctx.out.json({ summary, devices });
      return;
    }
    const c = summary.counts;
    ctx.out.line(
      `${summary.title}: ${c.installed} installed, ${c.required} required, ` +
        `${c.notRequired} not required, ${c.unknown} unknown, ${c.notScanned} not scanned yet`,
    );
    const now = ctx.io.now();
    ctx.out.table(
      [
        { header: 'DEVICE' },
        { header: 'STATE' },
        { header: 'FIRST DETECTED' },
        { header: 'INSTALLED' },
        { header: 'SCANNED' },
        { header: 'DETAILS', flex: true },
      ],
      devices.items.map((r) => [
        r.deviceName,
        r.state,
        r.firstDetectedAt ? humanTime(r.firstDetectedAt, now) : '-',
        r.installedAt ? humanTime(r.installedAt, now) : '-',
        humanTime(r.scannedAt, now),
        r.details.join('; '),
      ]),
      'No machines in that state.',
    );
    if (devices.total > devices.items.length)
      ctx.out.note(`${devices.items.length} of ${devices.total} shown (--limit)`);
  });
}

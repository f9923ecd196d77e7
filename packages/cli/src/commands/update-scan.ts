import {
  ops,
  type ComplianceListState,
  type DeviceUpdateCompliance,
  type ScanAuditState,
} from '@steward/protocol';
import type { Command } from 'commander';
import { action, withJson, type Ctx } from '../context.js';
import { usageError } from '../errors.js';
import { humanTime, orDash } from '../output/format.js';

const LIST_STATES: readonly ComplianceListState[] = [
  'installed',
  'required',
  'held',
  'pinned',
  'not-required',
  'unknown',
];
const AUDIT_STATES: readonly ScanAuditState[] = [
  'current',
  'never',
  'stale-catalog',
  'overdue',
  'failed',
];

function listState(value: string | undefined) {
  if (value === undefined) return {};
  const state = LIST_STATES.find((s) => s === value);
  if (state === undefined) throw usageError(`--state is one of ${LIST_STATES.join(', ')}`);
  return { state };
}

const stateText = (r: DeviceUpdateCompliance) =>
  r.state === 'required' && r.hold !== null ? `required (${r.hold})` : r.state;

/** `steward update compliance <update>`: counts per state and the machines in one state. */
function addCompliance(update: Command, ctx: Ctx): void {
  const cmd = withJson(
    update
      .command('compliance')
      .description("an update's machines: installed, required, held, pinned, not required, unknown")
      .argument('<update-id>')
      .option('--state <state>', `only machines in this state (${LIST_STATES.join(', ')})`)
      .option('--limit <n>', 'at most this many machines (default 50)'),
  );
  action(cmd, async ({ opts, arg }) => {
    const client = await ctx.client();
    const limit = opts.int('limit', { min: 1, max: 1000 });
    const summary = await client.call(ops.updateCompliance.updateCompliance, {
      params: { id: arg(0) },
    });
    const devices = await client.call(ops.updateCompliance.updateDevices, {
      params: { id: arg(0) },
      query: { ...listState(opts.string('state')), ...(limit !== undefined ? { limit } : {}) },
    });
    if (opts.flag('json')) {
      ctx.out.json({ summary, devices });
      return;
    }
    const c = summary.counts;
    ctx.out.line(
      `${summary.package} ${summary.version} (catalog ${summary.catalogVersion}): ` +
        `${c.installed} installed, ${c.required} required, ${c.held} held, ${c.pinned} pinned, ` +
        `${c.notRequired} not required, ${c.unknown} unknown`,
    );
    const now = ctx.io.now();
    ctx.out.table(
      [
        { header: 'DEVICE' },
        { header: 'STATE' },
        { header: 'FROM' },
        { header: 'FIRST DETECTED' },
        { header: 'SCANNED', flex: true },
      ],
      devices.items.map((r) => [
        r.deviceName,
        stateText(r),
        r.basis,
        r.firstDetectedAt ? humanTime(r.firstDetectedAt, now) : '-',
        r.scannedAt ? humanTime(r.scannedAt, now) : '-',
      ]),
      'No machines in that state.',
    );
    if (devices.total > devices.items.length)
      ctx.out.note(`${devices.items.length} of ${devices.total} shown (--limit)`);
  });
}

/** `steward update device <device>`: one machine's installed / required / held updates. */
function addDeviceUpdates(update: Command, ctx: Ctx): void {
  const cmd = withJson(
    update
      .command('device')
      .description('the updates installed on, required by or held back on one device')
      .argument('<device>')
      .option('--state <state>', `only updates in this state (${LIST_STATES.join(', ')})`)
      .option('--limit <n>', 'at most this many (default 50)'),
  );
  action(cmd, async ({ opts, arg }) => {
    const limit = opts.int('limit', { min: 1, max: 1000 });
    const page = await (
      await ctx.client()
    ).call(ops.updateCompliance.deviceUpdates, {
      params: { id: arg(0) },
      query: { ...listState(opts.string('state')), ...(limit !== undefined ? { limit } : {}) },
    });
    if (opts.flag('json')) {
      ctx.out.json(page);
      return;
    }
    ctx.out.table(
      [
        { header: 'PACKAGE' },
        { header: 'VERSION' },
        { header: 'STATE' },
        { header: 'FROM' },
        { header: 'INSTALLED', flex: true },
      ],
      page.items.map((r) => [r.package, r.version, stateText(r), r.basis, orDash(r.installedAt)]),
      'No updates installed or required.',
    );
  });
}

/** `steward update scans`: the scan audit. */
function addScanAudit(update: Command, ctx: Ctx): void {
  const cmd = withJson(
    update
      .command('scans')
      .description('scan audit: which devices scanned the current catalog, which did not and why')
      .option('--state <state>', `only devices in this state (${AUDIT_STATES.join(', ')})`)
      .option('--device <id>', "only this device's row (by device id)")
      .option('--limit <n>', 'at most this many (default 50)'),
  );
  action(cmd, async ({ opts }) => {
    const raw = opts.string('state');
    const state = AUDIT_STATES.find((s) => s === raw);
    if (raw !== undefined && state === undefined)
      throw usageError(`--state is one of ${AUDIT_STATES.join(', ')}`);
    const limit = opts.int('limit', { min: 1, max: 1000 });
    const device = opts.string('device');
    const page = await (
      await ctx.client()
    ).call(ops.updateCompliance.scanAudit, {
      query: {
        ...(state ? { state } : {}),
        ...(device !== undefined ? { deviceId: device } : {}),
        ...(limit !== undefined ? { limit } : {}),
      },
    });
    if (opts.flag('json')) {
      ctx.out.json(page);
      return;
    }
    const now = ctx.io.now();
    ctx.out.table(
      [
        { header: 'DEVICE' },
        { header: 'AUDIT' },
        { header: 'CATALOG' },
        { header: 'KIND' },
        { header: 'SCANNED' },
        { header: 'ERROR', flex: true },
      ],
      page.items.map((a) => [
        a.deviceName,
        a.state,
        a.catalogVersion === null ? '-' : `${a.catalogVersion}/${a.currentCatalogVersion}`,
        orDash(a.kind),
        a.scannedAt ? humanTime(a.scannedAt, now) : '-',
        orDash(a.error),
      ]),
      'No devices.',
    );
  });
}

/** Scan and compliance commands under `steward update` (issue 10). */
export function registerUpdateScanCommands(update: Command, ctx: Ctx): void {
  addCompliance(update, ctx);
  addDeviceUpdates(update, ctx);
  addScanAudit(update, ctx);
}

/** `steward device scan <device> [--expedited]`: asks the agent to scan for updates now. */
export function registerDeviceScanCommand(device: Command, ctx: Ctx): void {
  const cmd = withJson(
    device
      .command('scan')
      .description('ask the agent to scan for updates now (--expedited: and a full inventory)')
      .argument('<name-or-id>')
      .option('--expedited', 'the expedited scan: also collect a full inventory at once'),
  );
  action(cmd, async ({ opts, arg }) => {
    const nudge = opts.flag('expedited') ? 'updates:scan-expedited' : 'updates:scan';
    const requested = await (await ctx.client()).requestDeviceAction(arg(0), nudge);
    if (opts.flag('json')) {
      ctx.out.json(requested);
      return;
    }
    ctx.out.line(`Requested ${nudge} on ${arg(0)}: ${requested.state} (action ${requested.id}).`);
  });
}

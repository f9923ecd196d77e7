import {
  DiscoverySettingsOptions,
  ops,
  type ApiClient,
  type DiscoveredMachine,
  type DiscoverySettings,
  type StartSweepRequest,
  type Sweep,
} from '@steward/protocol';
import type { Command } from 'commander';
import { action, collect, withJson, type Ctx } from '../context.js';
import { CliError, usageError } from '../errors.js';
import { interruptController } from '../io.js';
import { humanTime, orDash, plural } from '../output/format.js';
import { createProgress } from '../output/progress.js';
import { addSettingFlags, readSettingFlags } from '../setting-flags.js';
import { parseInteger } from '../options.js';
import { addDiscoveryBulk } from './discovery-bulk.js';

const POLL_MS = 500;

function progressLine(s: Sweep): string {
  return `${s.done}/${s.total} addresses, ${plural(s.found, 'machine')} found`;
}

function bar(s: Sweep, width = 30): string {
  const filled = s.total === 0 ? width : Math.round((s.done / s.total) * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
}

function printSweep(ctx: Ctx, s: Sweep): void {
  ctx.out.fields([
    ['Sweep', s.id],
    ['State', s.error ? `${s.state} (${s.error})` : s.state],
    ['Progress', `${bar(s)} ${progressLine(s)}`],
    ['Targets', s.targets.join(', ')],
    ['Probes', `${s.icmp ? 'ICMP echo, ' : ''}TCP ${s.ports.join(', ') || '(none)'}`],
    ['Started', `${humanTime(s.startedAt, ctx.io.now())} by ${s.requestedBy} (${s.trigger})`],
    ['Finished', humanTime(s.finishedAt, ctx.io.now(), '-')],
  ]);
}

/** Follows a sweep with a progress bar until it ends (Ctrl-C stops watching, not the sweep). */
async function follow(ctx: Ctx, client: ApiClient, first: Sweep): Promise<Sweep> {
  const progress = createProgress(ctx.io, {
    title: `sweep ${first.id.slice(0, 8)}`,
    total: Math.max(first.total, 1),
  });
  const interrupt = interruptController(ctx.io);
  let s = first;
  try {
    for (;;) {
      progress.update(progressLine(s), s.done);
      if (s.state !== 'running') break;
      await ctx.io.sleep(POLL_MS, interrupt.signal);
      if (interrupt.signal.aborted)
        throw new CliError('CANCELLED', `stopped watching; sweep ${s.id} is still running`);
      s = await client.call(ops.discovery.getSweep, { params: { id: s.id } });
    }
    progress.stop(`sweep ${s.id} ${s.state}: ${progressLine(s)}`);
    return s;
  } catch (err) {
    progress.stop();
    throw err;
  } finally {
    interrupt.dispose();
  }
}

function ports(values: readonly string[]): number[] {
  return values
    .flatMap((v) => v.split(','))
    .filter((v) => v.trim() !== '')
    .map((v) => parseInteger(v.trim(), '--port', { min: 1, max: 65535 }));
}

function addSweep(discovery: Command, ctx: Ctx): void {
  const cmd = withJson(
    discovery
      .command('sweep')
      .description("sweep subnets or ranges for machines (default: the site's boundaries)")
      .option('--subnet <cidr>', 'an IPv4 subnet, e.g. 10.1.0.0/24 (repeatable)', collect)
      .option('--range <a-b>', 'an IPv4 range, e.g. 10.1.0.10-10.1.0.200 (repeatable)', collect)
      .option('--port <n>', 'a TCP port to probe (repeatable; default 22, 80, 443, 5985)', collect)
      .option('--no-icmp', 'do not send ICMP echo requests')
      .option('--wait', 'follow the sweep with a progress bar until it ends'),
  );
  action(cmd, async ({ opts }) => {
    const client = await ctx.client();
    const subnets = opts.strings('subnet');
    const ranges = opts.strings('range');
    const portList = ports(opts.strings('port'));
    const req: StartSweepRequest = {
      ...(subnets.length > 0 ? { subnets } : {}),
      ...(ranges.length > 0 ? { ranges } : {}),
      ...(portList.length > 0 ? { ports: portList } : {}),
      // commander sets `icmp: false` for --no-icmp.
      ...(opts.flag('icmp') ? {} : { icmp: false }),
    };
    let s = await client.call(ops.discovery.startSweep, { body: req });
    if (opts.flag('wait')) s = await follow(ctx, client, s);
    if (opts.flag('json')) {
      ctx.out.json(s);
      return;
    }
    if (!opts.flag('wait'))
      ctx.out.note(`sweep ${s.id} started: ${plural(s.total, 'address', 'addresses')}`);
    printSweep(ctx, s);
  });
}

function addStatus(discovery: Command, ctx: Ctx): void {
  const cmd = withJson(
    discovery
      .command('status')
      .description('progress of a sweep (the latest when none is named)')
      .argument('[sweep]')
      .option('--wait', 'follow the sweep with a progress bar until it ends'),
  );
  action(cmd, async ({ opts, optionalArg }) => {
    const client = await ctx.client();
    const id = optionalArg(0);
    let s: Sweep | undefined =
      id === undefined
        ? (await client.call(ops.discovery.listSweeps, { query: { limit: 1 } })).items[0]
        : await client.call(ops.discovery.getSweep, { params: { id } });
    if (s === undefined) throw new CliError('NOT_FOUND', 'no sweep has run yet');
    if (opts.flag('wait')) s = await follow(ctx, client, s);
    if (opts.flag('json')) {
      ctx.out.json(s);
      return;
    }
    printSweep(ctx, s);
  });
}

function addCancel(discovery: Command, ctx: Ctx): void {
  const cmd = withJson(
    discovery.command('cancel').description('cancel a running sweep').argument('<sweep>'),
  );
  action(cmd, async ({ opts, arg }) => {
    const s = await (
      await ctx.client()
    ).call(ops.discovery.cancelSweep, { params: { id: arg(0) } });
    if (opts.flag('json')) {
      ctx.out.json(s);
      return;
    }
    printSweep(ctx, s);
  });
}

/** Discovered machines as a table (also `steward collection discovered list`). */
export function printMachines<M extends DiscoveredMachine>(
  ctx: Ctx,
  items: readonly M[],
  empty: string,
  extra?: { header: string; cell: (m: M) => string },
): void {
  const now = ctx.io.now();
  ctx.out.table(
    [
      { header: 'ADDRESS' },
      { header: 'DNS NAME' },
      { header: 'MAC' },
      { header: 'PORTS' },
      { header: 'OS GUESS' },
      { header: 'AGENT' },
      ...(extra ? [{ header: extra.header }] : []),
      { header: 'LAST SEEN', flex: true },
    ],
    items.map((m) => {
      const row = machineRow(m, now);
      return extra ? [...row.slice(0, -1), extra.cell(m), ...row.slice(-1)] : row;
    }),
    empty,
  );
}

function machineRow(m: DiscoveredMachine, now: Date): string[] {
  return [
    m.address,
    orDash(m.dnsName),
    orDash(m.mac),
    m.openPorts.join(',') || (m.pingable ? 'ping' : '-'),
    orDash(m.osGuess),
    m.deviceName ?? 'no',
    humanTime(m.lastSeenAt, now),
  ];
}

function addList(discovery: Command, ctx: Ctx): void {
  const cmd = withJson(
    discovery
      .command('list')
      .description('discovered machines (AGENT names the enrolled device a machine is)')
      .option('--search <text>', 'part of the address, DNS name, MAC or OS guess')
      .option('--has-agent', 'only machines that have an agent')
      .option('--no-agent', 'only machines without an agent (push candidates)')
      .option('--limit <n>', 'at most this many (default 500)'),
  );
  action(cmd, async ({ opts }) => {
    const has = opts.flag('hasAgent');
    // commander defaults `agent` to true and sets it false for --no-agent.
    const without = !opts.flag('agent');
    if (has && without) throw usageError('--has-agent and --no-agent exclude each other');
    const search = opts.string('search');
    const limit = opts.int('limit', { min: 1, max: 5000 });
    const page = await (
      await ctx.client()
    ).call(ops.discovery.listMachines, {
      query: {
        ...(search !== undefined ? { search } : {}),
        ...(has ? { hasAgent: true } : without ? { hasAgent: false } : {}),
        ...(limit !== undefined ? { limit } : {}),
      },
    });
    if (opts.flag('json')) {
      ctx.out.json(page);
      return;
    }
    printMachines(ctx, page.items, 'No machines discovered.');
    if (page.total > page.items.length)
      ctx.out.note(`${page.items.length} of ${page.total} shown (--limit)`);
  });
}

function printSettings(ctx: Ctx, s: DiscoverySettings): void {
  ctx.out.fields([
    ['Addresses per sweep', `at most ${s.maxAddressesPerSweep}`],
    ['Probe rate', `${s.probesPerSecond} probes/s, ${s.concurrency} addresses at once`],
    ['Probe timeout', `${s.probeTimeoutMs} ms`],
    [
      'Schedule',
      s.scheduleEnabled
        ? `every ${Math.round(s.scheduleIntervalSeconds / 3600)} h over the site's boundaries`
        : 'off (on demand only)',
    ],
  ]);
}

function addSettings(discovery: Command, ctx: Ctx): void {
  const settings = discovery.command('settings').description('discovery limits and schedule');
  action(
    withJson(settings.command('show').description('show the discovery settings')),
    async ({ opts }) => {
      const s = await (await ctx.client()).call(ops.discovery.getSettings, {});
      if (opts.flag('json')) {
        ctx.out.json(s);
        return;
      }
      printSettings(ctx, s);
    },
  );
  const set = withJson(settings.command('set').description('change discovery settings'));
  addSettingFlags(set, DiscoverySettingsOptions);
  action(set, async ({ opts }) => {
    const given = readSettingFlags(set, DiscoverySettingsOptions);
    if (Object.keys(given).length === 0) throw usageError('nothing to set: see --help');
    const s = await (await ctx.client()).call(ops.discovery.updateSettings, { body: given });
    if (opts.flag('json')) {
      ctx.out.json(s);
      return;
    }
    printSettings(ctx, s);
  });
}

/** `steward discovery ...`: network discovery of machines with and without an agent. */
export function registerDiscoveryCommands(program: Command, ctx: Ctx): void {
  const discovery = program
    .command('discovery')
    .description('network discovery: sweep subnets for machines, with or without an agent');
  addSweep(discovery, ctx);
  addStatus(discovery, ctx);
  addCancel(discovery, ctx);
  addList(discovery, ctx);
  addDiscoveryBulk(discovery, ctx);
  addSettings(discovery, ctx);
}

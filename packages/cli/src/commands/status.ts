import type { ApiClient, ListStatusMessagesQuery, StatusMessage } from '@steward/protocol';
import type { Command } from 'commander';
import { action, withJson, type Ctx } from '../context.js';
import { usageError } from '../errors.js';
import { interruptController } from '../io.js';
import type { Opts } from '../options.js';
import { humanTime, utcTime } from '../output/format.js';
import type { Style } from '../output/style.js';

export const SEVERITIES = ['informational', 'warning', 'error'] as const;
const FOLLOW_INTERVAL_MS = 2000;
const FOLLOW_PAGE = 1000;

/** Orders message ids: numeric ids by value (so "10" follows "9"), others as text. */
export function compareIds(a: string, b: string): number {
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) {
    const x = BigInt(a);
    const y = BigInt(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

export function paintSeverity(severity: StatusMessage['severity'], style: Style): string {
  switch (severity) {
    case 'error':
      return style.red(severity);
    case 'warning':
      return style.yellow(severity);
    case 'informational':
      return severity;
  }
}

/** One line per message for --follow: time, severity, id, component, machine, text. */
export function formatStatusLine(m: StatusMessage, style: Style): string {
  const sev = paintSeverity(m.severity, style) + ' '.repeat(Math.max(0, 13 - m.severity.length));
  return `${style.dim(utcTime(m.at))}  ${sev}  ${String(m.messageId).padStart(5)}  ${m.component.padEnd(20)}  ${m.machine.padEnd(16)}  ${m.text}`;
}

async function statusQuery(
  opts: Opts,
  client: ApiClient,
  now: Date,
): Promise<ListStatusMessagesQuery> {
  const q: ListStatusMessagesQuery = {};
  const device = opts.string('device');
  // The API filters on the device id; people type names.
  if (device !== undefined) q.deviceId = (await client.getDevice(device)).id;
  const component = opts.string('component');
  if (component !== undefined) q.component = component;
  const messageId = opts.int('messageId', { min: 1, max: 99999 });
  if (messageId !== undefined) q.messageId = messageId;
  const severity = opts.oneOf('severity', SEVERITIES);
  if (severity !== undefined) q.severity = severity;
  const since = opts.time('since', now);
  if (since !== undefined) q.since = since;
  const until = opts.time('until', now);
  if (until !== undefined) q.until = until;
  const limit = opts.int('limit', { min: 1, max: 1000 });
  if (limit !== undefined) q.limit = limit;
  return q;
}

export function registerStatusCommands(program: Command, ctx: Ctx): void {
  const status = program
    .command('status')
    .description('status messages from agents and site servers');
  addStatusList(status, ctx);
  addStatusCatalog(status, ctx);
}

function addStatusList(status: Command, ctx: Ctx): void {
  const list = withJson(
    status
      .command('list')
      .description('status messages, newest first (--follow: keep printing new ones)')
      .option('--device <name-or-id>', 'from this device')
      .option('--component <name>', 'from this component (e.g. inventory-agent)')
      .option('--message-id <n>', 'this message id (e.g. 40020)')
      .option('--severity <severity>', `one of ${SEVERITIES.join(', ')}`)
      .option('--since <time>', 'at or after: ISO time, or a duration ago (30m, 2h, 7d)')
      .option('--until <time>', 'at or before: ISO time, or a duration ago')
      .option('--limit <n>', 'at most n messages (1-1000, default 100)')
      .option(
        '--follow',
        'keep polling every 2 s and print new messages as they arrive (Ctrl-C stops)',
      ),
  );
  action(list, async ({ opts }) => {
    const client = await ctx.client();
    const query = await statusQuery(opts, client, ctx.io.now());
    if (opts.flag('follow')) {
      if (query.until !== undefined) throw usageError('--follow and --until exclude each other');
      return follow(ctx, client, query, opts.flag('json'));
    }
    const res = await client.listStatusMessages(query);
    if (opts.flag('json')) {
      ctx.out.json(res);
      return;
    }
    const { out } = ctx;
    out.table(
      [
        { header: 'WHEN' },
        { header: 'SEVERITY' },
        { header: 'ID', align: 'right' },
        { header: 'COMPONENT' },
        { header: 'MACHINE' },
        { header: 'TEXT', flex: true },
      ],
      res.items.map((m) => [
        humanTime(m.at, out.now),
        paintSeverity(m.severity, out.style),
        String(m.messageId),
        m.component,
        m.machine,
        m.text,
      ]),
      'No status messages.',
    );
    if (res.nextCursor !== null)
      out.note('More messages are older; raise --limit or narrow with --since/--until.');
  });
}

function addStatusCatalog(status: Command, ctx: Ctx): void {
  action(
    withJson(status.command('catalog').description('every status message id with its text')),
    async ({ opts }) => {
      const catalog = await (await ctx.client()).statusCatalog();
      if (opts.flag('json')) {
        ctx.out.json(catalog);
        return;
      }
      ctx.out.table(
        [
          { header: 'ID', align: 'right' },
          { header: 'SEVERITY' },
          { header: 'TYPE' },
          { header: 'COMPONENT' },
          { header: 'TEXT', flex: true },
        ],
        catalog.map((e) => [
          String(e.id),
          paintSeverity(e.severity, ctx.out.style),
          e.type,
          e.component,
          e.text,
        ]),
      );
    },
  );
}

/**
 * Prints the latest messages, then polls with the `after` cursor every 2 s. A full page is
 * followed at once by the next one, so a burst is never cut. With --json: one object per line.
 */
export async function follow(
  ctx: Ctx,
  client: ApiClient,
  query: ListStatusMessagesQuery,
  json: boolean,
): Promise<void> {
  const { io, out } = ctx;
  const interrupt = interruptController(io);
  let cursor: string | undefined;
  const print = (items: readonly StatusMessage[]): void => {
    const sorted = [...items].sort((a, b) => compareIds(a.id, b.id));
    for (const m of sorted) {
      if (json) out.jsonLine(m);
      else out.line(formatStatusLine(m, out.style));
      if (cursor === undefined || compareIds(m.id, cursor) > 0) cursor = m.id;
    }
  };
  try {
    const first = await client.listStatusMessages({ ...query, limit: query.limit ?? 20 });
    print(first.items);
    if (!json) out.note(out.errStyle.dim('Following new status messages (Ctrl-C stops)...'));
    // A function, not the property: Ctrl-C aborts during the awaits, which narrowing cannot see.
    const interrupted = (): boolean => interrupt.signal.aborted;
    while (!interrupted()) {
      await io.sleep(FOLLOW_INTERVAL_MS, interrupt.signal);
      for (;;) {
        if (interrupted()) return;
        const page = await client.listStatusMessages({
          ...query,
          limit: FOLLOW_PAGE,
          ...(cursor !== undefined ? { after: cursor } : {}),
        });
        print(page.items);
        if (page.items.length < FOLLOW_PAGE) break;
      }
    }
  } finally {
    interrupt.dispose();
  }
}

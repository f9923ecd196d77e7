import {
  type ExportArgs,
  type ExportSpec,
  EXPORT_FORMATS,
  type Operation,
  ops,
} from '@steward/protocol';
import type { Command } from 'commander';
import { action, collect, type Ctx } from '../context.js';
import { usageError } from '../errors.js';
import type { OutStream } from '../io.js';

type ExportOp = Operation & { readonly export: ExportSpec };

/** `collectionMembers` -> `collection-members`: the names `steward export` takes. */
function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** Every export of the operation table, by its command-line name. */
export function exportsByName(): Map<string, ExportOp> {
  const all: [string, ExportOp][] = Object.entries(ops.exports);
  return new Map(all.map(([name, op]) => [kebab(name), op]));
}

/**
 * Streams an export to stdout as the site writes it (ADR 0032): every matching row, never a
 * page at a time, with the writer's backpressure respected.
 */
export async function streamExport(ctx: Ctx, op: ExportOp, args: ExportArgs): Promise<void> {
  const client = await ctx.client();
  await streamResponse(ctx, await client.exportResponse(op, args));
}

/** Writes a streamed answer's body to stdout as it arrives (exports and report files). */
export async function streamResponse(ctx: Ctx, res: Response): Promise<void> {
  if (!res.body) return;
  const decoder = new TextDecoder();
  const reader = res.body.getReader();
  for (;;) {
    const next = await reader.read();
    if (next.done) break;
    const bytes: unknown = next.value;
    if (bytes instanceof Uint8Array)
      await write(ctx.io.stdout, decoder.decode(bytes, { stream: true }));
  }
  await write(ctx.io.stdout, decoder.decode());
}

async function write(out: OutStream, text: string): Promise<void> {
  if (text === '') return;
  if (out.write(text) === false && out.once)
    await new Promise<void>((resolve) => out.once?.('drain', resolve));
}

/** `key=value` filters into a query object. */
function filtersOf(pairs: readonly string[]): Record<string, string> {
  const query: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw usageError(`--filter takes name=value, not "${pair}"`);
    query[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return query;
}

/** `steward export <list> [id]`: any list or report, every matching row, CSV or JSON. */
export function registerExportCommands(program: Command, ctx: Ctx): void {
  const names = [...exportsByName().keys()];
  const cmd = program
    .command('export')
    .description('every row of a list or report as CSV (default) or JSON, streamed to stdout')
    .argument('<list>', `one of: ${names.join(', ')}`)
    .argument('[id]', 'the object whose list it is (a collection, a deployment, a device)')
    .option('--format <format>', `${EXPORT_FORMATS.join(' or ')} (default csv)`)
    .option('--filter <name=value>', "a filter of the list's query (repeatable)", collect);
  action(cmd, async ({ opts, arg, optionalArg }) => {
    const op = exportsByName().get(arg(0));
    if (!op) throw usageError(`no list "${arg(0)}": one of ${names.join(', ')}`);
    const id = optionalArg(1);
    const needsId = op.path.includes(':id');
    if (needsId && id === undefined) throw usageError(`export ${arg(0)} needs the object's id`);
    const format = opts.oneOf('format', EXPORT_FORMATS) ?? 'csv';
    await streamExport(ctx, op, {
      ...(needsId && id !== undefined ? { params: { id } } : {}),
      query: { ...filtersOf(opts.strings('filter')), format },
    });
  });
}

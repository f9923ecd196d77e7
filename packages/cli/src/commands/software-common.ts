import { ApiError, type ApiClient, type Deployment, type Program } from '@steward/protocol';
import type { Command } from 'commander';
import type { Ctx } from '../context.js';
import { CliError, usageError } from '../errors.js';
import type { Style } from '../output/style.js';

/**
 * Shared pieces of the software-distribution commands: turning the names people type into the
 * ids request bodies carry, tri-state flags, byte sizes and bar charts.
 */

/** Fetches one object by id or name; a 404 names the flag it came from. */
export async function lookup<T>(
  what: string,
  value: string,
  fetch: (v: string) => Promise<T>,
): Promise<T> {
  try {
    return await fetch(value);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404)
      throw new CliError(err.code, `${what} ${value}: ${err.message}`);
    throw err;
  }
}

/**
 * Awaits a request that carries names the site resolves itself (packages, DPs, DP groups,
 * boundary groups, collections take an id or a unique name). When it answers one of the codes in
 * `flags`, the error names the flag the value came from, as a lookup first would have, without
 * spending a request on that lookup. Only map codes no positional argument of the call can raise.
 */
export async function namingFlags<T>(
  call: Promise<T>,
  flags: Partial<Record<string, string>>,
): Promise<T> {
  try {
    return await call;
  } catch (err) {
    const flag = err instanceof ApiError ? flags[err.code] : undefined;
    if (err instanceof ApiError && flag !== undefined)
      throw new CliError(err.code, `${flag}: ${err.message}`);
    throw err;
  }
}

/**
 * Ids of the named things, resolved in parallel. Only for bodies whose ids the command needs
 * itself: where the site takes an id or a unique name (packages, DPs, DP groups, boundary
 * groups, collections), send what was typed instead.
 */
export function lookupIds(
  what: string,
  values: readonly string[],
  fetch: (v: string) => Promise<{ id: string }>,
): Promise<string[]> {
  return Promise.all(values.map(async (v) => (await lookup(what, v, fetch)).id));
}

/**
 * The site finds programs and deployments by id; a name is also accepted here when exactly one
 * has it (`PACKAGE/PROGRAM` tells programs of different packages apart).
 */
export async function findProgram(
  client: ApiClient,
  what: string,
  value: string,
): Promise<Program> {
  return byIdThenName(
    what,
    value,
    'program',
    () => client.getProgram(value),
    async () =>
      (await client.listPrograms()).filter(
        (p) => p.name === value || `${p.packageName}/${p.name}` === value,
      ),
  );
}

export async function findDeployment(
  client: ApiClient,
  what: string,
  value: string,
): Promise<Deployment> {
  return byIdThenName(
    what,
    value,
    'deployment',
    () => client.getDeployment(value),
    async () => (await client.listDeployments()).filter((d) => d.name === value),
  );
}

export async function byIdThenName<T extends { id: string }>(
  what: string,
  value: string,
  noun: string,
  byId: () => Promise<T>,
  byName: () => Promise<T[]>,
): Promise<T> {
  try {
    return await byId();
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 404)) throw err;
    const found = await byName();
    const [only] = found;
    if (found.length === 1 && only !== undefined) return only;
    if (found.length > 1)
      throw new CliError(
        'AMBIGUOUS',
        `${what} ${value}: ${found.length} ${noun}s have that name; use an id (${found.map((f) => f.id).join(', ')})`,
      );
    throw new CliError(err.code, `${what} ${value}: ${err.message}`);
  }
}

/**
 * A flag that can be turned on, off, or left alone (update keeps what is there): `--x` and
 * `--no-x` both declared, so commander leaves the value undefined when neither is given.
 */
export function onOff(cmd: Command, name: string): boolean | undefined {
  const v: unknown = cmd.opts()[name];
  return typeof v === 'boolean' ? v : undefined;
}

/** A value option that may also be cleared with its `--no-` form: string, null (cleared) or undefined. */
export function valueOrCleared(cmd: Command, name: string): string | null | undefined {
  const v: unknown = cmd.opts()[name];
  if (v === false) return null;
  if (typeof v === 'string') return v;
  return undefined;
}

/** Prints `{ deleted: ... }` with --json, a sentence otherwise. */
export function printDeleted(ctx: Ctx, json: boolean, what: string, name: string): void {
  if (json) ctx.out.json({ deleted: true, [what.toLowerCase().replace(/ /g, '')]: name });
  else ctx.out.line(`${what} ${name} deleted.`);
}

export function requireSome(values: Record<string, unknown>): void {
  if (Object.values(values).every((v) => v === undefined))
    throw usageError('nothing to change: give at least one flag (see --help)');
}

const BYTE_UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

/** 1536 -> "1.5 KB" (binary multiples, short labels). */
export function formatBytes(bytes: number): string {
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < BYTE_UNITS.length - 1) {
    v /= 1024;
    i += 1;
  }
  const n = i === 0 ? String(Math.round(v)) : v < 10 ? v.toFixed(1) : String(Math.round(v));
  return `${n} ${BYTE_UNITS[i] ?? ''}`;
}

/** A horizontal bar of `width` cells, filled to part/whole. */
export function bar(part: number, whole: number, width: number): string {
  const filled = whole <= 0 ? 0 : Math.round((Math.min(part, whole) / whole) * width);
  return '█'.repeat(filled) + '░'.repeat(width - filled);
}

export function percentText(value: number): string {
  return `${Math.round(value)}%`;
}

/** Colours a state word: good green, bad red, waiting yellow, the rest plain. */
export function paintState(state: string, style: Style): string {
  switch (state) {
    case 'installed':
    case 'succeeded':
    case 'completed':
    case 'online':
      return style.green(state);
    case 'failed':
    case 'validation-failed':
    case 'halted':
    case 'offline':
      return style.red(state);
    case 'waiting-content':
    case 'waiting-window':
    case 'reboot-pending':
    case 'distributing':
    case 'pending':
    case 'soaking':
      return style.yellow(state);
    default:
      return state;
  }
}

export function yesNo(v: boolean): string {
  return v ? 'yes' : 'no';
}

/** Names for ids, from a listing (ids without a name are shown as they are). */
export function namesOf(
  ids: readonly string[],
  all: readonly { id: string; name: string }[],
): string {
  if (ids.length === 0) return '-';
  const names = new Map(all.map((x) => [x.id, x.name]));
  return ids.map((id) => names.get(id) ?? id).join(', ');
}

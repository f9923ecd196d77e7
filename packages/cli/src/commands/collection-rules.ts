import { ApiError, type ApiClient, type Collection, type CollectionRule } from '@steward/protocol';
import type { Command } from 'commander';
import { collect } from '../context.js';
import { CliError } from '../errors.js';
import type { Opts } from '../options.js';

/** The flags that make up a collection's rules (create, update, preview). */
export function ruleFlags(cmd: Command): Command {
  return cmd
    .option('--query <text>', 'a query rule (repeatable)', collect)
    .option(
      '--include <collection>',
      'include the members of another collection (repeatable)',
      collect,
    )
    .option(
      '--exclude <collection>',
      'exclude the members of another collection (repeatable)',
      collect,
    )
    .option('--device <name-or-id>', 'add a device directly (repeatable)', collect)
    .option('--limit-to <collection>', 'limiting collection: members must also be in it');
}

export function hasRuleFlags(opts: Opts): boolean {
  return ['query', 'include', 'exclude', 'device'].some((k) => opts.strings(k).length > 0);
}

async function resolveId(
  what: string,
  value: string,
  fetch: (v: string) => Promise<{ id: string }>,
): Promise<string> {
  try {
    return (await fetch(value)).id;
  } catch (err) {
    if (err instanceof ApiError && err.status === 404)
      throw new CliError(err.code, `${what} ${value}: ${err.message}`);
    throw err;
  }
}

export function resolveCollectionId(
  client: ApiClient,
  flagName: string,
  value: string,
): Promise<string> {
  return resolveId(flagName, value, (v) => client.getCollection(v));
}

/**
 * Builds the rules from the flags, resolving collection and device names to ids. Rule order:
 * queries, direct devices, includes, excludes (membership does not depend on it).
 */
export async function buildRules(client: ApiClient, opts: Opts): Promise<CollectionRule[]> {
  const queries = opts.strings('query').map((query): CollectionRule => ({ kind: 'query', query }));
  const [devices, includes, excludes] = await Promise.all([
    Promise.all(
      opts.strings('device').map((d) => resolveId('--device', d, (v) => client.getDevice(v))),
    ),
    Promise.all(opts.strings('include').map((c) => resolveCollectionId(client, '--include', c))),
    Promise.all(opts.strings('exclude').map((c) => resolveCollectionId(client, '--exclude', c))),
  ]);
  return [
    ...queries,
    ...devices.map((deviceId): CollectionRule => ({ kind: 'direct', deviceId })),
    ...includes.map((collectionId): CollectionRule => ({ kind: 'include', collectionId })),
    ...excludes.map((collectionId): CollectionRule => ({ kind: 'exclude', collectionId })),
  ];
}

/** A rule as one line, with collection names where known. */
export function describeRule(
  rule: CollectionRule,
  collectionNames: ReadonlyMap<string, string>,
  deviceNames: ReadonlyMap<string, string>,
): string {
  switch (rule.kind) {
    case 'query':
      return `query${rule.name !== undefined ? ` "${rule.name}"` : ''}: ${rule.query}`;
    case 'direct':
      return `device: ${deviceNames.get(rule.deviceId) ?? rule.deviceId}`;
    case 'include':
      return `include: ${collectionNames.get(rule.collectionId) ?? rule.collectionId}`;
    case 'exclude':
      return `exclude: ${collectionNames.get(rule.collectionId) ?? rule.collectionId}`;
  }
}

export function collectionNameMap(collections: readonly Collection[]): Map<string, string> {
  return new Map(collections.map((c) => [c.id, c.name]));
}

import type { ApiClient } from '@steward/protocol';
import type { Command } from 'commander';
import { createClient, resolveConnection, type Connection } from './connection.js';
import { CliError } from './errors.js';
import type { CliIo } from './io.js';
import { Opts } from './options.js';
import { Printer } from './output/printer.js';

/** What every command receives. */
export interface Ctx {
  io: CliIo;
  out: Printer;
  connection(): Promise<Connection>;
  /** A client signed in to the current site; NOT_SIGNED_IN when there is no token. */
  client(): Promise<ApiClient>;
}

export function createContext(io: CliIo): Ctx {
  let connection: Promise<Connection> | undefined;
  const getConnection = (): Promise<Connection> => (connection ??= resolveConnection(io));
  return {
    io,
    out: new Printer(io),
    connection: getConnection,
    async client() {
      const c = await getConnection();
      if (c.token === undefined) {
        throw new CliError(
          'NOT_SIGNED_IN',
          `not signed in to ${c.server}: run "steward login --server ${c.server} --user <name>"`,
        );
      }
      return createClient(io, c.server, c.token);
    },
  };
}

/** The parsed command line handed to an action. */
export interface Invocation {
  opts: Opts;
  /** Positional argument `i` (a string). */
  arg: (i: number) => string;
  /** Optional positional argument `i`. */
  optionalArg: (i: number) => string | undefined;
  /** Variadic positional argument `i`. */
  argList: (i: number) => string[];
}

/** Attaches an async action that receives typed arguments rather than commander's untyped ones. */
export function action(cmd: Command, fn: (inv: Invocation) => Promise<void>): Command {
  return cmd.action(async () => {
    const processed: readonly unknown[] = cmd.processedArgs;
    const values: Record<string, unknown> = cmd.opts();
    const optionalArg = (i: number): string | undefined => {
      const v = processed[i];
      return typeof v === 'string' ? v : undefined;
    };
    await fn({
      opts: new Opts(values),
      optionalArg,
      arg(i) {
        const v = optionalArg(i);
        if (v === undefined) throw new CliError('USAGE', `missing argument ${i + 1}`, 2);
        return v;
      },
      argList(i) {
        const v = processed[i];
        if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
        return typeof v === 'string' ? [v] : [];
      },
    });
  });
}

/** Adds the `--json` flag every listing and show has. */
export function withJson(cmd: Command): Command {
  return cmd.option('--json', 'print the raw API object as JSON (stable, for scripts)');
}

/** Collects repeated option values into an array. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

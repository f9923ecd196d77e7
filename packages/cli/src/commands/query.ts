import { ApiError, type CollectionRule } from '@steward/protocol';
import type { Command } from 'commander';
import { action, withJson, type Ctx } from '../context.js';
import { CliError, usageError } from '../errors.js';
import { parseQueryErrorDetails, renderQueryCaret, lineAndColumn } from '../output/query-caret.js';
import type { Style } from '../output/style.js';
import { readStdin } from '../password.js';

export const QUERY_ERROR_CODES: ReadonlySet<string> = new Set(['QUERY_SYNTAX', 'QUERY_TYPE']);

/**
 * Turns a QUERY_SYNTAX/QUERY_TYPE answer into an error that shows the query with a caret under
 * the failing text. `source` is the query sent, or the rules of a collection (the site may name
 * the failing rule; with a single query rule there is no doubt which one it is).
 */
export function explainQueryError(
  err: unknown,
  source: string | readonly CollectionRule[],
  style: Style,
): unknown {
  if (!(err instanceof ApiError) || !QUERY_ERROR_CODES.has(err.code)) return err;
  const loc = parseQueryErrorDetails(err.details);
  if (loc === undefined) return err;
  let query = loc.query;
  if (query === undefined && typeof source === 'string') query = source;
  if (query === undefined && typeof source !== 'string') {
    const byIndex = loc.ruleIndex !== undefined ? source[loc.ruleIndex] : undefined;
    const queries = source.flatMap((r) => (r.kind === 'query' ? [r.query] : []));
    if (byIndex?.kind === 'query') query = byIndex.query;
    else if (queries.length === 1) query = queries[0];
  }
  if (query === undefined) return err;
  const { line, column } = lineAndColumn(query, loc.position);
  const where = query.includes('\n') ? ` (line ${line}, column ${column})` : ` (column ${column})`;
  return new CliError(err.code, `${err.message}${where}`, 1, renderQueryCaret(query, loc, style));
}

export function registerQueryCommands(program: Command, ctx: Ctx): void {
  const query = program.command('query').description('the collection query language');
  const validate = withJson(
    query
      .command('validate')
      .description('check a query; on an error show where it is ("-" reads the query from stdin)')
      .argument('<text>', 'the query, e.g. "os.family = \'debian\' and memory.totalMb >= 4096"'),
  );
  action(validate, async ({ opts, arg }) => {
    let text = arg(0);
    if (text === '-') text = (await readStdin(ctx.io.stdin)).replace(/\s+$/, '');
    if (text.trim() === '') throw usageError('the query is empty');
    const client = await ctx.client();
    let result: { ok: true };
    try {
      result = await client.validateQuery(text);
    } catch (err) {
      throw explainQueryError(err, text, ctx.out.errStyle);
    }
    if (opts.flag('json')) {
      ctx.out.json(result);
      return;
    }
    ctx.out.line('The query is valid.');
  });
}

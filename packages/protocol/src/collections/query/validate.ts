import type { InventoryClassShape } from '../../inventory/schemas.js';
import type { CheckedQuery, QueryFailure, QueryNode } from './ast.js';
import { checkQuery } from './checker.js';
import { parseQuery } from './parser.js';

export type ValidateResult =
  { ok: true; ast: QueryNode; query: CheckedQuery } | { ok: false; error: QueryFailure };

/**
 * Parses and type-checks a query in one step: what the console runs on every keystroke and the
 * server runs before it stores or evaluates a rule.
 */
export function validateQuery(
  text: string,
  catalog: readonly InventoryClassShape[],
): ValidateResult {
  const parsed = parseQuery(text);
  if (!parsed.ok) return parsed;
  const checked = checkQuery(parsed.ast, catalog);
  if (!checked.ok) return checked;
  return { ok: true, ast: parsed.ast, query: checked.query };
}

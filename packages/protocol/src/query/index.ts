export type {
  CheckedNode,
  CheckedQuery,
  CompareOp,
  Literal,
  LiteralValue,
  PropertyRef,
  PropertyScope,
  QueryFailure,
  QueryNode,
  ResolvedProperty,
  Span,
} from './ast.js';
export { tokenize, type Token, type TokenKind } from './lexer.js';
export { parseQuery, QUERY_KEYWORDS, type ParseResult } from './parser.js';
export { checkQuery, type CheckResult } from './checker.js';
export { validateQuery, type ValidateResult } from './validate.js';
export { DEVICE_CLASS, queryClasses, suggestName } from './catalog.js';
export { normaliseDatetime } from './literals.js';
export {
  completionsAt,
  listCompletions,
  CompletionItem,
  type CompletionsAt,
} from './completions.js';
export * from './api-schemas.js';

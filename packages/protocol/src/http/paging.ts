import { type TSchema, Type } from '@sinclair/typebox';

/**
 * Bounds for numbers that arrive from outside (query strings, bodies). An unbounded integer lets
 * `1e308`, or a 20-digit id, reach the database, where one dialect stores it as a float and the
 * other refuses it (bigint or integer overflow, a 500). Every numeric input has a finite maximum.
 */

/** The largest offset a list accepts: far beyond any page an administrator will read. */
export const MAX_OFFSET = 10_000_000;
/** The largest value of a 32-bit `integer` column (revisions, counts stored as integer). */
export const MAX_INT32 = 2_147_483_647;
/** Sizes in bytes: exact as JavaScript numbers, and within every dialect's bigint. */
export const MAX_BYTES = Number.MAX_SAFE_INTEGER;
/** Status message ids are five digits at most (the catalog's ranges). */
export const MAX_MESSAGE_ID = 99_999;
/** Client-setting intervals: a month at most (the agent clamps its timers anyway). */
export const MAX_INTERVAL_SECONDS = 31 * 24 * 3600;

/** A week in minutes: the longest collection evaluation interval and neighbour fallback delay. */
export const WEEK_MINUTES = 7 * 24 * 60;

/** Rows to skip in a paged list. */
export const Offset = Type.Integer({ minimum: 0, maximum: MAX_OFFSET });

/** `offset` (default 0) and `limit` (1..maxLimit) of a paged list's query string. */
export function pagingFields(opts: { maxLimit?: number; defaultLimit?: number } = {}) {
  return {
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_OFFSET, default: 0 })),
    limit: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: opts.maxLimit ?? 1000,
        default: opts.defaultLimit ?? 50,
      }),
    ),
  };
}

/**
 * A row id to page backwards (`before`) or tail (`after`) from: digits only, at most 15 of them,
 * so it is an exact JavaScript number and fits every dialect's bigint.
 */
export const RowCursor = Type.String({ minLength: 1, maxLength: 15, pattern: '^[0-9]+$' });

export const Page = <T extends TSchema>(item: T) =>
  Type.Object({ items: Type.Array(item), total: Type.Integer() });

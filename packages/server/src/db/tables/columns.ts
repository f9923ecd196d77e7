import type { ColumnType } from 'kysely';

/*
 * Column conventions shared by every table. Times are ISO-8601 UTC text in both dialects
 * (sortable, no driver differences); booleans are 0/1 integers; JSON is text on SQLite and jsonb
 * on PostgreSQL, so readers go through `parseJsonColumn`.
 */
export type Json = ColumnType<unknown, string, string>;
export type AutoId = ColumnType<string | number, never, never>;
/** bigint columns: pg returns strings for int8, so readers wrap them in Number(). */
export type Big = ColumnType<number | string, number, number>;

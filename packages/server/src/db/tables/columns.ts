import type { ColumnType } from 'kysely';

/*
 * The runtime description of every table: one object per domain module, column by column. The
 * Kysely row types are derived from it (`TableOf`), readers validate rows against it
 * (`row-check.ts`), and `tables.int.test.ts` compares it with the migrated database on SQLite and
 * PostgreSQL, so the types cannot drift from the schema the migrations build (ADR 0011).
 *
 * Conventions: times are ISO-8601 UTC text in both dialects (sortable, no driver differences);
 * booleans are 0/1 integers; JSON is text on SQLite and jsonb on PostgreSQL; bigint (int8) comes
 * back from pg as a string, so its select type says so and readers wrap it in Number().
 */

/** The basic SQL type of a column, as both dialects store it (see `tables.int.test.ts`). */
export type SqlType = 'text' | 'integer' | 'bigint' | 'real' | 'json' | 'auto-id';

export interface Column<S, I = S, U = I> {
  readonly sql: SqlType;
  readonly nullable: boolean;
  /** The column has a default in the database, so an insert may leave it out. */
  readonly defaulted: boolean;
  /** The only values an enumerated text column may hold; a reader rejects any other. */
  readonly values?: readonly string[];
  /** Type-level only: the Kysely column type (select, insert, update). */
  readonly kysely?: ColumnType<S, I, U>;
}

type AnyColumn = Column<unknown, unknown, unknown>;
export type TableDescription = Readonly<Record<string, AnyColumn>>;

/** The Kysely row type of a described table. */
export type TableOf<T extends TableDescription> = {
  -readonly [K in keyof T]: NonNullable<T[K]['kysely']>;
};

const column = <S, I = S, U = I>(sql: SqlType): Column<S, I, U> => ({
  sql,
  nullable: false,
  defaulted: false,
});

export const text = (): Column<string> => column('text');
export const integer = (): Column<number> => column('integer');
/** double precision. */
export const real = (): Column<number> => column('real');
/** int8: a string from pg, a number from SQLite. */
export const bigint = (): Column<number | string, number> => column('bigint');
/** jsonb on PostgreSQL, text on SQLite: parsed (and checked) by `parseJsonColumn`. */
export const json = (): Column<unknown, string> => column('json');
/** bigserial / integer autoincrement primary key: the database assigns it. */
export const autoId = (): Column<string | number, never, never> => column('auto-id');

/**
 * A text column holding one of a protocol union's literals (or its one literal): the one list
 * of values is the protocol's, and a row holding anything else is corrupt.
 */
export function oneOf<const V extends string>(
  union: { readonly anyOf: readonly { readonly const: V }[] } | { readonly const: V },
): Column<V> {
  // TypeBox makes a union of one literal that literal itself.
  const values = 'anyOf' in union ? union.anyOf.map((l) => l.const) : [union.const];
  return { ...column<V>('text'), values };
}

export function nullable<S, I, U>(c: Column<S, I, U>): Column<S | null, I | null, U | null> {
  return { ...c, nullable: true };
}

/** The database fills the column when an insert leaves it out. */
export function defaulted<S, I, U>(c: Column<S, I, U>): Column<S, I | undefined, U> {
  return { ...c, defaulted: true };
}

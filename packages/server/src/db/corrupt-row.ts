import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { tables, type Database } from './tables/index.js';

/** Which stored value a reader was reading: named in the error and the log. */
export interface RowRef {
  table: keyof Database;
  id: string;
  column: string;
}

/**
 * A stored row that does not match its table description or its JSON schema (a hand edit, a
 * failed restore, a bug in a writer). An internal fault (500, logged): Steward never turns it
 * into a different object, since a coerced deployment or program would run something nobody
 * configured, as root (ADR 0011).
 */
export class CorruptRowError extends Error {
  override readonly name = 'CorruptRowError';
  readonly table: keyof Database;
  readonly id: string;
  readonly column: string;

  constructor(where: RowRef, problem: string) {
    super(`corrupt row in ${where.table} (id ${where.id}), column ${where.column}: ${problem}`);
    this.table = where.table;
    this.id = where.id;
    this.column = where.column;
  }
}

// Compiled once per schema: readers sit on the check-in path (inventory, policy).
const checkers = new WeakMap<TSchema, TypeCheck<TSchema>>();
function checkerOf<T extends TSchema>(schema: T): TypeCheck<T> {
  const known = checkers.get(schema);
  // eslint-disable-next-line @typescript-eslint/consistent-type-assertions -- the map is keyed by the schema itself, so the checker found is the one compiled from `schema`
  if (known) return known as TypeCheck<T>;
  const made = TypeCompiler.Compile(schema);
  checkers.set(schema, made);
  return made;
}

/**
 * A JSON column, parsed (text on SQLite, already parsed jsonb from pg) and checked against its
 * schema; anything else raises CorruptRowError.
 */
export function parseJsonColumn<T extends TSchema>(
  schema: T,
  value: unknown,
  where: RowRef,
): Static<T> {
  let parsed: unknown = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      throw new CorruptRowError(where, 'not valid JSON');
    }
  }
  const checker = checkerOf(schema);
  if (!checker.Check(parsed)) {
    const first = checker.Errors(parsed).First();
    throw new CorruptRowError(
      where,
      `does not match its schema${first ? ` (at ${first.path || '/'}: ${first.message})` : ''}`,
    );
  }
  return parsed;
}

/**
 * Checks the enumerated columns of a row read from `table` (the columns named as in the table;
 * joined columns under other names are the other table's to check) and returns it unchanged.
 */
export function checkRow<R extends object>(table: keyof Database, id: string, row: R): R {
  const description = tables[table];
  for (const [column, value] of Object.entries(row)) {
    const described = description[column];
    const values = described?.values;
    if (!values || (value === null && described.nullable)) continue;
    if (typeof value !== 'string' || !values.includes(value)) {
      throw new CorruptRowError(
        { table, id, column },
        `${JSON.stringify(value)} is not one of ${values.join(', ')}`,
      );
    }
  }
  return row;
}

// Any JSON object: the settings' own schema is checked after defaults fill what it lacks.
const StoredObject = Type.Object({});

/**
 * A settings object stored as JSON in `site_setting`: defaults fill fields added since it was
 * written, and a stored value that then does not match the settings' schema is corrupt (not
 * replaced by the defaults, which would silently undo the administrator's settings).
 */
export function storedSettings<T extends TSchema>(
  schema: T,
  defaults: Static<T>,
  text: string,
  key: string,
): Static<T> {
  const where: RowRef = { table: 'site_setting', id: key, column: 'value' };
  const merged: unknown = Object.assign({}, defaults, parseJsonColumn(StoredObject, text, where));
  const checker = checkerOf(schema);
  if (checker.Check(merged)) return merged;
  const first = checker.Errors(merged).First();
  throw new CorruptRowError(
    where,
    `not valid settings (${first?.path ?? ''}: ${first?.message ?? ''})`,
  );
}

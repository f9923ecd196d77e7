import type { Selectable, Updateable } from 'kysely';
import type { SettingValue, SettingValues, SettingsDeclaration } from '@steward/protocol';

/**
 * Where each field of a request lands in a table (ADR 0016). The mapping type asks for every
 * key of the request (`-?`), so a field added to a schema is a compile error here until it has
 * its column, instead of a PATCH that accepts the field and silently ignores it.
 */
export type ColumnWriters<Input extends object, Row> = {
  [K in keyof Input]-?: (value: Exclude<Input[K], undefined>) => Updateable<Row>;
};

/** A declared setting's columns: written on create and PATCH, read back into the answer. */
export interface SettingColumn<V, Row> {
  write: (value: V) => Updateable<Row>;
  read: (row: Selectable<Row>) => V;
}

/** One entry per declared field (a missing one is a compile error). */
export type SettingColumns<D extends SettingsDeclaration, Row> = {
  [K in keyof D]: SettingColumn<SettingValue<D[K]>, Row>;
};

/**
 * The column changes of a partial input: every field of the mapping that the input carries.
 * It walks the mapping, not the input, so nothing unmapped can reach the table.
 */
export function columnChanges<Input extends object, Row>(
  writers: ColumnWriters<Input, Row>,
  input: Partial<Input>,
): Updateable<Row> {
  let set: Updateable<Row> = {};
  // eslint-disable-next-line @typescript-eslint/consistent-type-assertions -- a declaration's own keys mapped to values parsed or produced per field (settings plumbing, ADR 0016), not outside data
  for (const key of Object.keys(writers) as (keyof Input)[]) {
    const value = input[key];
    if (value !== undefined)
      // eslint-disable-next-line @typescript-eslint/consistent-type-assertions -- a declaration's own keys mapped to values parsed or produced per field (settings plumbing, ADR 0016), not outside data
      set = { ...set, ...writers[key](value as Exclude<Input[typeof key], undefined>) };
  }
  return set;
}

/** The writers of a declaration's columns (to spread into a request's `ColumnWriters`). */
export function settingWriters<D extends SettingsDeclaration, Row>(
  columns: SettingColumns<D, Row>,
): { [K in keyof D]: (value: SettingValue<D[K]>) => Updateable<Row> } {
  const out: Partial<Record<keyof D, (value: never) => Updateable<Row>>> = {};
  // eslint-disable-next-line @typescript-eslint/consistent-type-assertions -- a declaration's own keys mapped to values parsed or produced per field (settings plumbing, ADR 0016), not outside data
  for (const key of Object.keys(columns) as (keyof D)[]) out[key] = columns[key].write;
  // eslint-disable-next-line @typescript-eslint/consistent-type-assertions -- a declaration's own keys mapped to values parsed or produced per field (settings plumbing, ADR 0016), not outside data
  return out as { [K in keyof D]: (value: SettingValue<D[K]>) => Updateable<Row> };
}

/** Every declared setting read back from a row. */
export function settingsOfRow<D extends SettingsDeclaration, Row>(
  columns: SettingColumns<D, Row>,
  row: Selectable<Row>,
): SettingValues<D> {
  const out: Partial<Record<keyof D, unknown>> = {};
  // eslint-disable-next-line @typescript-eslint/consistent-type-assertions -- a declaration's own keys mapped to values parsed or produced per field (settings plumbing, ADR 0016), not outside data
  for (const key of Object.keys(columns) as (keyof D)[]) out[key] = columns[key].read(row);
  // eslint-disable-next-line @typescript-eslint/consistent-type-assertions -- a declaration's own keys mapped to values parsed or produced per field (settings plumbing, ADR 0016), not outside data
  return out as SettingValues<D>;
}

/** The columns of a complete set of values (an insert, after defaults are filled in). */
export function settingsColumns<D extends SettingsDeclaration, Row>(
  columns: SettingColumns<D, Row>,
  values: SettingValues<D>,
): Updateable<Row> {
  let set: Updateable<Row> = {};
  // eslint-disable-next-line @typescript-eslint/consistent-type-assertions -- a declaration's own keys mapped to values parsed or produced per field (settings plumbing, ADR 0016), not outside data
  for (const key of Object.keys(columns) as (keyof D)[])
    set = { ...set, ...columns[key].write(values[key]) };
  return set;
}

import {
  Type,
  type Static,
  type TBoolean,
  type TInteger,
  type TOptional,
  type TSchema,
  type TString,
  type TUnion,
  type TLiteral,
} from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

/**
 * Settings declared once (issue 8, item 2; ADR 0016). A settings object is a record of fields;
 * each field carries its TypeBox schema (with its limits), its default, and what the CLI and the
 * console need to offer it: a label, help text, how it renders, and its CLI flag. The server
 * validates with the schema, fills defaults from it and maps every field to columns (a field
 * without a column mapping is a compile error); the CLI generates its flags and parses their
 * values from it; the console renders its forms from it. Adding a field to a declaration makes
 * it appear in every form and every command that shows that declaration.
 */

/** How the CLI offers a field: a value flag (`--rerun <value>`) or an on/off pair. */
export type SettingFlag<V> =
  | {
      kind: 'value';
      /** Kebab-case name without dashes: `max-postpone-minutes`. */
      name: string;
      /** The placeholder shown in help: `<minutes>`. */
      placeholder: string;
      /** A number of minutes that may also be typed as `90m` or `2h` (a window's length). */
      hoursAllowed?: boolean;
    }
  | {
      /** `--name` sets `on`, `--no-name` sets `off` (both forms, so an update can leave it alone). */
      kind: 'switch';
      name: string;
      /**
       * The off form's own name (`--utc` rather than `--no-local-time`) where that reads better;
       * giving both forms is a usage error.
       */
      offName?: string;
      on: V;
      off: V;
      /** Help of the `--name` form. */
      onHelp: string;
      /** Help of the `--no-name` form. */
      offHelp: string;
    };

interface FieldBase<S extends TSchema> {
  schema: S;
  default: Static<S>;
  label: string;
  /** The label where a value is shown rather than edited (detail pages, `show`); `label` if unset. */
  shortLabel?: string;
  /** One line: what the setting does (form description, CLI help). */
  help: string;
  /**
   * The CLI flag, or null when a dedicated command owns the field (say why at the
   * declaration).
   */
  flag: SettingFlag<Static<S>> | null;
  /**
   * A named condition (e.g. 'required') the form checks before showing the field, and the
   * value sent while it does not hold (the setting has no effect then).
   */
  onlyWhen?: { condition: string; otherwise: Static<S> };
}

export interface BooleanSetting extends FieldBase<TBoolean> {
  render: 'boolean';
}
export interface IntegerSetting extends FieldBase<TInteger> {
  render: 'number';
  /** Shown after the value: 'minutes', '%'. */
  unit: string;
}
/** The units a duration is shown and typed in; the value itself is always whole seconds. */
export const DURATION_UNITS = {
  seconds: { seconds: 1, short: 's' },
  minutes: { seconds: 60, short: 'min' },
  hours: { seconds: 3600, short: 'h' },
} as const;
export type DurationUnit = keyof typeof DURATION_UNITS;

/**
 * A length of time stored in seconds (what the agent and the site use) and shown in the unit a
 * person thinks in: policy polling in minutes, inventory in hours.
 */
export interface DurationSetting extends FieldBase<TInteger> {
  render: 'duration';
  unit: DurationUnit;
}
export interface ChoiceSetting<V extends string = string> extends FieldBase<TUnion<TLiteral<V>[]>> {
  /** 'select' for a drop-down, 'radio' for a few choices spelled out. */
  render: 'select' | 'radio';
  choices: readonly { value: V; label: string }[];
}

/** A short free text with its bounds (a command line): the schema carries maxLength and pattern. */
export interface TextSetting extends FieldBase<TString> {
  render: 'text';
  /** What the pattern asks for, in words (form and CLI errors). */
  rule: string;
}

export type SettingField =
  BooleanSetting | IntegerSetting | DurationSetting | ChoiceSetting | TextSetting;
export type SettingsDeclaration = Record<string, SettingField>;

/** The value type of a declared field. */
export type SettingValue<F extends SettingField> = Static<F['schema']>;
/** Every field of a declaration, each with its value (what defaults fill in). */
export type SettingValues<D extends SettingsDeclaration> = {
  -readonly [K in keyof D]: SettingValue<D[K]>;
};

/** A boolean setting. */
export function booleanSetting(f: Omit<BooleanSetting, 'schema' | 'render'>): BooleanSetting {
  return { ...f, schema: Type.Boolean(), render: 'boolean' };
}

/** An integer setting with its limits. */
export function integerSetting(
  f: Omit<IntegerSetting, 'schema' | 'render'> & { minimum: number; maximum: number },
): IntegerSetting {
  const { minimum, maximum, ...rest } = f;
  return { ...rest, schema: Type.Integer({ minimum, maximum }), render: 'number' };
}

/** A duration in seconds with its limits (in seconds) and the unit it is shown in. */
export function durationSetting(
  f: Omit<DurationSetting, 'schema' | 'render'> & { minimum: number; maximum: number },
): DurationSetting {
  const { minimum, maximum, ...rest } = f;
  return { ...rest, schema: Type.Integer({ minimum, maximum }), render: 'duration' };
}

/** One of a few string values; the schema is the union of the choices. */
export function choiceSetting<V extends string>(
  f: Omit<ChoiceSetting<V>, 'schema'>,
): ChoiceSetting<V> {
  return { ...f, schema: Type.Union(f.choices.map((c) => Type.Literal(c.value))) };
}

/** A bounded text setting: at most `maxLength` characters matching `pattern` (described by `rule`). */
export function textSetting(
  f: Omit<TextSetting, 'schema' | 'render'> & { maxLength: number; pattern: string },
): TextSetting {
  const { maxLength, pattern, ...rest } = f;
  return { ...rest, schema: Type.String({ minLength: 1, maxLength, pattern }), render: 'text' };
}

/** The request properties of a declaration: every field optional (the site fills defaults). */
export function settingsProperties<D extends SettingsDeclaration>(
  d: D,
): { [K in keyof D]: TOptional<D[K]['schema']> } {
  const out: Record<string, TOptional<TSchema>> = {};
  for (const [key, field] of Object.entries(d)) out[key] = Type.Optional(field.schema);
  // The loop builds exactly the mapped type above; TypeScript cannot follow Object.entries.
  // eslint-disable-next-line @typescript-eslint/consistent-type-assertions -- a declaration's own keys mapped to values parsed or produced per field (settings plumbing, ADR 0016), not outside data
  return out as { [K in keyof D]: TOptional<D[K]['schema']> };
}

/** The answer properties of a declaration: every field present (as stored, defaults applied). */
export function settingsValueProperties<D extends SettingsDeclaration>(
  d: D,
): { [K in keyof D]: D[K]['schema'] } {
  const out: Record<string, TSchema> = {};
  for (const [key, field] of Object.entries(d)) out[key] = field.schema;
  // eslint-disable-next-line @typescript-eslint/consistent-type-assertions -- a declaration's own keys mapped to values parsed or produced per field (settings plumbing, ADR 0016), not outside data
  return out as { [K in keyof D]: D[K]['schema'] };
}

/** The declared defaults. */
export function settingsDefaults<D extends SettingsDeclaration>(d: D): SettingValues<D> {
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(d)) out[key] = field.default;
  // eslint-disable-next-line @typescript-eslint/consistent-type-assertions -- a declaration's own keys mapped to values parsed or produced per field (settings plumbing, ADR 0016), not outside data
  return out as SettingValues<D>;
}

/** A partial input with every missing field set to its declared default. */
export function withSettingDefaults<D extends SettingsDeclaration>(
  d: D,
  given: Partial<SettingValues<D>>,
): SettingValues<D> {
  const out = settingsDefaults(d);
  // eslint-disable-next-line @typescript-eslint/consistent-type-assertions -- a declaration's own keys mapped to values parsed or produced per field (settings plumbing, ADR 0016), not outside data
  for (const key of Object.keys(d) as (keyof D)[]) {
    const v = given[key];
    if (v !== undefined) out[key] = v;
  }
  return out;
}

/** The fields of a declaration in declaration order, with their keys. */
export function settingEntries<D extends SettingsDeclaration>(
  d: D,
): { key: keyof D & string; field: SettingField }[] {
  return Object.entries(d).map(([key, field]) => ({ key, field }));
}

/** The limits of an integer setting (the form's min/max, the CLI's range check). */
export function integerLimits(f: IntegerSetting | DurationSetting): { min: number; max: number } {
  return { min: f.schema.minimum ?? 0, max: f.schema.maximum ?? Number.MAX_SAFE_INTEGER };
}

/** The label of a shown (not edited) value. */
export function shownLabel(field: SettingField): string {
  return field.shortLabel ?? field.label;
}

/** A value as a person reads it: Yes/No, the choice's label, or the number with its unit. */
export function describeSetting(field: SettingField, value: unknown): string {
  switch (field.render) {
    case 'boolean':
      return value === true ? 'Yes' : 'No';
    case 'number':
      return `${String(value)} ${field.unit}`;
    case 'duration':
      return typeof value === 'number' ? describeSeconds(value) : String(value);
    case 'select':
    case 'radio':
      return field.choices.find((c) => c.value === value)?.label ?? String(value);
    case 'text':
      return String(value);
  }
}

/** Seconds as a person reads them: "1 day", "6 hours", "15 minutes", "90 seconds". */
export function describeSeconds(seconds: number): string {
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (seconds > 0 && seconds % 86400 === 0) return plural(seconds / 86400, 'day');
  if (seconds > 0 && seconds % 3600 === 0) return plural(seconds / 3600, 'hour');
  if (seconds > 0 && seconds % 60 === 0) return plural(seconds / 60, 'minute');
  return plural(seconds, 'second');
}

/**
 * The values to send: each field whose `onlyWhen` condition does not hold takes its
 * `otherwise` value (a pre-download setting of an available deployment is sent off).
 */
export function effectiveSettings<D extends SettingsDeclaration>(
  d: D,
  values: SettingValues<D>,
  conditions: Readonly<Record<string, boolean>>,
): SettingValues<D> {
  const out = { ...values };
  // eslint-disable-next-line @typescript-eslint/consistent-type-assertions -- a declaration's own keys mapped to values parsed or produced per field (settings plumbing, ADR 0016), not outside data
  for (const key of Object.keys(d) as (keyof D)[]) {
    const when = d[key]?.onlyWhen;
    if (when !== undefined && conditions[when.condition] !== true) out[key] = when.otherwise;
  }
  return out;
}

/** One value per declared field, computed from its key and declaration. */
export function mapSettings<D extends SettingsDeclaration, T>(
  d: D,
  fn: (key: keyof D & string, field: SettingField) => T,
): { [K in keyof D]: T } {
  const out: Record<string, T> = {};
  for (const [key, field] of Object.entries(d)) out[key] = fn(key, field);
  // eslint-disable-next-line @typescript-eslint/consistent-type-assertions -- a declaration's own keys mapped to values parsed or produced per field (settings plumbing, ADR 0016), not outside data
  return out as { [K in keyof D]: T };
}

/** The declared fields of a larger object (a form holding other fields too). */
export function pickSettings<D extends SettingsDeclaration>(
  d: D,
  from: SettingValues<D>,
): SettingValues<D> {
  const out: Partial<SettingValues<D>> = {};
  // eslint-disable-next-line @typescript-eslint/consistent-type-assertions -- a declaration's own keys mapped to values parsed or produced per field (settings plumbing, ADR 0016), not outside data
  for (const key of Object.keys(d) as (keyof D)[]) out[key] = from[key];
  // eslint-disable-next-line @typescript-eslint/consistent-type-assertions -- a declaration's own keys mapped to values parsed or produced per field (settings plumbing, ADR 0016), not outside data
  return out as SettingValues<D>;
}

/**
 * The declared fields a PATCH body sets, and only those (a field it leaves out stays as it is):
 * read from the declaration, so a newly declared setting reaches PATCH with no other change.
 */
export function patchedSettings<D extends SettingsDeclaration>(
  d: D,
  patch: Partial<SettingValues<D>>,
): Partial<SettingValues<D>> {
  const out: Partial<SettingValues<D>> = {};
  // eslint-disable-next-line @typescript-eslint/consistent-type-assertions -- a declaration's own keys mapped to values parsed or produced per field (settings plumbing, ADR 0016), not outside data
  for (const key of Object.keys(d) as (keyof D)[])
    if (patch[key] !== undefined) out[key] = patch[key];
  return out;
}

/** What a form can say before asking the site: each field whose value its schema refuses. */
export function settingErrors<D extends SettingsDeclaration>(
  d: D,
  values: SettingValues<D>,
): Partial<Record<keyof D & string, string>> {
  const out: Partial<Record<keyof D & string, string>> = {};
  for (const { key, field } of settingEntries(d)) {
    if (Value.Check(field.schema, values[key])) continue;
    if (field.render === 'number') {
      const { min, max } = integerLimits(field);
      out[key] = `A whole number from ${min} to ${max} ${field.unit}`;
    } else if (field.render === 'duration') {
      const { min, max } = integerLimits(field);
      out[key] = `From ${describeSeconds(min)} to ${describeSeconds(max)}`;
    } else if (field.render === 'text') {
      out[key] = `${field.rule}, at most ${field.schema.maxLength ?? 0} characters`;
    } else out[key] = `Choose one of the offered values`;
  }
  return out;
}

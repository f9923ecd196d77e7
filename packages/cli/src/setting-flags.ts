import {
  describeSeconds,
  integerLimits,
  settingEntries,
  type SettingField,
  type SettingValues,
  type SettingsDeclaration,
} from '@steward/protocol';
import type { Command } from 'commander';
import { usageError } from './errors.js';
import { parseChoice, parseInteger, parseMinutes, parseSeconds } from './options.js';

/**
 * Commander options generated from a protocol settings declaration (ADR 0016): the flag names,
 * help text, limits and defaults are the declaration's, so a new setting gets its flag, and its
 * value is checked against the schema's limits, without a line here.
 */

/** `max-postpone-minutes` -> `maxPostponeMinutes` (commander's attribute name). */
function attribute(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

function shown(v: unknown): string {
  return typeof v === 'boolean' ? (v ? 'on' : 'off') : String(v);
}

/** The help of a value flag: what it does, its range or choices, and its default. */
function valueHelp(field: SettingField): string {
  switch (field.render) {
    case 'number': {
      const { min, max } = integerLimits(field);
      const typed =
        field.flag?.kind === 'value' && field.flag.hoursAllowed === true ? '; 90m or 2h' : '';
      return `${field.help} (${min}-${max} ${field.unit}${typed}, default ${field.default})`;
    }
    case 'duration': {
      const { min, max } = integerLimits(field);
      return (
        `${field.help} (${describeSeconds(min)} to ${describeSeconds(max)}, ` +
        `default ${describeSeconds(field.default)}; seconds, or 15m, 1h, 1d)`
      );
    }
    case 'select':
    case 'radio':
      return `${field.help}: ${field.choices.map((c) => c.value).join(', ')} (default ${field.default})`;
    case 'boolean':
      return `${field.help} (default ${shown(field.default)})`;
    case 'text':
      return `${field.help} (${field.rule}; default "${field.default}")`;
  }
}

/** Adds a flag (or an on/off pair) for every field of the declaration that has one. */
export function addSettingFlags(cmd: Command, d: SettingsDeclaration): Command {
  for (const { field } of settingEntries(d)) {
    const flag = field.flag;
    if (flag === null) continue;
    if (flag.kind === 'value') {
      cmd.option(`--${flag.name} ${flag.placeholder}`, valueHelp(field));
      continue;
    }
    const isDefault = (v: unknown) => (v === field.default ? ' (the default)' : '');
    cmd.option(`--${flag.name}`, `${flag.onHelp}${isDefault(flag.on)}`);
    cmd.option(`--${flag.offName ?? `no-${flag.name}`}`, `${flag.offHelp}${isDefault(flag.off)}`);
  }
  return cmd;
}

/**
 * What commander holds for one field: the value, or for a switch whose off form has its own
 * name (`--local-time` / `--utc`), true or false from whichever form was given.
 */
function rawValue(field: SettingField, bag: Record<string, unknown>): unknown {
  const flag = field.flag;
  if (flag === null) return undefined;
  if (flag.kind !== 'switch' || flag.offName === undefined) return bag[attribute(flag.name)];
  const on = bag[attribute(flag.name)] === true;
  const off = bag[attribute(flag.offName)] === true;
  if (on && off) throw usageError(`--${flag.name} and --${flag.offName} exclude each other`);
  return on ? true : off ? false : undefined;
}

/** The value one field's flag gave, parsed and checked against the schema's limits. */
function readField(field: SettingField, raw: unknown): unknown {
  const flag = field.flag;
  if (flag === null || raw === undefined) return undefined;
  if (flag.kind === 'switch') {
    if (typeof raw !== 'boolean') throw usageError(`--${flag.name} takes no value`);
    return raw ? flag.on : flag.off;
  }
  if (typeof raw !== 'string') throw usageError(`--${flag.name} takes a value`);
  switch (field.render) {
    case 'number':
      return flag.hoursAllowed === true
        ? parseMinutes(raw, `--${flag.name}`, integerLimits(field))
        : parseInteger(raw, `--${flag.name}`, integerLimits(field));
    case 'duration':
      return parseSeconds(raw, `--${flag.name}`, integerLimits(field));
    case 'select':
    case 'radio':
      return parseChoice(
        raw,
        `--${flag.name}`,
        field.choices.map((c) => c.value),
      );
    case 'boolean':
      throw usageError(`--${flag.name} is an on/off flag`);
    case 'text':
      return parseText(field, raw, `--${flag.name}`);
  }
}

/** A text flag's value, checked against the declared length and pattern. */
function parseText(field: SettingField & { render: 'text' }, raw: string, what: string): string {
  const max = field.schema.maxLength ?? 0;
  const pattern = field.schema.pattern;
  if (raw.length > max) throw usageError(`${what}: at most ${max} characters`);
  if (raw === '' || (pattern !== undefined && !new RegExp(pattern, 'u').test(raw)))
    throw usageError(`${what}: ${field.rule}`);
  return raw;
}

/** The settings given as flags (only those): what a create sends, or a PATCH changes. */
export function readSettingFlags<D extends SettingsDeclaration>(
  cmd: Command,
  d: D,
): Partial<SettingValues<D>> {
  const given: Record<string, unknown> = {};
  const bag: Record<string, unknown> = cmd.opts();
  for (const { key, field } of settingEntries(d)) {
    if (field.flag === null) continue;
    const value = readField(field, rawValue(field, bag));
    if (value !== undefined) given[key] = value;
  }
  // Each value was parsed by its own field's rules above (choices, integer limits, on/off).
  // eslint-disable-next-line @typescript-eslint/consistent-type-assertions -- a declaration's own keys mapped to values parsed or produced per field (settings plumbing, ADR 0016), not outside data
  return given as Partial<SettingValues<D>>;
}

/** One integer field's value from a flag or text, within its declared limits. */
export function parseSettingInteger(
  field: SettingField & { render: 'number' },
  text: string,
  what: string,
): number {
  return parseInteger(text, what, integerLimits(field));
}

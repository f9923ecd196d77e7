import {
  Autocomplete,
  NumberInput,
  Select,
  Stack,
  TagsInput,
  Textarea,
  TextInput,
} from '@mantine/core';
import { StepKinds, type StepKind } from '@steward/protocol';
import type { JsonSchema } from './sequence-tree';
import { UpgradePackageSelect } from './upgrade-package-select';

/** `programIds` → "Program ids", `successExitCodes` → "Success exit codes". */
function labelOf(key: string): string {
  const words = key.replace(/([A-Z])/g, ' $1').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const constsOf = (s: JsonSchema): string[] =>
  (s.anyOf ?? []).filter((a) => 'const' in a).map((a) => String(a.const));

/** What a field takes, in words, from its schema (pattern and limits). */
function hintOf(s: JsonSchema): string | undefined {
  const free = s.anyOf?.find((a) => !('const' in a)) ?? s;
  const parts: string[] = [];
  if (free.pattern) parts.push(`matches ${free.pattern}`);
  if (free.maxLength !== undefined) parts.push(`at most ${String(free.maxLength)} characters`);
  if (free.items?.type === 'integer') parts.push('whole numbers');
  if (free.maxItems !== undefined) parts.push(`at most ${String(free.maxItems)} items`);
  return parts.length > 0 ? parts.join('; ') : undefined;
}

/**
 * The settings of one step, a field per property of its kind's schema in the protocol (the
 * form the site checks the saved sequence against): a choice of literals is a select, a
 * choice of literals or free text an autocomplete, a list a tags input, text a text input.
 * Optional fields left empty are left out of the settings.
 */
export function StepSettingsForm(props: {
  kind: StepKind;
  settings: Record<string, unknown>;
  onChange: (next: Record<string, unknown>) => void;
  error?: string | undefined;
}) {
  const schema: JsonSchema = StepKinds[props.kind].settings;
  const required = new Set(schema.required ?? []);
  const entries = Object.entries(schema.properties ?? {});
  const set = (key: string, value: unknown) => {
    const empty =
      value === '' || value === undefined || (Array.isArray(value) && value.length === 0);
    const others = Object.entries(props.settings).filter(([k]) => k !== key);
    props.onChange(
      Object.fromEntries(empty && !required.has(key) ? others : [...others, [key, value]]),
    );
  };
  if (entries.length === 0)
    return <div data-testid="step-settings-none">This step has no settings.</div>;
  return (
    <Stack gap="xs" data-testid="step-settings">
      {entries.map(([key, s]) => {
        const value = props.settings[key];
        const common = {
          label: labelOf(key),
          required: required.has(key),
          description: hintOf(s),
          'data-testid': `step-setting-${key}`,
        };
        // A reference the site holds: chosen from its list, not typed (ADR 0102).
        if (key === 'upgradePackageId')
          return (
            <UpgradePackageSelect
              key={key}
              {...common}
              value={typeof value === 'string' ? value : null}
              onChange={(v) => set(key, v ?? undefined)}
            />
          );
        const consts = constsOf(s);
        if (s.anyOf && consts.length === s.anyOf.length)
          return (
            <Select
              key={key}
              {...common}
              data={consts}
              value={typeof value === 'string' ? value : null}
              onChange={(v) => set(key, v ?? undefined)}
              allowDeselect={!required.has(key)}
            />
          );
        if (s.anyOf)
          return (
            <Autocomplete
              key={key}
              {...common}
              data={consts}
              value={typeof value === 'string' ? value : ''}
              onChange={(v) => set(key, v)}
            />
          );
        if (s.type === 'array') {
          const list = Array.isArray(value) ? value.map(String) : [];
          const ints = s.items?.type === 'integer';
          return (
            <TagsInput
              key={key}
              {...common}
              value={list}
              onChange={(v) =>
                set(key, ints ? v.map((x) => Number(x)).filter((n) => Number.isInteger(n)) : v)
              }
              placeholder="Type and press Enter"
            />
          );
        }
        if (s.type === 'integer' || s.type === 'number')
          return (
            <NumberInput
              key={key}
              {...common}
              value={typeof value === 'number' ? value : ''}
              onChange={(v) => set(key, typeof v === 'number' ? v : undefined)}
            />
          );
        if (key === 'command')
          return (
            <Textarea
              key={key}
              {...common}
              autosize
              minRows={2}
              ff="monospace"
              value={typeof value === 'string' ? value : ''}
              onChange={(e) => set(key, e.currentTarget.value)}
            />
          );
        return (
          <TextInput
            {...common}
            value={typeof value === 'string' ? value : ''}
            onChange={(e) => set(key, e.currentTarget.value)}
          />
        );
      })}
      {props.error && (
        <div
          style={{ color: 'var(--mantine-color-red-7)', fontSize: 13 }}
          data-testid="step-settings-error"
        >
          {props.error}
        </div>
      )}
    </Stack>
  );
}

import { NumberInput, Radio, Select, SimpleGrid, Stack, Switch, TextInput } from '@mantine/core';
import {
  DURATION_UNITS,
  describeSeconds,
  describeSetting,
  shownLabel,
  integerLimits,
  settingEntries,
  type SettingField,
  type SettingValues,
  type SettingsDeclaration,
} from '@steward/protocol';

/**
 * One form field rendered from its protocol declaration (ADR 0016): the label, help, unit,
 * limits and choices are the declaration's, so a setting reads the same in every form.
 */
export function SettingInput({
  field,
  value,
  onChange,
  error,
  testId,
  disabled = false,
}: {
  field: SettingField;
  value: unknown;
  onChange: (value: unknown) => void;
  error?: string | undefined;
  testId?: string | undefined;
  disabled?: boolean;
}) {
  switch (field.render) {
    case 'boolean':
      return (
        <Switch
          label={field.label}
          description={field.help}
          checked={value === true}
          onChange={(e) => onChange(e.currentTarget.checked)}
          error={error}
          disabled={disabled}
          data-testid={testId}
        />
      );
    case 'number': {
      const { min, max } = integerLimits(field);
      return (
        <NumberInput
          label={field.label}
          description={field.help}
          suffix={` ${field.unit}`}
          min={min}
          max={max}
          allowDecimal={false}
          value={typeof value === 'number' ? value : field.default}
          // Clamped to the schema's limits: the field never holds a value the site refuses.
          onChange={(v) =>
            onChange(Math.min(max, Math.max(min, typeof v === 'number' ? Math.trunc(v) : min)))
          }
          error={error}
          disabled={disabled}
          data-testid={testId}
        />
      );
    }
    case 'duration': {
      // Typed in the declared unit, held in seconds and clamped to the schema's limits.
      const { min, max } = integerLimits(field);
      const unit = DURATION_UNITS[field.unit];
      const seconds = typeof value === 'number' ? value : field.default;
      return (
        <NumberInput
          label={field.label}
          description={`${field.help} · now ${describeSeconds(seconds)}`}
          suffix={` ${unit.short}`}
          min={min / unit.seconds}
          max={max / unit.seconds}
          decimalScale={unit.seconds === 1 ? 0 : 2}
          value={seconds / unit.seconds}
          onChange={(v) =>
            onChange(
              Math.min(
                max,
                Math.max(min, typeof v === 'number' ? Math.round(v * unit.seconds) : min),
              ),
            )
          }
          error={error}
          disabled={disabled}
          data-testid={testId}
        />
      );
    }
    case 'select':
      return (
        <Select
          label={field.label}
          description={field.help}
          data={field.choices.map((c) => ({ value: c.value, label: c.label }))}
          value={typeof value === 'string' ? value : field.default}
          onChange={(v) =>
            onChange(field.choices.find((c) => c.value === v)?.value ?? field.default)
          }
          allowDeselect={false}
          error={error}
          disabled={disabled}
          data-testid={testId}
        />
      );
    case 'radio':
      return (
        <Radio.Group
          label={field.label}
          description={field.help}
          value={typeof value === 'string' ? value : field.default}
          onChange={(v) =>
            onChange(field.choices.find((c) => c.value === v)?.value ?? field.default)
          }
          error={error}
          disabled={disabled}
          data-testid={testId}
        >
          <Stack gap={6} mt={4}>
            {field.choices.map((c) => (
              <Radio key={c.value} value={c.value} label={c.label} />
            ))}
          </Stack>
        </Radio.Group>
      );
    case 'text':
      return (
        <TextInput
          label={field.label}
          description={`${field.help} (${field.rule})`}
          value={typeof value === 'string' ? value : field.default}
          maxLength={field.schema.maxLength}
          onChange={(e) => onChange(e.currentTarget.value)}
          error={error}
          disabled={disabled}
          data-testid={testId}
        />
      );
  }
}

/**
 * Every field of a declaration, in declaration order: choices and numbers in a two-column grid,
 * then the switches. Fields whose `onlyWhen` condition does not hold are not shown. A field
 * added to the declaration appears here, in every form that renders the declaration.
 */
export function SettingsFields<D extends SettingsDeclaration>({
  declaration,
  values,
  onChange,
  conditions = {},
  errors = {},
  testIdPrefix,
  disabled = false,
}: {
  declaration: D;
  values: SettingValues<D>;
  onChange: <K extends keyof D & string>(key: K, value: SettingValues<D>[K]) => void;
  conditions?: Readonly<Record<string, boolean>>;
  errors?: Partial<Record<keyof D & string, string>>;
  /** `wizard` gives `wizard-preDownload`, `wizard-rerun`... (the field keys). */
  testIdPrefix: string;
  disabled?: boolean;
}) {
  const shown = settingEntries(declaration).filter(
    ({ field }) => field.onlyWhen === undefined || conditions[field.onlyWhen.condition] === true,
  );
  const input = ({ key, field }: (typeof shown)[number]) => (
    <SettingInput
      key={key}
      field={field}
      value={values[key]}
      // The input only produces values of its own field's kind (its choices, clamped numbers,
      // booleans), which is the declared value type of `key`.
      // eslint-disable-next-line @typescript-eslint/consistent-type-assertions -- a declaration's own keys mapped to values parsed or produced per field (settings plumbing, ADR 0016), not outside data
      onChange={(v) => onChange(key, v as SettingValues<D>[typeof key])}
      error={errors[key]}
      testId={`${testIdPrefix}-${key}`}
      disabled={disabled}
    />
  );
  const grid = shown.filter(
    ({ field }) =>
      field.render === 'select' ||
      field.render === 'number' ||
      field.render === 'duration' ||
      field.render === 'text',
  );
  return (
    <Stack gap="md">
      {grid.length > 0 && <SimpleGrid cols={{ base: 1, md: 2 }}>{grid.map(input)}</SimpleGrid>}
      {shown.filter(({ field }) => field.render === 'radio').map(input)}
      <Stack gap="xs">{shown.filter(({ field }) => field.render === 'boolean').map(input)}</Stack>
    </Stack>
  );
}

/**
 * The declared settings as label/value rows (review pages, detail pages), in declaration order;
 * fields whose `onlyWhen` condition does not hold are left out.
 */
export function settingRows<D extends SettingsDeclaration>(
  declaration: D,
  values: SettingValues<D>,
  conditions: Readonly<Record<string, boolean>> = {},
): [string, string][] {
  return settingEntries(declaration)
    .filter(
      ({ field }) => field.onlyWhen === undefined || conditions[field.onlyWhen.condition] === true,
    )
    .map(({ key, field }) => [shownLabel(field), describeSetting(field, values[key])]);
}

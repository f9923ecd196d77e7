import { Chip, Group, NumberInput, SegmentedControl, Select, Stack, Text } from '@mantine/core';
import type { Recurrence } from '@steward/protocol';
import { WEEKDAYS, type RecurrenceDraft } from './recurrence';

const KINDS: { value: Recurrence['kind']; label: string }[] = [
  { value: 'none', label: 'Once' },
  { value: 'daily', label: 'Daily' },
  { value: 'weekly', label: 'Weekly' },
  { value: 'monthly', label: 'Monthly' },
];

const DAY_OF_MONTH = [
  ...Array.from({ length: 31 }, (_, i) => ({ value: String(i + 1), label: String(i + 1) })),
  { value: '-1', label: 'Last day' },
];

function positive(v: string | number, max: number): number {
  const n = typeof v === 'number' ? Math.trunc(v) : 1;
  return Math.min(max, Math.max(1, n));
}

/** "every N day(s)" and the like: a whole number from 1 to `max`. */
function EveryInput(props: {
  unit: string;
  max: number;
  w: number;
  value: number;
  onChange: (n: number) => void;
}) {
  return (
    <NumberInput
      size="xs"
      w={props.w}
      prefix="every "
      suffix={` ${props.unit}(s)`}
      min={1}
      max={props.max}
      value={props.value}
      onChange={(n) => props.onChange(positive(n, props.max))}
    />
  );
}

/** Once / daily / weekly / monthly, with the fields of the chosen kind. */
export function RecurrenceInput(props: {
  value: RecurrenceDraft;
  onChange: (v: RecurrenceDraft) => void;
  testId?: string;
  allowOnce?: boolean;
}) {
  const v = props.value;
  const set = (patch: Partial<RecurrenceDraft>) => props.onChange({ ...v, ...patch });
  return (
    <Stack gap={6} data-testid={props.testId}>
      <SegmentedControl
        size="xs"
        value={v.kind}
        onChange={(k) => set({ kind: KINDS.find((x) => x.value === k)?.value ?? 'none' })}
        data={props.allowOnce === false ? KINDS.filter((k) => k.value !== 'none') : KINDS}
      />
      {v.kind === 'daily' && (
        <EveryInput
          unit="day"
          max={365}
          w={180}
          value={v.everyDays}
          onChange={(n) => set({ everyDays: n })}
        />
      )}
      {v.kind === 'weekly' && (
        <Group gap="sm" align="center">
          <EveryInput
            unit="week"
            max={52}
            w={170}
            value={v.everyWeeks}
            onChange={(n) => set({ everyWeeks: n })}
          />
          <Text size="xs" c="dimmed">
            on
          </Text>
          <Chip.Group
            multiple
            value={v.days.map(String)}
            onChange={(days) => days.length > 0 && set({ days: days.map(Number) })}
          >
            <Group gap={4}>
              {WEEKDAYS.map((d, i) => (
                <Chip key={d} value={String(i)} size="xs" variant="outline">
                  {d}
                </Chip>
              ))}
            </Group>
          </Chip.Group>
        </Group>
      )}
      {v.kind === 'monthly' && (
        <Group gap="sm">
          <EveryInput
            unit="month"
            max={12}
            w={180}
            value={v.everyMonths}
            onChange={(n) => set({ everyMonths: n })}
          />
          <Select
            size="xs"
            w={140}
            label={undefined}
            data={DAY_OF_MONTH}
            value={String(v.dayOfMonth)}
            onChange={(d) => set({ dayOfMonth: Number(d ?? '1') })}
            allowDeselect={false}
            leftSection={<Text size="xs">day</Text>}
          />
        </Group>
      )}
    </Stack>
  );
}

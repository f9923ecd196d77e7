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
        <NumberInput
          size="xs"
          w={180}
          prefix="every "
          suffix=" day(s)"
          min={1}
          max={365}
          value={v.everyDays}
          onChange={(n) => set({ everyDays: positive(n, 365) })}
        />
      )}
      {v.kind === 'weekly' && (
        <Group gap="sm" align="center">
          <NumberInput
            size="xs"
            w={170}
            prefix="every "
            suffix=" week(s)"
            min={1}
            max={52}
            value={v.everyWeeks}
            onChange={(n) => set({ everyWeeks: positive(n, 52) })}
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
          <NumberInput
            size="xs"
            w={180}
            prefix="every "
            suffix=" month(s)"
            min={1}
            max={12}
            value={v.everyMonths}
            onChange={(n) => set({ everyMonths: positive(n, 12) })}
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

import { DonutChart } from '@mantine/charts';
import { Badge, Group, Stack, Text, UnstyledButton } from '@mantine/core';
import type { ReactNode } from 'react';

/** One state of a donut-and-list: its count, label, badge colour and chart colour. */
export interface StateCountRow<S extends string> {
  state: S;
  count: number;
  label: string;
  color: string;
  chart: string;
}

/**
 * Counts per state as a donut and a list; clicking a state (slice or row) selects it, clicking
 * it again clears the selection. Deployments and client deployment status both drill down so.
 */
export function StateCountsDonut<S extends string>(props: {
  rows: readonly StateCountRow<S>[];
  selected: S | null;
  onSelect: (s: S | null) => void;
  chartLabel: string;
  /** Each row is `${rowTestIdPrefix}${state}` with its count in `data-count`. */
  rowTestIdPrefix: string;
  donutTestId: string;
  /** Shown under the list (a note about the counts). */
  children?: ReactNode;
}) {
  const donut = props.rows
    .filter((r) => r.count > 0)
    .map((r) => ({ name: r.label, value: r.count, color: r.chart }));
  const stateOfLabel = (label: unknown) => props.rows.find((r) => r.label === label)?.state ?? null;
  return (
    <Group align="flex-start" wrap="nowrap" gap="lg">
      <DonutChart
        data={donut.length > 0 ? donut : [{ name: 'None', value: 1, color: 'gray.2' }]}
        size={170}
        thickness={26}
        withTooltip={donut.length > 0}
        chartLabel={props.chartLabel}
        pieProps={{
          onClick: (entry: { name?: unknown }) => props.onSelect(stateOfLabel(entry.name)),
          style: { cursor: 'pointer' },
        }}
        data-testid={props.donutTestId}
      />
      <Stack gap={2} style={{ flex: 1 }}>
        {props.rows.map(({ state, count, label, color }) => {
          const active = props.selected === state;
          return (
            <UnstyledButton
              key={state}
              onClick={() => props.onSelect(active ? null : state)}
              data-testid={`${props.rowTestIdPrefix}${state}`}
              data-count={count}
              px={6}
              py={3}
              style={{
                borderRadius: 4,
                background: active ? 'var(--mantine-primary-color-light)' : undefined,
              }}
            >
              <Group justify="space-between" wrap="nowrap">
                <Group gap={8} wrap="nowrap">
                  <Badge circle size="xs" color={color} variant="filled">
                    {' '}
                  </Badge>
                  <Text size="sm">{label}</Text>
                </Group>
                <Text size="sm" fw={count > 0 ? 700 : 400} c={count > 0 ? undefined : 'dimmed'}>
                  {count.toLocaleString()}
                </Text>
              </Group>
            </UnstyledButton>
          );
        })}
        {props.children}
      </Stack>
    </Group>
  );
}

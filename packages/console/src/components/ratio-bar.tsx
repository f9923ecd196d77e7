import { Group, Progress, Text, Tooltip } from '@mantine/core';

/**
 * "3 / 5" with a small bar: DPs installed of targeted, devices succeeded of targeted. A zero
 * denominator shows a dash rather than a misleading empty or full bar.
 */
export function RatioBar(props: {
  done: number;
  total: number;
  color?: string;
  label?: string;
  testId?: string;
  w?: number | string;
}) {
  const { done, total } = props;
  const pct = total > 0 ? Math.min(100, (done / total) * 100) : 0;
  const bar = (
    <Group gap={8} wrap="nowrap" w={props.w} data-testid={props.testId} data-done={done}>
      <Progress
        value={pct}
        size="sm"
        color={props.color ?? (total > 0 && done >= total ? 'teal' : 'indigo')}
        style={{ flex: 1, minWidth: 50 }}
      />
      <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
        {total > 0 ? `${done} / ${total}` : '—'}
      </Text>
    </Group>
  );
  return props.label ? (
    <Tooltip label={props.label} withArrow openDelay={300}>
      {bar}
    </Tooltip>
  ) : (
    bar
  );
}

/** A percentage bar: green when high, orange when middling, red when low. */
export function PercentBar(props: { value: number; testId?: string; w?: number | string }) {
  const v = Math.max(0, Math.min(100, props.value));
  const color = v >= 90 ? 'teal' : v >= 50 ? 'yellow' : v > 0 ? 'orange' : 'gray';
  return (
    <Group gap={8} wrap="nowrap" w={props.w} data-testid={props.testId} data-value={Math.round(v)}>
      <Progress value={v} size="sm" color={color} style={{ flex: 1, minWidth: 50 }} />
      <Text size="xs" fw={600} style={{ whiteSpace: 'nowrap' }} w={36} ta="right">
        {Math.round(v)}%
      </Text>
    </Group>
  );
}

import { AreaChart, DonutChart } from '@mantine/charts';
import { Badge, Group, Paper, Skeleton, Stack, Text, Title, UnstyledButton } from '@mantine/core';
import { DEPLOYMENT_STATES } from '@steward/protocol';
import { countOf } from './queries';
import type { ReactNode } from 'react';
import type {
  DeploymentStateName,
  DeploymentSummary,
  DeploymentTimelinePoint,
  Deployment,
} from '@steward/protocol';
import { DEPLOYMENT_STATE_META } from '../../components/deployment-state-badge';
import { formatTime } from '../../lib/format';

/** Stacked areas of device states over time (GET /deployments/:id/timeline, refreshed live). */
export function StateTimelineChart({ points }: { points: DeploymentTimelinePoint[] | undefined }) {
  if (!points) return <Skeleton h={260} />;
  const seen = new Set<string>();
  for (const p of points) for (const [k, v] of Object.entries(p.counts)) if (v > 0) seen.add(k);
  const states = DEPLOYMENT_STATES.filter((s) => seen.has(s));
  const data = points.map((p) => {
    const row: Record<string, string | number> = { time: formatTime(p.at) };
    for (const s of states) row[s] = p.counts[s] ?? 0;
    return row;
  });
  if (data.length === 0 || states.length === 0)
    return (
      <Stack h={260} justify="center" align="center">
        <Text size="sm" c="dimmed">
          The chart fills in as devices report.
        </Text>
      </Stack>
    );
  return (
    <AreaChart
      h={260}
      data={data}
      dataKey="time"
      type="stacked"
      curveType="stepAfter"
      withLegend
      legendProps={{ verticalAlign: 'top', height: 40 }}
      withDots={data.length < 3}
      fillOpacity={0.5}
      series={states.map((s) => ({
        name: s,
        label: DEPLOYMENT_STATE_META[s].label,
        color: DEPLOYMENT_STATE_META[s].chart,
      }))}
      tickLine="y"
      gridAxis="y"
      yAxisProps={{ allowDecimals: false, domain: [0, 'dataMax'] }}
    />
  );
}

/**
 * Current counts as a donut and a list; clicking a state (slice or row) drills down to the
 * devices in it.
 */
export function StateCounts(props: {
  summary: DeploymentSummary | undefined;
  /** An available deployment is an offer: its donut counts installs, not a success rate. */
  purpose?: Deployment['purpose'] | undefined;
  selected: DeploymentStateName | null;
  onSelect: (s: DeploymentStateName | null) => void;
}) {
  const s = props.summary;
  if (!s) return <Skeleton h={260} />;
  const rows = DEPLOYMENT_STATES.map((state) => ({ state, count: s.counts[state] ?? 0 }));
  const donut = rows
    .filter((r) => r.count > 0)
    .map((r) => ({
      name: DEPLOYMENT_STATE_META[r.state].label,
      value: r.count,
      color: DEPLOYMENT_STATE_META[r.state].chart,
    }));
  const stateOfLabel = (label: unknown) =>
    DEPLOYMENT_STATES.find((st) => DEPLOYMENT_STATE_META[st].label === label) ?? null;
  return (
    <Group align="flex-start" wrap="nowrap" gap="lg">
      <DonutChart
        data={donut.length > 0 ? donut : [{ name: 'None', value: 1, color: 'gray.2' }]}
        size={170}
        thickness={26}
        withTooltip={donut.length > 0}
        chartLabel={
          props.purpose === 'available'
            ? `${(countOf(s, 'succeeded') + countOf(s, 'reboot-pending')).toLocaleString()} installed`
            : `${Math.round(s.successPercent)}% ok`
        }
        pieProps={{
          onClick: (entry: { name?: unknown }) => props.onSelect(stateOfLabel(entry.name)),
          style: { cursor: 'pointer' },
        }}
        data-testid="state-donut"
      />
      <Stack gap={2} style={{ flex: 1 }}>
        {rows.map(({ state, count }) => {
          const meta = DEPLOYMENT_STATE_META[state];
          const active = props.selected === state;
          return (
            <UnstyledButton
              key={state}
              onClick={() => props.onSelect(active ? null : state)}
              data-testid={`state-count-${state}`}
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
                  <Badge circle size="xs" color={meta.color} variant="filled">
                    {' '}
                  </Badge>
                  <Text size="sm">{meta.label}</Text>
                </Group>
                <Text size="sm" fw={count > 0 ? 700 : 400} c={count > 0 ? undefined : 'dimmed'}>
                  {count.toLocaleString()}
                </Text>
              </Group>
            </UnstyledButton>
          );
        })}
        {s.overdue > 0 && props.purpose !== 'available' && (
          <Text size="xs" c="orange" mt={4} data-testid="overdue-count">
            {s.overdue} device{s.overdue === 1 ? '' : 's'} overdue (last run older than the
            recurrence)
          </Text>
        )}
      </Stack>
    </Group>
  );
}

export function ChartCard(props: {
  title: string;
  hint: string;
  children: ReactNode;
  testId: string;
}) {
  return (
    <Paper p="md" data-testid={props.testId}>
      <Title order={4} fz={15} mb={2}>
        {props.title}
      </Title>
      <Text size="xs" c="dimmed" mb="sm">
        {props.hint}
      </Text>
      {props.children}
    </Paper>
  );
}

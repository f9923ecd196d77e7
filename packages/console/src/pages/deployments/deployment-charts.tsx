import { AreaChart } from '@mantine/charts';
import { Paper, Skeleton, Stack, Text, Title } from '@mantine/core';
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
import { StateCountsDonut } from '../../components/state-counts-donut';
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
  return (
    <StateCountsDonut
      rows={DEPLOYMENT_STATES.map((state) => ({
        state,
        count: s.counts[state] ?? 0,
        ...DEPLOYMENT_STATE_META[state],
      }))}
      selected={props.selected}
      onSelect={props.onSelect}
      chartLabel={
        props.purpose === 'available'
          ? `${(countOf(s, 'succeeded') + countOf(s, 'reboot-pending')).toLocaleString()} installed`
          : `${Math.round(s.successPercent)}% ok`
      }
      rowTestIdPrefix="state-count-"
      donutTestId="state-donut"
    >
      {s.overdue > 0 && props.purpose !== 'available' && (
        <Text size="xs" c="orange" mt={4} data-testid="overdue-count">
          {s.overdue} device{s.overdue === 1 ? '' : 's'} overdue (last run older than the
          recurrence)
        </Text>
      )}
    </StateCountsDonut>
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

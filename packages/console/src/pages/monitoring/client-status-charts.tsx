import { BarChart } from '@mantine/charts';
import { Badge, Group, Paper, SegmentedControl, Skeleton, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import {
  CLIENT_DEPLOYMENT_STATES,
  ops,
  type ClientDeploymentState,
  type ClientStatusSummary,
  type FailurePeriod,
} from '@steward/protocol';
import { api } from '../../api/client';
import { ErrorState } from '../../components/error-state';
import { StateCountsDonut } from '../../components/state-counts-donut';

/** Label and colours of each client deployment state (docs/client-deployment.md). */
export const CLIENT_STATE_META: Record<
  ClientDeploymentState,
  { label: string; color: string; chart: string }
> = {
  'not-started': { label: 'Not started', color: 'gray', chart: 'gray.5' },
  'in-progress': { label: 'In progress', color: 'blue', chart: 'blue.5' },
  compliant: { label: 'Compliant', color: 'teal', chart: 'teal.6' },
  noncompliant: { label: 'Noncompliant', color: 'orange', chart: 'orange.5' },
  failed: { label: 'Failed', color: 'red', chart: 'red.6' },
  unknown: { label: 'Unknown', color: 'dark', chart: 'dark.3' },
};

/** The six states as a donut and a list; clicking a state lists its devices. */
export function ClientStateCounts(props: {
  summary: ClientStatusSummary | undefined;
  selected: ClientDeploymentState | null;
  onSelect: (s: ClientDeploymentState | null) => void;
}) {
  const s = props.summary;
  if (!s) return <Skeleton h={200} />;
  const pct = s.total === 0 ? 0 : Math.round((s.counts.compliant / s.total) * 100);
  return (
    <StateCountsDonut
      rows={CLIENT_DEPLOYMENT_STATES.map((state) => ({
        state,
        count: s.counts[state],
        ...CLIENT_STATE_META[state],
      }))}
      selected={props.selected}
      onSelect={props.onSelect}
      chartLabel={`${pct}% compliant`}
      rowTestIdPrefix="client-state-"
      donutTestId="client-state-donut"
    />
  );
}

function bucketLabel(start: string, period: FailurePeriod): string {
  return period === 'month' ? start.slice(0, 7) : start.slice(5, 10);
}

/** Failed client deployments per day, week or month (pushes and agent upgrades), with reasons. */
export function FailureChart(props: {
  period: FailurePeriod;
  onPeriod: (p: FailurePeriod) => void;
  live: boolean;
}) {
  const chart = useQuery({
    queryKey: ['client-status-failures', props.period],
    queryFn: () => api.call(ops.clientStatus.failures, { query: { period: props.period } }),
    refetchInterval: props.live ? 2000 : 30_000,
  });
  const c = chart.data;
  const data = (c?.buckets ?? []).map((b) => ({
    bucket: bucketLabel(b.start, props.period),
    push: b.push,
    upgrade: b.upgrade,
    pushSucceeded: b.pushSucceeded,
  }));
  const failed = (c?.buckets ?? []).reduce((n, b) => n + b.push + b.upgrade, 0);
  return (
    <Paper p="md" data-testid="client-failure-chart" data-failed={failed}>
      <Group justify="space-between" align="flex-start" mb="sm">
        <div>
          <Title order={4} fz={15} mb={2}>
            Failed client deployments
          </Title>
          <Text size="xs" c="dimmed">
            Failed pushes and agent upgrades, with successful pushes for the success rate
          </Text>
        </div>
        <SegmentedControl
          size="xs"
          value={props.period}
          onChange={(v) => props.onPeriod(v === 'week' ? 'week' : v === 'month' ? 'month' : 'day')}
          data={[
            { value: 'day', label: 'Day' },
            { value: 'week', label: 'Week' },
            { value: 'month', label: 'Month' },
          ]}
          data-testid="failure-period"
        />
      </Group>
      {chart.isError && !c ? (
        <ErrorState error={chart.error} what="the failure chart" />
      ) : !c ? (
        <Skeleton h={240} />
      ) : (
        <Stack gap="sm">
          <BarChart
            h={220}
            data={data}
            dataKey="bucket"
            type="stacked"
            withLegend
            legendProps={{ verticalAlign: 'top', height: 36 }}
            series={[
              { name: 'push', label: 'Push failed', color: 'red.6' },
              { name: 'upgrade', label: 'Upgrade failed', color: 'orange.5' },
              { name: 'pushSucceeded', label: 'Push succeeded', color: 'teal.4' },
            ]}
            tickLine="y"
            gridAxis="y"
            yAxisProps={{ allowDecimals: false }}
          />
          <Group gap="xs" data-testid="failure-reasons">
            <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
              Reasons
            </Text>
            {c.reasons.length === 0 && (
              <Text size="sm" c="dimmed">
                No failure in this period.
              </Text>
            )}
            {c.reasons.map((r) => (
              <Badge
                key={`${r.kind}/${r.code}`}
                variant="light"
                color={r.kind === 'push' ? 'red' : 'orange'}
                data-testid={`failure-reason-${r.code}`}
              >
                {r.code} × {r.count}
              </Badge>
            ))}
          </Group>
        </Stack>
      )}
    </Paper>
  );
}

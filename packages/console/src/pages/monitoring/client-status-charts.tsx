import { BarChart, DonutChart } from '@mantine/charts';
import {
  Badge,
  Group,
  Paper,
  SegmentedControl,
  Skeleton,
  Stack,
  Text,
  Title,
  UnstyledButton,
} from '@mantine/core';
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
  const rows = CLIENT_DEPLOYMENT_STATES.map((state) => ({ state, count: s.counts[state] }));
  const donut = rows
    .filter((r) => r.count > 0)
    .map((r) => ({
      name: CLIENT_STATE_META[r.state].label,
      value: r.count,
      color: CLIENT_STATE_META[r.state].chart,
    }));
  const pct = s.total === 0 ? 0 : Math.round((s.counts.compliant / s.total) * 100);
  const stateOfLabel = (label: unknown) =>
    CLIENT_DEPLOYMENT_STATES.find((st) => CLIENT_STATE_META[st].label === label) ?? null;
  return (
    <Group align="flex-start" wrap="nowrap" gap="lg">
      <DonutChart
        data={donut.length > 0 ? donut : [{ name: 'None', value: 1, color: 'gray.2' }]}
        size={170}
        thickness={26}
        withTooltip={donut.length > 0}
        chartLabel={`${pct}% compliant`}
        pieProps={{
          onClick: (entry: { name?: unknown }) => props.onSelect(stateOfLabel(entry.name)),
          style: { cursor: 'pointer' },
        }}
        data-testid="client-state-donut"
      />
      <Stack gap={2} style={{ flex: 1 }}>
        {rows.map(({ state, count }) => {
          const meta = CLIENT_STATE_META[state];
          const active = props.selected === state;
          return (
            <UnstyledButton
              key={state}
              onClick={() => props.onSelect(active ? null : state)}
              data-testid={`client-state-${state}`}
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
      </Stack>
    </Group>
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
        <Group align="flex-start" wrap="nowrap" gap="lg">
          <BarChart
            h={240}
            style={{ flex: 1 }}
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
          <Stack gap={4} w={260} data-testid="failure-reasons">
            <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
              Reasons
            </Text>
            {c.reasons.length === 0 && (
              <Text size="sm" c="dimmed">
                No failure in this period.
              </Text>
            )}
            {c.reasons.map((r) => (
              <Group key={`${r.kind}/${r.code}`} justify="space-between" wrap="nowrap">
                <Text size="sm" ff="monospace" data-testid={`failure-reason-${r.code}`}>
                  {r.code}
                </Text>
                <Text size="sm" fw={700}>
                  {r.count}
                </Text>
              </Group>
            ))}
          </Stack>
        </Group>
      )}
    </Paper>
  );
}

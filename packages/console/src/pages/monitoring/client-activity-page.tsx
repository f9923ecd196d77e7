import { BarChart } from '@mantine/charts';
import {
  Group,
  Paper,
  RingProgress,
  SegmentedControl,
  SimpleGrid,
  Skeleton,
  Stack,
  Text,
  ThemeIcon,
  Title,
} from '@mantine/core';
import {
  IconActivity,
  IconArchive,
  IconCircleCheck,
  IconCircleDashed,
  IconDevices,
  IconMoonStars,
  IconPlugConnected,
} from '@tabler/icons-react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { useSearchParams } from 'react-router-dom';
import { api } from '../../api/client';
import { CollectionBrowser } from '../../components/collection-browser';
import { EmptyState } from '../../components/empty-state';
import { ErrorState } from '../../components/error-state';
import { PageHeader } from '../../components/page-header';
import { ops } from '@steward/protocol';
import { ExportButton } from '../../components/export-button';
import { ONLINE_POLL_MS } from '../../components/device-status-badges';

/** `2026-06-01` as `1 Jun` (the chart's axis). */
function formatDay(day: string): string {
  return new Date(`${day}T00:00:00Z`).toLocaleDateString(undefined, {
    day: 'numeric',
    month: 'short',
    timeZone: 'UTC',
  });
}

function StatCard(props: {
  label: string;
  value: number | undefined;
  total?: number;
  icon: ReactNode;
  color: string;
  testId: string;
  hint: string;
}) {
  const pct =
    props.total && props.value !== undefined ? Math.round((props.value / props.total) * 100) : null;
  return (
    <Paper p="md" data-testid={props.testId}>
      <Group justify="space-between" wrap="nowrap" align="flex-start">
        <Stack gap={2}>
          <Text size="xs" c="dimmed" tt="uppercase" fw={700} lts={0.3}>
            {props.label}
          </Text>
          {props.value === undefined ? (
            <Skeleton h={30} w={70} mt={4} />
          ) : (
            <Text fz={28} fw={700} lh={1.2} data-testid={`${props.testId}-value`}>
              {props.value.toLocaleString()}
            </Text>
          )}
          <Text size="xs" c="dimmed">
            {pct !== null ? `${pct}% · ` : ''}
            {props.hint}
          </Text>
        </Stack>
        <ThemeIcon size={38} radius="md" variant="light" color={props.color}>
          {props.icon}
        </ThemeIcon>
      </Group>
    </Paper>
  );
}

/** Monitoring > Client activity: how many clients talk to the site, for a chosen collection. */
export function ClientActivityPage() {
  const [params, setParams] = useSearchParams();
  const collection = params.get('collection');
  const days = Math.min(Number(params.get('days')) || 31, 31);
  const set = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    next.set(key, value);
    setParams(next, { replace: true });
  };
  const activity = useQuery({
    queryKey: ['client-activity', collection, days],
    queryFn: () => api.clientActivity({ collection: collection ?? undefined, days }),
    placeholderData: keepPreviousData,
    refetchInterval: ONLINE_POLL_MS,
  });
  const a = activity.data;
  // Days before the first client enrolled are not history: a run of zeros at the start says
  // nothing (the site, or this collection, had no clients yet), so the chart starts at the first.
  const daily = a?.daily ?? [];
  const first = daily.findIndex((p) => p.active + p.inactive > 0);
  const series = (first < 0 ? daily.slice(-1) : daily.slice(first)).map((p) => ({
    ...p,
    label: formatDay(p.day),
  }));
  const recent = a
    ? [
        { kind: 'Policy request', devices: a.recent.policyRequest },
        { kind: 'Heartbeat', devices: a.recent.heartbeat },
        { kind: 'Hardware inv.', devices: a.recent.hardwareInventory },
        { kind: 'Software inv.', devices: a.recent.softwareInventory },
        { kind: 'Status message', devices: a.recent.statusMessage },
      ]
    : [];
  const th = a?.thresholds;
  const sameThreshold =
    th && new Set(Object.values(th)).size === 1 ? `${th.heartbeat} days` : 'its own threshold';
  const activePct = a && a.total > 0 ? Math.round((a.active / a.total) * 100) : 0;

  return (
    <>
      <PageHeader
        title="Client activity"
        actions={
          <ExportButton
            op={ops.exports.inactiveClients}
            filters={{ collection }}
            testId="inactive-clients-export"
          />
        }
        description={`A client is active while a policy request, heartbeat, hardware or software inventory or status message arrived within ${sameThreshold} (Administration › Site settings), or it answered the site's push-channel ping.`}
      />
      <Paper p="sm" mb="md">
        <Group justify="space-between">
          <CollectionBrowser
            value={a?.collectionId ?? collection}
            onChange={(id) => set('collection', id)}
          />
          <Group gap="xs">
            <Text size="sm" c="dimmed">
              Period
            </Text>
            <SegmentedControl
              size="xs"
              value={String(days)}
              onChange={(v) => set('days', v)}
              data={[
                { value: '7', label: '7 days' },
                { value: '14', label: '14 days' },
                { value: '31', label: '31 days' },
              ]}
              data-testid="activity-days"
            />
          </Group>
        </Group>
      </Paper>
      {activity.isError && !a ? (
        <ErrorState error={activity.error} what="client activity" />
      ) : (
        <Stack gap="md">
          <SimpleGrid cols={{ base: 2, md: 3, xl: 6 }}>
            <StatCard
              label="Total"
              value={a?.total}
              icon={<IconDevices size={20} />}
              color="indigo"
              testId="stat-total"
              hint="clients in scope"
            />
            <StatCard
              label="Active"
              value={a?.active}
              total={a?.total}
              icon={<IconCircleCheck size={20} />}
              color="teal"
              testId="stat-active"
              hint="contacted recently"
            />
            <StatCard
              label="Inactive"
              value={a?.inactive}
              total={a?.total}
              icon={<IconMoonStars size={20} />}
              color="orange"
              testId="stat-inactive"
              hint="silent past the threshold"
            />
            <StatCard
              label="Obsolete"
              value={a?.obsolete}
              icon={<IconArchive size={20} />}
              color="red"
              testId="stat-obsolete"
              hint="no heartbeat for 90 days; not in total"
            />
            <StatCard
              label="Never reported"
              value={a?.neverReported}
              total={a?.total}
              icon={<IconCircleDashed size={20} />}
              color="gray"
              testId="stat-never"
              hint="enrolled, no report yet"
            />
            <StatCard
              label="Online"
              value={a?.online}
              total={a?.total}
              icon={<IconPlugConnected size={20} />}
              color="green"
              testId="stat-online"
              hint="push channel open now"
            />
          </SimpleGrid>
          {a && a.total === 0 ? (
            <Paper p="md">
              <EmptyState
                icon={<IconActivity size={24} />}
                title="No clients in this collection"
                description="Pick another collection with Browse…, or enrol devices under Administration › Enrolment tokens."
              />
            </Paper>
          ) : (
            <SimpleGrid cols={{ base: 1, lg: 3 }}>
              <Paper p="md" style={{ gridColumn: 'span 2' }} data-testid="activity-chart">
                <Title order={4} fz={15} mb={4}>
                  Active and inactive clients
                </Title>
                <Text size="xs" c="dimmed" mb="md">
                  One point per day (UTC, the day's last hourly snapshot; today: now) over the last{' '}
                  {days} days · history is kept 31 days
                  {series.length < 3 ? ' · it builds up as the site runs' : ''}
                </Text>
                {series.length === 0 ? (
                  <Skeleton h={260} />
                ) : (
                  <BarChart
                    h={280}
                    data={series}
                    dataKey="label"
                    type="stacked"
                    maxBarWidth={48}
                    withLegend
                    legendProps={{ verticalAlign: 'top', height: 36 }}
                    series={[
                      { name: 'active', label: 'Active', color: 'teal.6' },
                      { name: 'inactive', label: 'Inactive', color: 'orange.5' },
                    ]}
                    tickLine="y"
                    gridAxis="y"
                    xAxisLabel="Day (UTC)"
                    yAxisLabel="Clients"
                    xAxisProps={{ interval: 'preserveStartEnd', minTickGap: 12 }}
                    yAxisProps={{ allowDecimals: false, tickCount: 5 }}
                    data-testid="activity-daily-chart"
                  />
                )}
              </Paper>
              <Paper p="md" data-testid="activity-kinds">
                <Group justify="space-between" align="flex-start" mb="md">
                  <div>
                    <Title order={4} fz={15} mb={4}>
                      Recent activity
                    </Title>
                    <Text size="xs" c="dimmed">
                      Clients whose signal arrived within its threshold
                    </Text>
                  </div>
                  <RingProgress
                    size={74}
                    thickness={7}
                    roundCaps
                    sections={[{ value: activePct, color: 'teal' }]}
                    label={
                      <Text ta="center" size="xs" fw={700}>
                        {activePct}%
                      </Text>
                    }
                  />
                </Group>
                {a ? (
                  <BarChart
                    h={200}
                    data={recent}
                    dataKey="kind"
                    orientation="vertical"
                    yAxisProps={{ width: 100 }}
                    xAxisProps={{ allowDecimals: false, domain: [0, Math.max(1, a.total)] }}
                    xAxisLabel="Clients"
                    series={[{ name: 'devices', label: 'Devices', color: 'indigo.5' }]}
                    gridAxis="x"
                  />
                ) : (
                  <Skeleton h={200} />
                )}
              </Paper>
            </SimpleGrid>
          )}
        </Stack>
      )}
    </>
  );
}

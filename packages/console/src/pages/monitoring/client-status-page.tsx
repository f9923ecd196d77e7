import {
  Anchor,
  Badge,
  Code,
  Drawer,
  Group,
  Paper,
  ScrollArea,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import {
  ops,
  type ClientDeploymentState,
  type ClientRollout,
  type ClientStatusDevice,
  type FailurePeriod,
} from '@steward/protocol';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { api } from '../../api/client';
import { CollectionBrowser } from '../../components/collection-browser';
import { ErrorState } from '../../components/error-state';
import { PageHeader } from '../../components/page-header';
import { PageTabs } from '../../components/page-tabs';
import { RelativeTime } from '../../components/relative-time';
import { BlockSkeleton } from '../../components/table-skeleton';
import { CLIENT_STATE_META, ClientStateCounts, FailureChart } from './client-status-charts';
import { ClientStatusReports } from './client-status-reports';
import { ExportButton } from '../../components/export-button';

/** While a client push runs the dashboards follow it every 2 s; otherwise every 30 s. */
const LIVE_MS = 2000;
const IDLE_MS = 30_000;
const PAGE = 50;

function InstallLogDrawer(props: { device: ClientStatusDevice | null; onClose: () => void }) {
  const d = props.device;
  const a = d?.attempt ?? null;
  return (
    <Drawer
      opened={d !== null}
      onClose={props.onClose}
      position="right"
      size="xl"
      title={d?.name ?? 'Device'}
    >
      {d && (
        <Stack gap="sm" data-testid="client-install-log">
          <Group gap="xs">
            <Badge color={CLIENT_STATE_META[d.state].color} variant="light">
              {CLIENT_STATE_META[d.state].label}
            </Badge>
            <Anchor component={Link} to={`/devices/${encodeURIComponent(d.deviceId)}`} size="sm">
              Open the device
            </Anchor>
          </Group>
          <Text size="sm">{d.reason}</Text>
          {a === null ? (
            <Text c="dimmed" size="sm">
              No install or upgrade attempt recorded for this device.
            </Text>
          ) : (
            <Stack gap={4}>
              <Text fw={600} size="sm">
                {a.kind === 'push' ? 'Client push' : 'Agent upgrade'}
                {a.version ? ` to ${a.version}` : ''}: {a.outcome}
                {a.errorCode ? ` (${a.errorCode})` : ''}
              </Text>
              {a.kind === 'push' && (
                <Anchor component={Link} to="/monitoring/client-push" size="xs">
                  Client push (target {a.id})
                </Anchor>
              )}
              <ScrollArea.Autosize mah={420}>
                <Code block>{a.log.join('\n')}</Code>
              </ScrollArea.Autosize>
            </Stack>
          )}
        </Stack>
      )}
    </Drawer>
  );
}

function DeviceList(props: {
  rollout: ClientRollout;
  collection: string | null;
  state: ClientDeploymentState | null;
  refetchMs: number;
}) {
  const [offset, setOffset] = useState(0);
  const [open, setOpen] = useState<ClientStatusDevice | null>(null);
  const devices = useQuery({
    queryKey: ['client-status-devices', props.rollout, props.collection, props.state, offset],
    queryFn: () =>
      api.call(ops.clientStatus.devices, {
        query: {
          rollout: props.rollout,
          ...(props.collection ? { collection: props.collection } : {}),
          ...(props.state ? { state: props.state } : {}),
          offset,
          limit: PAGE,
        },
      }),
    placeholderData: keepPreviousData,
    refetchInterval: props.refetchMs,
  });
  if (devices.isError && !devices.data)
    return <ErrorState error={devices.error} what="client status devices" />;
  if (!devices.data) return <BlockSkeleton lines={4} />;
  const { items, total } = devices.data;
  return (
    <>
      <Table highlightOnHover data-testid="client-status-devices" data-total={total}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Device</Table.Th>
            <Table.Th>State</Table.Th>
            <Table.Th>Version</Table.Th>
            <Table.Th>Last contact</Table.Th>
            <Table.Th>Reason</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.length === 0 && (
            <Table.Tr>
              <Table.Td colSpan={5}>
                <Text c="dimmed" size="sm">
                  No device{props.state ? ` is ${CLIENT_STATE_META[props.state].label}` : ''}.
                </Text>
              </Table.Td>
            </Table.Tr>
          )}
          {items.map((d) => (
            <Table.Tr
              key={d.deviceId}
              onClick={() => setOpen(d)}
              style={{ cursor: 'pointer' }}
              data-testid={`client-status-row-${d.deviceId}`}
              data-state={d.state}
            >
              <Table.Td>{d.name}</Table.Td>
              <Table.Td>
                <Badge color={CLIENT_STATE_META[d.state].color} variant="light">
                  {CLIENT_STATE_META[d.state].label}
                </Badge>
              </Table.Td>
              <Table.Td>{d.agentVersion ?? '-'}</Table.Td>
              <Table.Td>
                {d.lastContactAt ? <RelativeTime iso={d.lastContactAt} /> : 'never'}
              </Table.Td>
              <Table.Td>
                <Text size="sm" lineClamp={2}>
                  {d.reason}
                </Text>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {total > PAGE && (
        <Group justify="flex-end" mt="xs" gap="xs">
          <Anchor
            size="sm"
            component="button"
            disabled={offset === 0}
            onClick={() => setOffset(Math.max(0, offset - PAGE))}
          >
            Previous
          </Anchor>
          <Text size="sm" c="dimmed">
            {offset + 1}–{Math.min(offset + PAGE, total)} of {total}
          </Text>
          <Anchor
            size="sm"
            component="button"
            disabled={offset + PAGE >= total}
            onClick={() => setOffset(offset + PAGE)}
          >
            Next
          </Anchor>
        </Group>
      )}
      <InstallLogDrawer device={open} onClose={() => setOpen(null)} />
    </>
  );
}

/** One dashboard: a rollout in the chosen collection. */
function Dashboard({ rollout }: { rollout: ClientRollout }) {
  const [params, setParams] = useSearchParams();
  const collection = params.get('collection');
  const [state, setState] = useState<ClientDeploymentState | null>(null);
  const [period, setPeriod] = useState<FailurePeriod>('day');
  const summary = useQuery({
    queryKey: ['client-status', rollout, collection],
    queryFn: () =>
      api.call(ops.clientStatus.summary, {
        query: { rollout, ...(collection ? { collection } : {}) },
      }),
    placeholderData: keepPreviousData,
    refetchInterval: (q) => (q.state.data?.pushRunning ? LIVE_MS : IDLE_MS),
  });
  const s = summary.data;
  const live = s?.pushRunning ?? false;
  const setCollection = (id: string) => {
    const next = new URLSearchParams(params);
    next.set('collection', id);
    setParams(next, { replace: true });
  };
  return (
    <Stack gap="md" data-testid={`client-dashboard-${rollout}`}>
      <Group justify="space-between">
        <CollectionBrowser value={s?.collectionId ?? collection} onChange={setCollection} />
        <Group gap="xs">
          {live && (
            <Badge color="blue" variant="dot" data-testid="client-status-live">
              Client push running · live
            </Badge>
          )}
          <Text size="sm" c="dimmed" data-testid="client-status-version">
            {s
              ? s.expectedVersion
                ? `Version ${s.expectedVersion}${s.expectedSince ? ` since ${new Date(s.expectedSince).toLocaleString()}` : ''} · ${s.upgradeWindowHours} h upgrade window`
                : rollout === 'production'
                  ? 'No production version set'
                  : 'No pre-production version set'
              : ''}
          </Text>
        </Group>
      </Group>
      {summary.isError && !s ? (
        <ErrorState error={summary.error} what="client deployment status" />
      ) : (
        <SimpleGrid cols={{ base: 1, lg: 2 }}>
          <Paper p="md" data-testid="client-state-counts" data-total={s?.total}>
            <Title order={4} fz={15} mb="sm">
              {s ? `${s.total.toLocaleString()} device${s.total === 1 ? '' : 's'}` : 'Devices'} by
              state
            </Title>
            <ClientStateCounts summary={s} selected={state} onSelect={setState} />
          </Paper>
          <FailureChart period={period} onPeriod={setPeriod} live={live} />
        </SimpleGrid>
      )}
      <Paper p="md">
        <Group justify="space-between" mb="sm">
          <Title order={4} fz={15}>
            {state ? CLIENT_STATE_META[state].label : 'All devices'}
          </Title>
          <ExportButton
            op={ops.exports.clientStatusDevices}
            filters={{ rollout, collection, state }}
            testId="client-status-export"
          />
        </Group>
        <DeviceList
          rollout={rollout}
          collection={collection}
          state={state}
          refetchMs={live ? LIVE_MS : IDLE_MS}
        />
      </Paper>
    </Stack>
  );
}

const TABS = ['production', 'pre-production', 'reports'] as const;

/** Monitoring > Client status: the production and pre-production client deployment dashboards. */
export function ClientStatusPage() {
  const [params, setParams] = useSearchParams();
  const tab = TABS.find((t) => t === params.get('tab')) ?? 'production';
  // Both dashboards keep the collection chosen with Browse (?collection=) across tabs.
  const setTab = (next: string | null) => {
    const kept = new URLSearchParams(params);
    if (next && next !== 'production') kept.set('tab', next);
    else kept.delete('tab');
    setParams(kept, { replace: true });
  };
  return (
    <>
      <PageHeader
        title="Client status"
        description="Where each device stands in getting the agent version it should run (docs/client-deployment.md)."
      />
      <PageTabs
        value={tab}
        onChange={setTab}
        tabs={[
          {
            value: 'production',
            label: 'Production client deployment',
            testId: 'tab-production',
            panel: <Dashboard rollout="production" />,
          },
          {
            value: 'pre-production',
            label: 'Pre-production client deployment',
            testId: 'tab-pre-production',
            panel: <Dashboard rollout="pre-production" />,
          },
          {
            value: 'reports',
            label: 'Reports',
            testId: 'tab-client-reports',
            panel: <ClientStatusReports />,
          },
        ]}
      />
    </>
  );
}

import { BarChart } from '@mantine/charts';
import { Anchor, Badge, Button, Group, Paper, Stack, Table, Text, Tooltip } from '@mantine/core';
import {
  IconClockExclamation,
  IconMoonStars,
  IconRadar2,
  IconStethoscope,
} from '@tabler/icons-react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  describeSeconds,
  ops,
  type ActivityCheckOutcome,
  type InactiveClientRow,
} from '@steward/protocol';
import { Link, useSearchParams } from 'react-router-dom';
import { api } from '../../api/client';
import { notifyError, notifySuccess } from '../../api/errors';
import { CollectionBrowser } from '../../components/collection-browser';
import { DataTable } from '../../components/data-table';
import { EmptyState } from '../../components/empty-state';
import { ErrorState } from '../../components/error-state';
import { PageHeader } from '../../components/page-header';
import { ExportButton } from '../../components/export-button';
import { PageTabs, useTabParam } from '../../components/page-tabs';
import { RelativeTime } from '../../components/relative-time';
import { useSession } from '../../session/session-context';

const TABS = ['inactive', 'inventory', 'client-check'] as const;
const ALL_SYSTEMS = 'all-systems';

const OUTCOME: Record<ActivityCheckOutcome, { label: string; color: string; help: string }> = {
  'ping-answered': {
    label: 'Ping answered',
    color: 'teal',
    help: 'The push channel answered the site: counts as contact',
  },
  'probe-answered': {
    label: 'Machine up, agent silent',
    color: 'orange',
    help: 'No push channel; the machine answered the probe on its last known address',
  },
  'no-answer': {
    label: 'No answer',
    color: 'red',
    help: 'No push channel, and the probe reached nothing',
  },
};

/** What the site's activity check last found on a device. */
export function ActivityCheckBadge(props: {
  outcome: ActivityCheckOutcome | null;
  detail: string | null;
}) {
  if (props.outcome === null)
    return (
      <Text size="sm" c="dimmed">
        not checked
      </Text>
    );
  const o = OUTCOME[props.outcome];
  return (
    <Tooltip label={`${o.help}${props.detail ? ` — ${props.detail}` : ''}`} multiline w={300}>
      <Badge color={o.color} variant="light" size="sm" data-testid="activity-check-outcome">
        {o.label}
      </Badge>
    </Tooltip>
  );
}

function useScope(): [string | undefined, (id: string) => void] {
  const [params, setParams] = useSearchParams();
  const collection = params.get('collection') ?? undefined;
  return [
    collection === ALL_SYSTEMS ? undefined : collection,
    (id) => {
      const next = new URLSearchParams(params);
      next.set('collection', id);
      setParams(next, { replace: true });
    },
  ];
}

const SIGNALS: { key: keyof InactiveClientRow; label: string }[] = [
  { key: 'lastPolicyRequestAt', label: 'Policy request' },
  { key: 'lastHeartbeatAt', label: 'Heartbeat' },
  { key: 'lastHardwareInventoryAt', label: 'Hardware inv.' },
  { key: 'lastSoftwareInventoryAt', label: 'Software inv.' },
  { key: 'lastStatusAt', label: 'Status message' },
];

function DeviceLink({ id, name }: { id: string; name: string }) {
  return (
    <Anchor component={Link} to={`/devices/${encodeURIComponent(id)}`} size="sm" fw={600}>
      {name}
    </Anchor>
  );
}

function InactiveReport({ collection }: { collection: string | undefined }) {
  const r = useQuery({
    queryKey: ['report', 'inactive-clients', collection],
    queryFn: () =>
      api.call(ops.clientActivity.inactive, { query: collection ? { collection } : {} }),
    refetchInterval: 60_000,
  });
  if (r.isError) return <ErrorState error={r.error} what="inactive clients" />;
  if (r.data?.length === 0)
    return (
      <EmptyState
        icon={<IconMoonStars size={24} />}
        title="No inactive clients"
        description="Every client in scope sent at least one of the five signals within its threshold."
        compact
      />
    );
  return (
    <DataTable
      columns={[
        { label: 'Device' },
        ...SIGNALS.map((s) => ({ label: s.label })),
        { label: 'Site check' },
      ]}
      loading={r.isPending}
      testId="report-inactive"
    >
      {(r.data ?? []).map((row) => (
        <Table.Tr key={row.deviceId} data-testid="report-inactive-row">
          <Table.Td>
            <Group gap={6} wrap="nowrap">
              <DeviceLink id={row.deviceId} name={row.deviceName} />
              {row.obsoleteAt && (
                <Badge color="red" variant="light" size="xs">
                  Obsolete
                </Badge>
              )}
            </Group>
          </Table.Td>
          {SIGNALS.map((s) => {
            const v = row[s.key];
            return (
              <Table.Td key={s.key}>
                <RelativeTime iso={typeof v === 'string' ? v : null} />
              </Table.Td>
            );
          })}
          <Table.Td>
            <Stack gap={2}>
              <ActivityCheckBadge
                outcome={row.activityCheckOutcome}
                detail={row.activityCheckDetail}
              />
              {row.activityCheckedAt && <RelativeTime iso={row.activityCheckedAt} size="xs" />}
            </Stack>
          </Table.Td>
        </Table.Tr>
      ))}
    </DataTable>
  );
}

function InventoryReport({ collection }: { collection: string | undefined }) {
  const r = useQuery({
    queryKey: ['report', 'inventory-overdue', collection],
    queryFn: () =>
      api.call(ops.clientActivity.inventoryOverdue, { query: collection ? { collection } : {} }),
    refetchInterval: 60_000,
  });
  if (r.isError) return <ErrorState error={r.error} what="the inventory report" />;
  const exportButton = (
    <Group justify="flex-end">
      <ExportButton
        op={ops.exports.inventoryOverdue}
        filters={collection ? { collection } : {}}
        testId="inventory-overdue-export"
      />
    </Group>
  );
  if (r.data?.length === 0)
    return (
      <EmptyState
        icon={<IconClockExclamation size={24} />}
        title="Every client ran its inventory on schedule"
        description="Each device's interval is its resultant client settings (site default or a client settings object of one of its collections)."
        compact
      />
    );
  return (
    <Stack gap="xs">
      {exportButton}
      <DataTable
        columns={[
          { label: 'Device' },
          { label: 'Last hardware inventory' },
          { label: 'Interval' },
          { label: 'Interval from' },
          { label: 'Overdue by', ta: 'right' },
        ]}
        loading={r.isPending}
        testId="report-inventory-overdue"
      >
        {(r.data ?? []).map((row) => (
          <Table.Tr key={row.deviceId} data-testid="report-inventory-row">
            <Table.Td>
              <DeviceLink id={row.deviceId} name={row.deviceName} />
            </Table.Td>
            <Table.Td>
              <RelativeTime iso={row.lastHardwareInventoryAt} />
            </Table.Td>
            <Table.Td>{describeSeconds(row.inventoryIntervalSeconds)}</Table.Td>
            <Table.Td>{row.intervalSource}</Table.Td>
            <Table.Td ta="right">{describeSeconds(row.overdueSeconds)}</Table.Td>
          </Table.Tr>
        ))}
      </DataTable>
    </Stack>
  );
}

function ClientCheckSummary({ collection }: { collection: string | undefined }) {
  const r = useQuery({
    queryKey: ['client-check-summary', collection ?? ALL_SYSTEMS],
    queryFn: () =>
      api.call(ops.clientCheck.collectionSummary, {
        params: { id: collection ?? ALL_SYSTEMS },
      }),
    refetchInterval: 60_000,
  });
  if (r.isError) return <ErrorState error={r.error} what="the client check summary" />;
  const s = r.data;
  const chart = (s?.checks ?? []).map((c) => ({
    check: c.check,
    Passed: c.passed,
    Remediated: c.remediated,
    Failed: c.failed,
  }));
  return (
    <Stack gap="md">
      <Text size="sm" c="dimmed" data-testid="client-check-reported">
        {s
          ? `${s.reported} of ${s.members} members of ${s.collectionName} reported a client check`
          : ' '}
      </Text>
      {chart.length > 0 && (
        <BarChart
          h={Math.max(180, chart.length * 32)}
          data={chart}
          dataKey="check"
          type="stacked"
          orientation="vertical"
          yAxisProps={{ width: 120 }}
          xAxisProps={{ allowDecimals: false }}
          xAxisLabel="Devices (latest check)"
          withLegend
          series={[
            { name: 'Passed', color: 'teal.6' },
            { name: 'Remediated', color: 'yellow.6' },
            { name: 'Failed', color: 'red.6' },
          ]}
        />
      )}
      <DataTable
        columns={[
          { label: 'Check' },
          { label: 'Passed', ta: 'right' },
          { label: 'Remediated', ta: 'right' },
          { label: 'Failed', ta: 'right' },
          { label: 'Failing devices', ta: 'right' },
        ]}
        loading={r.isPending}
        testId="client-check-summary"
      >
        {(s?.checks ?? []).map((c) => (
          <Table.Tr key={c.check} data-testid={`client-check-summary-${c.check}`}>
            <Table.Td>{c.check}</Table.Td>
            <Table.Td ta="right">{c.passed}</Table.Td>
            <Table.Td ta="right">{c.remediated}</Table.Td>
            <Table.Td ta="right">
              {c.failed > 0 ? (
                <Text span c="red" fw={600} size="sm">
                  {c.failed}
                </Text>
              ) : (
                0
              )}
            </Table.Td>
            <Table.Td ta="right">
              {c.failed > 0 && (
                <ExportButton
                  op={ops.exports.clientCheckFailures}
                  filters={{ check: c.check, ...(collection ? { collection } : {}) }}
                  testId={`client-check-failures-export-${c.check}`}
                />
              )}
            </Table.Td>
          </Table.Tr>
        ))}
      </DataTable>
      {s && s.checks.length === 0 && (
        <EmptyState
          icon={<IconStethoscope size={24} />}
          title="No client check reported in this collection yet"
          compact
        />
      )}
    </Stack>
  );
}

/**
 * Monitoring > Client health: the reports "inactive clients" and "inventory not run within its
 * schedule", and the client check summarised per collection, for a collection chosen with
 * Browse…; the site's activity check can be run from here.
 */
export function ClientHealthPage() {
  const [tab, setTab] = useTabParam(TABS);
  const [collection, setCollection] = useScope();
  const { can } = useSession();
  const queryClient = useQueryClient();
  const check = useMutation({
    mutationFn: () => api.call(ops.clientActivity.runCheck, {}),
    onSuccess: (run) => {
      notifySuccess(
        `${run.checked} quiet clients checked: ${run.pingAnswered} answered the ping, ${run.probeAnswered} only the probe, ${run.noAnswer} nothing; ${run.markedObsolete} marked obsolete, ${run.removed} removed.`,
        'Activity check done',
      );
      void queryClient.invalidateQueries({ queryKey: ['report'] });
    },
    onError: (e) => notifyError(e, 'Activity check failed'),
  });
  return (
    <>
      <PageHeader
        title="Client health"
        description="Inactive clients with their five signals, inventory that missed its schedule, and the client check per collection."
        actions={
          can('devices:write') && (
            <Button
              variant="light"
              leftSection={<IconRadar2 size={16} />}
              loading={check.isPending}
              onClick={() => check.mutate()}
              data-testid="run-activity-check"
            >
              Check quiet clients now
            </Button>
          )
        }
      />
      <Paper p="sm" mb="md">
        <CollectionBrowser value={collection ?? ALL_SYSTEMS} onChange={setCollection} />
      </Paper>
      <PageTabs
        value={tab}
        onChange={setTab}
        tabs={[
          {
            value: 'inactive',
            label: 'Inactive clients',
            icon: <IconMoonStars size={15} />,
            testId: 'htab-inactive',
            panel: <InactiveReport collection={collection} />,
          },
          {
            value: 'inventory',
            label: 'Inventory overdue',
            icon: <IconClockExclamation size={15} />,
            testId: 'htab-inventory',
            panel: <InventoryReport collection={collection} />,
          },
          {
            value: 'client-check',
            label: 'Client check summary',
            icon: <IconStethoscope size={15} />,
            testId: 'htab-client-check',
            panel: <ClientCheckSummary collection={collection} />,
          },
        ]}
      />
    </>
  );
}

import {
  Badge,
  Code,
  Group,
  Progress,
  Select,
  Stack,
  Switch,
  Table,
  Text,
  TextInput,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconDevices, IconSearch } from '@tabler/icons-react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { DEPLOYMENT_STATES, ops } from '@steward/protocol';
import type {
  DeploymentDeviceFilter,
  DeploymentDeviceState,
  DeploymentStateName,
} from '@steward/protocol';
import { Fragment, useEffect, useRef, useState } from 'react';
import { api } from '../../api/client';
import {
  DEPLOYMENT_STATE_META,
  DeploymentStateBadge,
} from '../../components/deployment-state-badge';
import { DataTable } from '../../components/data-table';
import { BulkActionBar } from '../../components/bulk-action-bar';
import {
  SelectRowTd,
  SelectionBanner,
  useRowSelection,
  type RowSelection,
} from '../../components/row-selection';
import { ExportButton } from '../../components/export-button';
import { EmptyState } from '../../components/empty-state';
import { ExpandToggle, ExpandedRow } from '../../components/expandable-row';
import { Pager } from '../../components/pager';
import { RelativeTime } from '../../components/relative-time';
import { QueryView } from '../../components/query-view';
import { formatBytes } from '../../lib/format';
import { DeviceDeploymentsLink } from './device-deployments-link';
import { dkeys } from './queries';

const NO_IDS: string[] = [];

function DeviceDetails({ row }: { row: DeploymentDeviceState }) {
  const downloading = row.bytesTotal !== null && row.bytesTotal > 0;
  return (
    <Stack gap={6} p="xs" data-testid="deployment-device-details">
      {row.reason && (
        <Text size="sm">
          <Text span fw={600}>
            Reason:{' '}
          </Text>
          {row.reasonCode && <Code mr={6}>{row.reasonCode}</Code>}
          {row.reason}
        </Text>
      )}
      {downloading && (
        <Group gap={8} maw={420}>
          <Text size="xs" c="dimmed">
            Content
          </Text>
          <Progress
            value={((row.bytesDone ?? 0) / (row.bytesTotal ?? 1)) * 100}
            size="sm"
            style={{ flex: 1 }}
          />
          <Text size="xs">
            {formatBytes(row.bytesDone)} / {formatBytes(row.bytesTotal)}
          </Text>
        </Group>
      )}
      <Text size="xs" c="dimmed">
        Runs: {row.runCount} · last state change <RelativeTime iso={row.updatedAt} size="xs" /> ·
        next run {row.nextRunAt ? <RelativeTime iso={row.nextRunAt} size="xs" /> : 'not scheduled'}
      </Text>
      {row.outputTail ? (
        <Code
          block
          mah={260}
          style={{ overflow: 'auto', whiteSpace: 'pre-wrap' }}
          data-testid="output-tail"
        >
          {row.outputTail}
        </Code>
      ) : (
        <Text size="xs" c="dimmed">
          No output captured.
        </Text>
      )}
    </Stack>
  );
}

function DeviceRow(props: { row: DeploymentDeviceState; selection: RowSelection<unknown> }) {
  const { row } = props;
  const [open, setOpen] = useState(false);
  const failedCode = row.state === 'failed' && row.exitCode !== null;
  return (
    <Fragment>
      <Table.Tr
        data-testid="deployment-device-row"
        data-hostname={row.hostname}
        data-state={row.state}
      >
        <SelectRowTd selection={props.selection} id={row.deviceId} label={row.hostname} />
        <Table.Td w={34}>
          <ExpandToggle
            open={open}
            onToggle={() => setOpen((o) => !o)}
            label="Details"
            testId="device-expand"
          />
        </Table.Td>
        <Table.Td>
          <DeviceDeploymentsLink deviceId={row.deviceId} hostname={row.hostname} />
        </Table.Td>
        <Table.Td>
          <Group gap={4} wrap="nowrap">
            <DeploymentStateBadge state={row.state} />
            {row.overdue && (
              <Badge color="orange" variant="outline" size="sm" data-testid="overdue">
                overdue
              </Badge>
            )}
          </Group>
        </Table.Td>
        <Table.Td>
          <Text
            size="sm"
            c={failedCode ? 'red' : undefined}
            fw={failedCode ? 700 : 400}
            data-testid="exit-code"
          >
            {row.exitCode ?? '—'}
          </Text>
        </Table.Td>
        <Table.Td maw={320}>
          <Text size="xs" lineClamp={1} title={row.reason ?? ''}>
            {row.reasonCode ? <Code mr={4}>{row.reasonCode}</Code> : null}
            {row.reason ?? (row.reasonCode ? '' : '—')}
          </Text>
        </Table.Td>
        <Table.Td>
          <RelativeTime iso={row.lastRunAt} />
        </Table.Td>
        <Table.Td ta="right">{row.runCount}</Table.Td>
      </Table.Tr>
      <ExpandedRow open={open} colSpan={8}>
        {open && <DeviceDetails row={row} />}
      </ExpandedRow>
    </Fragment>
  );
}

const STATE_OPTIONS = DEPLOYMENT_STATES.map((s) => ({
  value: s,
  label: DEPLOYMENT_STATE_META[s].label,
}));

/** The drill-down: devices of a deployment in a state, with exit code, reason and output. */
export function DeploymentDevices(props: {
  deploymentId: string;
  state: DeploymentStateName | null;
  onState: (s: DeploymentStateName | null) => void;
  selected: string[];
  onSelected: (ids: string[]) => void;
  /** May rerun (deployments:write): the bulk bar offers Rerun. */
  canRerun?: boolean;
}) {
  const [search, setSearch] = useState('');
  const [debounced] = useDebouncedValue(search, 250);
  const [overdue, setOverdue] = useState(false);
  const [page, setPage] = useState({ offset: 0, limit: 50 });
  const q = {
    state: props.state ?? undefined,
    search: debounced || undefined,
    overdue: overdue || undefined,
    ...page,
  };
  const devices = useQuery({
    queryKey: dkeys.devices(props.deploymentId, q),
    queryFn: () => api.deploymentDevices(props.deploymentId, q),
    placeholderData: keepPreviousData,
    refetchInterval: 5_000,
  });
  const items = devices.data?.items ?? [];
  // The list's filter: "select all matching" reruns on every device it matches, resolved on
  // the site (ADR 0031).
  const filter: DeploymentDeviceFilter = {
    ...(q.state !== undefined ? { state: q.state } : {}),
    ...(q.search !== undefined ? { search: q.search } : {}),
    ...(q.overdue !== undefined ? { overdue: q.overdue } : {}),
  };
  const selection = useRowSelection({
    pageIds: devices.data?.items.map((d) => d.deviceId) ?? NO_IDS,
    total: devices.data?.total ?? 0,
    filter,
  });
  const { onSelected } = props;
  const ids =
    selection.selection && 'ids' in selection.selection ? selection.selection.ids : NO_IDS;
  const idsKey = ids.join(',');
  useEffect(() => onSelected(idsKey === '' ? [] : idsKey.split(',')), [idsKey, onSelected]);
  // The page cleared its selection (Rerun > On the selected devices ran): untick here too.
  const shown = useRef(props.selected.length);
  const { clear } = selection;
  const parentCount = props.selected.length;
  useEffect(() => {
    if (shown.current > 0 && parentCount === 0 && idsKey !== '') clear();
    shown.current = parentCount;
  }, [parentCount, idsKey, clear]);
  return (
    <Stack gap="sm">
      <Group gap="sm">
        <Select
          placeholder="Every state"
          data={STATE_OPTIONS}
          value={props.state}
          onChange={(v) => {
            props.onState(DEPLOYMENT_STATES.find((s) => s === v) ?? null);
            setPage((p) => ({ ...p, offset: 0 }));
          }}
          clearable
          w={220}
          data-testid="device-state-filter"
        />
        <TextInput
          placeholder="Search host names"
          leftSection={<IconSearch size={15} />}
          value={search}
          onChange={(e) => {
            setSearch(e.currentTarget.value);
            setPage((p) => ({ ...p, offset: 0 }));
          }}
          w={240}
        />
        <Switch
          label="Overdue only"
          checked={overdue}
          onChange={(e) => {
            setOverdue(e.currentTarget.checked);
            setPage((p) => ({ ...p, offset: 0 }));
          }}
        />
        {props.selected.length > 0 && (
          <Text size="sm" c="dimmed" data-testid="selected-count">
            {props.selected.length} selected
          </Text>
        )}
        <Group ml="auto">
          <ExportButton
            op={ops.exports.deploymentDevices}
            params={{ id: props.deploymentId }}
            filters={filter}
            testId="deployment-devices-export"
          />
        </Group>
      </Group>
      <SelectionBanner selection={selection} noun="devices" />
      <BulkActionBar
        selection={selection}
        noun="devices"
        actions={props.canRerun ? [{ id: 'rerun', label: 'Rerun', verb: 'Rerun on' }] : []}
        run={async (_action, o) => {
          const chosen = selection.selection;
          if (!chosen) throw new Error('nothing is selected');
          await api.call(ops.deployments.rerun, {
            params: { id: props.deploymentId },
            body:
              'ids' in chosen
                ? { deviceIds: chosen.ids }
                : { filter: chosen.filter, expectedCount: o.expectedCount },
          });
          const n = o.expectedCount;
          return { matched: n, done: n, unchanged: 0, failed: 0, failures: [] };
        }}
        onDone={() => void devices.refetch()}
      />
      <QueryView
        query={devices}
        what="the devices of this deployment"
        isEmpty={items.length === 0}
        empty={
          <EmptyState
            icon={<IconDevices size={24} />}
            title={
              props.state
                ? `No device is ${DEPLOYMENT_STATE_META[props.state].label.toLowerCase()}`
                : 'No targeted devices'
            }
            description="Devices appear when they are members of the deployment’s collection."
            compact
          />
        }
      >
        <DataTable
          selection={selection}
          columns={[
            {},
            { label: 'Device' },
            { label: 'State' },
            { label: 'Exit code' },
            { label: 'Reason' },
            { label: 'Last run' },
            { label: 'Runs', ta: 'right' },
          ]}
          loading={devices.isPending}
          skeletonRows={4}
          testId="deployment-devices"
          minWidth={900}
        >
          {items.map((row) => (
            <DeviceRow key={row.deviceId} row={row} selection={selection} />
          ))}
        </DataTable>
      </QueryView>
      {devices.data && devices.data.total > 0 && (
        <Pager
          offset={page.offset}
          limit={page.limit}
          total={devices.data.total}
          onChange={(offset, limit) => setPage({ offset, limit })}
        />
      )}
    </Stack>
  );
}

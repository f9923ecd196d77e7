import {
  Alert,
  Badge,
  Button,
  Checkbox,
  Group,
  Paper,
  Progress,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
} from '@mantine/core';
import { IconAdjustments, IconPlayerStop, IconRadar } from '@tabler/icons-react';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  DEFAULT_DISCOVERY_PORTS,
  DiscoverySettingsOptions,
  ops,
  type DiscoveredFilter,
  type StartSweepRequest,
  type Sweep,
} from '@steward/protocol';
import { useEffect, useMemo, useState } from 'react';
import { Link } from 'react-router-dom';
import { api } from '../../api/client';
import { errorCode, errorMessage, notifySuccess } from '../../api/errors';
import { DataTable } from '../../components/data-table';
import { EmptyState } from '../../components/empty-state';
import { ErrorState } from '../../components/error-state';
import { PageHeader } from '../../components/page-header';
import { RelativeTime } from '../../components/relative-time';
import { SettingsFields } from '../../components/settings-fields';
import { SettingsPage } from '../../components/settings-page';
import { useSession } from '../../session/session-context';
import { MachineAgentBadge } from './machine-agent-badge';
import { DiscoveredBulkBar } from './discovered-bulk-actions';
import { ExportButton } from '../../components/export-button';
import { Pager } from '../../components/pager';
import { SelectRowTd, SelectionBanner, useRowSelection } from '../../components/row-selection';

const SWEEPS_KEY = 'discovery-sweeps';
const MACHINES_KEY = 'discovery-machines';

const STATE_COLOR: Record<Sweep['state'], string> = {
  running: 'blue',
  completed: 'green',
  failed: 'red',
  cancelled: 'gray',
};

/** "10.1.0.0/24, 10.2.0.5-10.2.0.90" -> subnets and ranges (the site validates each). */
function parseTargets(text: string): Pick<StartSweepRequest, 'subnets' | 'ranges'> {
  const items = text
    .split(/[\s,]+/)
    .map((t) => t.trim())
    .filter((t) => t !== '');
  const subnets = items.filter((t) => t.includes('/'));
  const ranges = items.filter((t) => !t.includes('/'));
  return {
    ...(subnets.length > 0 ? { subnets } : {}),
    ...(ranges.length > 0 ? { ranges } : {}),
  };
}

function parsePorts(text: string): number[] {
  return text
    .split(/[\s,]+/)
    .filter((t) => t !== '')
    .map(Number);
}

function StartSweepForm() {
  const queryClient = useQueryClient();
  const [targets, setTargets] = useState('');
  const [ports, setPorts] = useState(DEFAULT_DISCOVERY_PORTS.join(', '));
  const [icmp, setIcmp] = useState(true);
  const start = useMutation({
    mutationFn: () =>
      api.call(ops.discovery.startSweep, {
        body: { ...parseTargets(targets), ports: parsePorts(ports), icmp },
      }),
    onSuccess: (s) => {
      notifySuccess(`Sweep of ${s.total} addresses started.`);
      void queryClient.invalidateQueries({ queryKey: [SWEEPS_KEY] });
    },
  });
  return (
    <Paper p="md" data-testid="discovery-start">
      <Stack gap="sm">
        <SimpleGrid cols={{ base: 1, md: 2 }}>
          <TextInput
            label="Subnets and ranges"
            description="e.g. 10.1.0.0/24, 10.2.0.10-10.2.0.90; empty: the site's boundaries"
            value={targets}
            onChange={(e) => setTargets(e.currentTarget.value)}
            data-testid="discovery-targets"
          />
          <TextInput
            label="TCP ports"
            description="Probed on every address; 22 also reads the SSH banner"
            value={ports}
            onChange={(e) => setPorts(e.currentTarget.value)}
            data-testid="discovery-ports"
          />
        </SimpleGrid>
        <Group justify="space-between">
          <Checkbox
            label="Send an ICMP echo (ping)"
            checked={icmp}
            onChange={(e) => setIcmp(e.currentTarget.checked)}
            data-testid="discovery-icmp"
          />
          <Button
            leftSection={<IconRadar size={16} />}
            loading={start.isPending}
            onClick={() => start.mutate()}
            data-testid="discovery-start-button"
          >
            Start sweep
          </Button>
        </Group>
        {start.isError && (
          <Alert color="red" data-testid="discovery-start-error">
            {errorCode(start.error)}: {errorMessage(start.error)}
          </Alert>
        )}
      </Stack>
    </Paper>
  );
}

function LatestSweep({ writable }: { writable: boolean }) {
  const queryClient = useQueryClient();
  const sweeps = useQuery({
    queryKey: [SWEEPS_KEY],
    queryFn: () => api.call(ops.discovery.listSweeps, { query: { limit: 1 } }),
    // Follows a running sweep; stops polling once it has ended.
    refetchInterval: (q) => (q.state.data?.items[0]?.state === 'running' ? 1000 : false),
  });
  const sweep = sweeps.data?.items[0];
  const cancel = useMutation({
    mutationFn: (id: string) => api.call(ops.discovery.cancelSweep, { params: { id } }),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: [SWEEPS_KEY] }),
  });
  // The table shows machines as the sweep finds them.
  const found = sweep?.found;
  const state = sweep?.state;
  useEffect(() => {
    if (found !== undefined) void queryClient.invalidateQueries({ queryKey: [MACHINES_KEY] });
  }, [found, state, queryClient]);
  if (sweeps.isError) return <ErrorState error={sweeps.error} what="sweeps" />;
  if (sweep === undefined) return null;
  const pct = sweep.total === 0 ? 100 : Math.round((sweep.done / sweep.total) * 100);
  return (
    <Paper p="md" data-testid="discovery-sweep">
      <Stack gap="xs">
        <Group justify="space-between">
          <Group gap="xs">
            <Text fw={600}>Latest sweep</Text>
            <Badge color={STATE_COLOR[sweep.state]} data-testid="discovery-sweep-state">
              {sweep.state}
            </Badge>
            <Text size="sm" c="dimmed">
              {sweep.targets.join(', ')} · by {sweep.requestedBy} ·{' '}
              <RelativeTime iso={sweep.startedAt} span />
            </Text>
          </Group>
          {sweep.state === 'running' && writable && (
            <Button
              size="xs"
              variant="light"
              color="red"
              leftSection={<IconPlayerStop size={14} />}
              loading={cancel.isPending}
              onClick={() => cancel.mutate(sweep.id)}
              data-testid="discovery-cancel"
            >
              Cancel
            </Button>
          )}
        </Group>
        <Progress
          value={pct}
          animated={sweep.state === 'running'}
          data-testid="discovery-progress"
        />
        <Text size="sm" data-testid="discovery-progress-text">
          {sweep.done} / {sweep.total} addresses · {sweep.found} found
          {sweep.error ? ` · ${sweep.error}` : ''}
        </Text>
      </Stack>
    </Paper>
  );
}

const NO_ADDRESSES: readonly string[] = [];

/**
 * The discovered machines, with the device list's bulk selection (ADR 0040): tick rows or a
 * page, or select all matching the search and agent filter (resolved on the site), then push
 * the agent, add them to a collection or forget them.
 */
function MachinesTable() {
  const [search, setSearch] = useState('');
  const [agent, setAgent] = useState<'all' | 'with' | 'without'>('all');
  const [page, setPage] = useState({ offset: 0, limit: 50 });
  const filter: DiscoveredFilter = {
    ...(search !== '' ? { search } : {}),
    ...(agent === 'all' ? {} : { hasAgent: agent === 'with' }),
  };
  const machines = useQuery({
    queryKey: [MACHINES_KEY, search, agent, page.offset, page.limit],
    queryFn: () =>
      api.call(ops.discovery.listMachines, {
        query: { ...filter, offset: page.offset, limit: page.limit },
      }),
    placeholderData: keepPreviousData,
  });
  const items = machines.data?.items ?? [];
  const total = machines.data?.total ?? 0;
  const pageIds = useMemo(
    () => machines.data?.items.map((m) => m.address) ?? NO_ADDRESSES,
    [machines.data],
  );
  const selection = useRowSelection({ pageIds, total, filter });
  if (machines.isError) return <ErrorState error={machines.error} what="discovered machines" />;
  return (
    <Stack gap="sm">
      <Group>
        <TextInput
          placeholder="Address, DNS name, MAC or OS"
          value={search}
          onChange={(e) => {
            setSearch(e.currentTarget.value);
            setPage({ ...page, offset: 0 });
          }}
          data-testid="discovery-search"
          w={320}
        />
        <SegmentedControl
          value={agent}
          onChange={(v) => {
            setAgent(v === 'with' ? 'with' : v === 'without' ? 'without' : 'all');
            setPage({ ...page, offset: 0 });
          }}
          data={[
            { value: 'all', label: 'All' },
            { value: 'with', label: 'Has agent' },
            { value: 'without', label: 'No agent' },
          ]}
          data-testid="discovery-agent-filter"
        />
        <Text size="sm" c="dimmed">
          {total.toLocaleString()} machines
        </Text>
        <Group ml="auto">
          <ExportButton
            op={ops.exports.discoveredMachines}
            filters={filter}
            testId="discovered-export"
          />
        </Group>
      </Group>
      <DiscoveredBulkBar selection={selection} onDone={() => selection.clear()} />
      <SelectionBanner selection={selection} noun="machines" />
      {!machines.isPending && items.length === 0 ? (
        <EmptyState
          icon={<IconRadar />}
          title="No machines discovered"
          description="Start a sweep above to look for machines on the network."
          testId="discovery-empty"
        />
      ) : (
        <>
          <DataTable
            testId="discovery-machines"
            loading={machines.isPending}
            minWidth={900}
            selection={selection}
            columns={[
              { label: 'Address' },
              { label: 'DNS name' },
              { label: 'MAC' },
              { label: 'Open ports' },
              { label: 'OS guess' },
              { label: 'Has agent' },
              { label: 'Last seen' },
            ]}
          >
            {items.map((m) => (
              <Table.Tr key={m.address} data-testid={`discovery-machine-${m.address}`}>
                <SelectRowTd selection={selection} id={m.address} label={m.address} />
                <Table.Td ff="monospace">{m.address}</Table.Td>
                <Table.Td>{m.dnsName ?? '–'}</Table.Td>
                <Table.Td ff="monospace">{m.mac ?? '–'}</Table.Td>
                <Table.Td>{m.openPorts.join(', ') || (m.pingable ? 'answers ping' : '–')}</Table.Td>
                <Table.Td title={m.sshBanner ?? undefined}>{m.osGuess ?? '–'}</Table.Td>
                <Table.Td>
                  <MachineAgentBadge m={m} />
                </Table.Td>
                <Table.Td>
                  <RelativeTime iso={m.lastSeenAt} size="sm" />
                </Table.Td>
              </Table.Tr>
            ))}
          </DataTable>
          <Pager
            offset={page.offset}
            limit={page.limit}
            total={total}
            onChange={(offset, limit) => setPage({ offset, limit })}
            pageSizes={[50, 100, 200, 500]}
            testId="discovery-pager"
          />
        </>
      )}
    </Stack>
  );
}

/** Monitoring > Discovery: sweep subnets for machines and see which have an agent. */
export function DiscoveryPage() {
  const { can } = useSession();
  const writable = can('devices:write');
  return (
    <>
      <PageHeader
        title="Discovery"
        description="Machines found on the network by sweeps of subnets and ranges; those without an agent are candidates for a push install."
        icon={<IconRadar />}
        testId="discovery-page"
        actions={
          <Group gap="xs">
            <ExportButton op={ops.exports.discoverySweeps} testId="sweeps-export" />
            <Button
              component={Link}
              to="/monitoring/discovery/settings"
              variant="default"
              leftSection={<IconAdjustments size={16} />}
              data-testid="discovery-settings-link"
            >
              Settings
            </Button>
          </Group>
        }
      />
      <Stack gap="md">
        {writable && <StartSweepForm />}
        <LatestSweep writable={writable} />
        <MachinesTable />
      </Stack>
    </>
  );
}

/** Discovery limits (addresses per sweep, probe rate) and the schedule, from their declaration. */
export function DiscoverySettingsPage() {
  const { can } = useSession();
  const writable = can('devices:write');
  return (
    <SettingsPage
      title="Discovery settings"
      description="Limits every sweep obeys, and the scheduled sweep of the site's boundaries."
      what="the discovery settings"
      queryKey="discovery-settings"
      load={() => api.call(ops.discovery.getSettings, {})}
      save={(s) => api.call(ops.discovery.updateSettings, { body: s })}
      savedMessage="Discovery settings saved."
      writable={writable}
      testId="discovery-settings"
      skeletonLines={3}
    >
      {(draft, setDraft) => (
        <Paper p="md">
          <SettingsFields
            declaration={DiscoverySettingsOptions}
            values={draft}
            onChange={(k, v) => setDraft({ ...draft, [k]: v })}
            disabled={!writable}
            testIdPrefix="discovery-setting"
          />
        </Paper>
      )}
    </SettingsPage>
  );
}

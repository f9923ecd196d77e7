import { Button, Group, Paper, Tabs } from '@mantine/core';
import { IconDevices, IconKey, IconRefresh, IconSearch } from '@tabler/icons-react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { type DeviceListSort, ops } from '@steward/protocol';
import { useEffect, useRef } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { api } from '../../api/client';
import { ONLINE_POLL_MS } from '../../components/device-status-badges';
import { EmptyState } from '../../components/empty-state';
import { ErrorState } from '../../components/error-state';
import { ExportButton } from '../../components/export-button';
import { PageHeader } from '../../components/page-header';
import { Pager } from '../../components/pager';
import { DeviceTable } from './device-table';
import { InstallCommandButton } from './install-command-modal';
import { hasListParams, stateOfView, useDeviceListState } from './device-list-filters';
import { DeviceListToolbar, isFiltered } from './device-list-toolbar';
import { SavedViewsMenu, useSavedViews } from './saved-views-menu';
import { SelectionBanner, useRowSelection } from '../../components/row-selection';
import { DeviceBulkBar } from './device-bulk-actions';
import { ImportedComputersTable, UnknownComputersTable } from '../task-sequences/computers-page';

const NO_IDS: string[] = [];

function EnrolledDevices() {
  const [state, update, replace] = useDeviceListState();
  const [params] = useSearchParams();
  const views = useSavedViews();
  // A bare /devices opens the user's default view, once (clearing the filters later stays clear).
  const defaultChecked = useRef(false);
  useEffect(() => {
    if (defaultChecked.current || !views.data) return;
    defaultChecked.current = true;
    const preferred = views.data.find((v) => v.isDefault);
    if (preferred && !hasListParams(params)) replace(stateOfView(preferred.state, preferred.id));
  }, [views.data, params, replace]);
  // A link naming only a view (`?view=<id>`) shows that view's list.
  const viewOnly = state.view !== undefined && [...params.keys()].every((k) => k === 'view');
  const linked = useQuery({
    queryKey: ['views', 'one', state.view],
    queryFn: () => api.getView(state.view ?? ''),
    enabled: viewOnly,
  });
  const linkedApplied = useRef<string | undefined>(undefined);
  useEffect(() => {
    if (!viewOnly || !linked.data || linkedApplied.current === linked.data.id) return;
    linkedApplied.current = linked.data.id;
    replace(stateOfView(linked.data.state, linked.data.id));
  }, [viewOnly, linked.data, replace]);

  const devices = useQuery({
    queryKey: ['devices', 'list', { ...state, view: undefined, density: undefined }],
    queryFn: () =>
      api.listDevices({
        search: state.search || undefined,
        status: state.status,
        collection: state.collection,
        sort: state.sort,
        order: state.order,
        offset: state.offset,
        limit: state.limit,
        columns: state.columns.join(','),
      }),
    placeholderData: keepPreviousData,
    // Online follows the push channel within seconds (ADR 0035): the list shows it as fast.
    refetchInterval: ONLINE_POLL_MS,
  });

  const onSort = (field: DeviceListSort) =>
    update({ sort: field, order: state.sort === field && state.order === 'asc' ? 'desc' : 'asc' });
  const filtered = isFiltered(state, true);
  const total = devices.data?.total ?? 0;
  const selection = useRowSelection({
    pageIds: devices.data?.items.map((d) => d.id) ?? NO_IDS,
    total,
    filter: {
      ...(state.search ? { search: state.search } : {}),
      ...(state.status ? { status: state.status } : {}),
      ...(state.collection ? { collection: state.collection } : {}),
    },
  });

  return (
    <>
      <PageHeader
        title="Devices"
        description="Every machine enrolled in this site, with its latest inventory and contact."
        actions={
          <Group gap="xs">
            <ExportButton
              op={ops.exports.devices}
              filters={{
                search: state.search || undefined,
                status: state.status,
                collection: state.collection,
                sort: state.sort,
                order: state.order,
              }}
              testId="device-export"
            />
            <InstallCommandButton />
            <Button
              variant="default"
              leftSection={<IconRefresh size={16} />}
              onClick={() => void devices.refetch()}
              loading={devices.isFetching && !devices.isPending}
            >
              Refresh
            </Button>
          </Group>
        }
      />
      <Paper p="md">
        <DeviceListToolbar state={state} update={update} withCollection>
          <SavedViewsMenu state={state} apply={replace} />
        </DeviceListToolbar>
        {devices.isError && !devices.data ? (
          <ErrorState error={devices.error} what="the devices" />
        ) : !devices.isPending && total === 0 ? (
          filtered ? (
            <EmptyState
              icon={<IconSearch size={24} />}
              title="No device matches these filters"
              description="Change the search text, the status or the collection, or clear the filters."
            />
          ) : (
            <EmptyState
              icon={<IconDevices size={26} />}
              title="No devices enrolled yet"
              description="Create an enrolment token, then run `steward-agent enroll --token …` on each machine (or push the agent over SSH). Devices appear here as soon as they enrol."
              action={
                <Button
                  component={Link}
                  to="/admin/enrolment-tokens"
                  leftSection={<IconKey size={16} />}
                >
                  Create an enrolment token
                </Button>
              }
            />
          )
        ) : (
          <>
            <DeviceBulkBar selection={selection} />
            <SelectionBanner selection={selection} noun="devices" />
            <DeviceTable
              selection={selection}
              devices={devices.data?.items}
              loading={devices.isPending}
              columns={state.columns}
              density={state.density}
              sort={state.sort}
              order={state.order}
              onSort={onSort}
            />
            <Pager
              offset={state.offset}
              limit={state.limit}
              total={total}
              onChange={(offset, limit) => update({ offset, limit })}
              testId="device-pager"
            />
          </>
        )}
      </Paper>
    </>
  );
}

/** The device list's kinds (`?kind=`): enrolled devices, and the OS-deployment records. */
const KINDS = ['devices', 'unknown', 'imported'] as const;
type Kind = (typeof KINDS)[number];

/**
 * Devices, with unknown and imported computers on tabs of their own: they are machines an
 * administrator looks for here, but not devices (no agent, no inventory), so they keep their
 * own columns instead of empty device ones.
 */
export function DeviceListPage() {
  const [params, setParams] = useSearchParams();
  const kind: Kind = KINDS.find((k) => k === params.get('kind')) ?? 'devices';
  const choose = (next: string | null) => {
    const p = new URLSearchParams(params);
    if (next === null || next === 'devices') p.delete('kind');
    else p.set('kind', next);
    setParams(p);
  };
  return (
    <Tabs value={kind} onChange={choose} keepMounted={false}>
      <Tabs.List mb="sm">
        <Tabs.Tab value="devices" data-testid="device-kind-devices">
          Devices
        </Tabs.Tab>
        <Tabs.Tab value="unknown" data-testid="device-kind-unknown">
          Unknown computers
        </Tabs.Tab>
        <Tabs.Tab value="imported" data-testid="device-kind-imported">
          Imported computers
        </Tabs.Tab>
      </Tabs.List>
      <Tabs.Panel value="devices">
        <EnrolledDevices />
      </Tabs.Panel>
      <Tabs.Panel value="unknown">
        <Paper p="md">
          <UnknownComputersTable />
        </Paper>
      </Tabs.Panel>
      <Tabs.Panel value="imported">
        <Paper p="md">
          <ImportedComputersTable />
        </Paper>
      </Tabs.Panel>
    </Tabs>
  );
}

import { Button, Group, Paper, SegmentedControl, TextInput } from '@mantine/core';
import { useDebouncedCallback } from '@mantine/hooks';
import { IconDevices, IconFilterOff, IconKey, IconRefresh, IconSearch } from '@tabler/icons-react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { DeviceSort } from '@steward/protocol';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { api } from '../../api/client';
import { CollectionSelect } from '../../components/collection-select';
import { EmptyState } from '../../components/empty-state';
import { ErrorState } from '../../components/error-state';
import { PageHeader } from '../../components/page-header';
import { Pager } from '../../components/pager';
import { DeviceTable } from './device-table';
import { InstallCommandButton } from './install-command-modal';
import { parseStatus, useDeviceListState } from './device-list-filters';
import { SelectionBanner, useRowSelection } from '../../components/row-selection';
import { DeviceBulkBar } from './device-bulk-actions';

const NO_IDS: string[] = [];

export function DeviceListPage() {
  const [state, update] = useDeviceListState();
  const [searchText, setSearchText] = useState(state.search);
  const pushSearch = useDebouncedCallback((search: string) => update({ search }), 300);

  const devices = useQuery({
    queryKey: ['devices', 'list', state],
    queryFn: () =>
      api.listDevices({
        search: state.search || undefined,
        status: state.status,
        collection: state.collection,
        sort: state.sort,
        order: state.order,
        offset: state.offset,
        limit: state.limit,
      }),
    placeholderData: keepPreviousData,
    refetchInterval: 30_000,
  });

  const onSort = (field: DeviceSort) =>
    update({ sort: field, order: state.sort === field && state.order === 'asc' ? 'desc' : 'asc' });
  const filtered = Boolean(state.search || state.status || state.collection);
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
        <Group gap="sm" mb="sm" wrap="wrap">
          <TextInput
            placeholder="Search name, address, OS, user…"
            leftSection={<IconSearch size={16} />}
            value={searchText}
            onChange={(e) => {
              setSearchText(e.currentTarget.value);
              pushSearch(e.currentTarget.value);
            }}
            w={300}
            data-testid="device-search"
          />
          <SegmentedControl
            size="sm"
            value={state.status ?? 'all'}
            onChange={(v) => update({ status: parseStatus(v) })}
            data={[
              { value: 'all', label: 'All' },
              { value: 'active', label: 'Active' },
              { value: 'inactive', label: 'Inactive' },
              { value: 'online', label: 'Online' },
              { value: 'obsolete', label: 'Obsolete' },
              { value: 'revoked', label: 'Revoked' },
            ]}
            data-testid="device-status-filter"
          />
          <CollectionSelect
            placeholder="All collections"
            value={state.collection ?? null}
            onChange={(id) => update({ collection: id ?? undefined })}
            w={260}
            data-testid="device-collection-filter"
          />
          {filtered && (
            <Button
              variant="subtle"
              color="gray"
              leftSection={<IconFilterOff size={16} />}
              onClick={() => {
                setSearchText('');
                update({ search: '', status: undefined, collection: undefined });
              }}
            >
              Clear filters
            </Button>
          )}
        </Group>
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

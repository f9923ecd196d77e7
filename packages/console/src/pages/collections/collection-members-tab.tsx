import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { IconSearch, IconUsersGroup } from '@tabler/icons-react';
import type { DeviceListSort } from '@steward/protocol';
import { api } from '../../api/client';
import { EmptyState } from '../../components/empty-state';
import { ErrorState } from '../../components/error-state';
import { Pager } from '../../components/pager';
import { DeviceTable } from '../devices/device-table';
import { useDeviceListState } from '../devices/device-list-filters';
import { DeviceListToolbar, isFiltered } from '../devices/device-list-toolbar';
import { CollectionDiscoveredMembers } from './collection-discovered-members';
import { ExportButton } from '../../components/export-button';
import { ops } from '@steward/protocol';
import { Group } from '@mantine/core';
import { SelectionBanner, useRowSelection } from '../../components/row-selection';
import { DeviceBulkBar } from '../devices/device-bulk-actions';

const NO_IDS: string[] = [];

/**
 * A collection's members: the device list's own filters, columns and density (the same state
 * hook and toolbar, kept in the address), narrowed to the collection's members by the site.
 */
export function CollectionMembersTab({ collectionId }: { collectionId: string }) {
  const [state, update] = useDeviceListState();
  const members = useQuery({
    queryKey: ['collection', collectionId, 'members', { ...state, density: undefined }],
    queryFn: () =>
      api.listDevices({
        collection: collectionId,
        search: state.search || undefined,
        status: state.status,
        sort: state.sort,
        order: state.order,
        offset: state.offset,
        limit: state.limit,
        columns: state.columns.join(','),
      }),
    placeholderData: keepPreviousData,
    refetchInterval: 15_000,
  });
  const filtered = isFiltered(state, false);
  const onSort = (field: DeviceListSort) =>
    update({ sort: field, order: state.sort === field && state.order === 'asc' ? 'desc' : 'asc' });
  const toolbar = (
    <DeviceListToolbar state={state} update={update} withCollection={false} testIdPrefix="member" />
  );
  // "All matching" is the members tab's own filter: this collection's members, searched.
  const selection = useRowSelection({
    pageIds: members.data?.items.map((d) => d.id) ?? NO_IDS,
    total: members.data?.total ?? 0,
    filter: {
      collection: collectionId,
      ...(state.search ? { search: state.search } : {}),
      ...(state.status ? { status: state.status } : {}),
    },
  });
  if (members.isError && !members.data)
    return (
      <>
        {toolbar}
        <ErrorState error={members.error} what="the members" />
      </>
    );
  if (!members.isPending && members.data.total === 0) {
    return (
      <>
        {toolbar}
        {filtered ? (
          <EmptyState
            icon={<IconSearch size={24} />}
            title="No member matches these filters"
            description="Change the search text or the status, or clear the filters."
            compact
          />
        ) : (
          <EmptyState
            icon={<IconUsersGroup size={24} />}
            title="No members"
            description="No device matches the rules now. Edit the rules, or evaluate again after the devices' next inventory."
            compact
          />
        )}
        <CollectionDiscoveredMembers collectionId={collectionId} />
      </>
    );
  }
  return (
    <>
      {toolbar}
      <Group justify="flex-end" mb="xs">
        <ExportButton
          op={ops.exports.collectionMembers}
          params={{ id: collectionId }}
          testId="member-export"
        />
      </Group>
      <DeviceBulkBar selection={selection} fixedCollection={collectionId} />
      <SelectionBanner selection={selection} noun="members" />
      <DeviceTable
        selection={selection}
        devices={members.data?.items}
        loading={members.isPending}
        columns={state.columns}
        density={state.density}
        sort={state.sort}
        order={state.order}
        onSort={onSort}
        testId="member-table"
      />
      <Pager
        offset={state.offset}
        limit={state.limit}
        total={members.data?.total ?? 0}
        onChange={(offset, limit) => update({ offset, limit })}
        testId="member-pager"
      />
      <CollectionDiscoveredMembers collectionId={collectionId} />
    </>
  );
}

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { IconUsersGroup } from '@tabler/icons-react';
import { useState } from 'react';
import { api } from '../../api/client';
import { EmptyState } from '../../components/empty-state';
import { ErrorState } from '../../components/error-state';
import { Pager } from '../../components/pager';
import { DeviceTable } from '../devices/device-table';
import { CollectionDiscoveredMembers } from './collection-discovered-members';
import { SelectionBanner, useRowSelection } from '../../components/row-selection';
import { DeviceBulkBar } from '../devices/device-bulk-actions';

const NO_IDS: string[] = [];

export function CollectionMembersTab({ collectionId }: { collectionId: string }) {
  const [paging, setPaging] = useState({ offset: 0, limit: 50 });
  const members = useQuery({
    queryKey: ['collection', collectionId, 'members', paging],
    queryFn: () => api.collectionMembers(collectionId, paging),
    placeholderData: keepPreviousData,
    refetchInterval: 15_000,
  });
  // "All matching" is the device list's filter for this collection's members.
  const selection = useRowSelection({
    pageIds: members.data?.items.map((d) => d.id) ?? NO_IDS,
    total: members.data?.total ?? 0,
    filter: { collection: collectionId },
  });
  if (members.isError && !members.data)
    return <ErrorState error={members.error} what="the members" />;
  if (!members.isPending && members.data.total === 0) {
    return (
      <>
        <EmptyState
          icon={<IconUsersGroup size={24} />}
          title="No members"
          description="No device matches the rules now. Edit the rules, or evaluate again after the devices' next inventory."
          compact
        />
        <CollectionDiscoveredMembers collectionId={collectionId} />
      </>
    );
  }
  return (
    <>
      <DeviceBulkBar selection={selection} fixedCollection={collectionId} />
      <SelectionBanner selection={selection} noun="members" />
      <DeviceTable
        selection={selection}
        devices={members.data?.items}
        loading={members.isPending}
        testId="member-table"
      />
      <Pager
        offset={paging.offset}
        limit={paging.limit}
        total={members.data?.total ?? 0}
        onChange={(offset, limit) => setPaging({ offset, limit })}
        testId="member-pager"
      />
      <CollectionDiscoveredMembers collectionId={collectionId} />
    </>
  );
}

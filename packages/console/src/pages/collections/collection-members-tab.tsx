import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { IconUsersGroup } from '@tabler/icons-react';
import { useState } from 'react';
import { api } from '../../api/client';
import { EmptyState } from '../../components/empty-state';
import { ErrorState } from '../../components/error-state';
import { Pager } from '../../components/pager';
import { DeviceTable } from '../devices/device-table';
import { CollectionDiscoveredMembers } from './collection-discovered-members';
import { ExportButton } from '../../components/export-button';
import { ops } from '@steward/protocol';
import { Group } from '@mantine/core';

export function CollectionMembersTab({ collectionId }: { collectionId: string }) {
  const [paging, setPaging] = useState({ offset: 0, limit: 50 });
  const members = useQuery({
    queryKey: ['collection', collectionId, 'members', paging],
    queryFn: () => api.collectionMembers(collectionId, paging),
    placeholderData: keepPreviousData,
    refetchInterval: 15_000,
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
      <Group justify="flex-end" mb="xs">
        <ExportButton
          op={ops.exports.collectionMembers}
          params={{ id: collectionId }}
          testId="member-export"
        />
      </Group>
      <DeviceTable
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

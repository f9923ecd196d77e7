import { Anchor, Badge, Button, Table, Text } from '@mantine/core';
import { IconHistory, IconMinus, IconPlus } from '@tabler/icons-react';
import { useInfiniteQuery } from '@tanstack/react-query';
import { pagedByLastId } from '../../lib/paging';
import { Link } from 'react-router-dom';
import { api } from '../../api/client';
import { EmptyState } from '../../components/empty-state';
import { ErrorState } from '../../components/error-state';
import { RelativeTime } from '../../components/relative-time';
import { TableSkeleton } from '../../components/table-skeleton';
import { formatDateTime } from '../../lib/format';

const PAGE = 100;

/** Who joined and left the collection, and under which revision of its rules. */
export function CollectionHistoryTab({ collectionId }: { collectionId: string }) {
  const history = useInfiniteQuery({
    queryKey: ['collection', collectionId, 'membership-history'],
    queryFn: ({ pageParam }) =>
      api.collectionMembershipHistory(collectionId, { limit: PAGE, before: pageParam }),
    ...pagedByLastId(PAGE),
  });
  if (history.isError) return <ErrorState error={history.error} what="the membership history" />;
  const changes = history.data?.pages.flat() ?? [];
  if (!history.isPending && changes.length === 0) {
    return (
      <EmptyState
        icon={<IconHistory size={24} />}
        title="No membership changes yet"
        description="Every device that joins or leaves the collection is recorded here with the time and the rule revision."
        compact
      />
    );
  }
  return (
    <>
      <Table className="steward-table" data-testid="membership-history">
        <Table.Thead>
          <Table.Tr>
            <Table.Th w={200}>Time</Table.Th>
            <Table.Th w={110}>Change</Table.Th>
            <Table.Th>Device</Table.Th>
            <Table.Th w={100}>Revision</Table.Th>
          </Table.Tr>
        </Table.Thead>
        {history.isPending ? (
          <TableSkeleton columns={4} />
        ) : (
          <Table.Tbody>
            {changes.map((c) => (
              <Table.Tr key={c.id} data-testid="membership-change">
                <Table.Td>
                  <Text size="sm">{formatDateTime(c.at)}</Text>
                  <RelativeTime iso={c.at} size="xs" c="dimmed" />
                </Table.Td>
                <Table.Td>
                  <Badge
                    color={c.change === 'added' ? 'teal' : 'red'}
                    variant="light"
                    leftSection={
                      c.change === 'added' ? <IconPlus size={11} /> : <IconMinus size={11} />
                    }
                  >
                    {c.change}
                  </Badge>
                </Table.Td>
                <Table.Td>
                  <Anchor
                    component={Link}
                    to={`/devices/${encodeURIComponent(c.deviceId)}`}
                    size="sm"
                  >
                    {c.deviceName}
                  </Anchor>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">#{c.revision}</Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        )}
      </Table>
      {history.hasNextPage && (
        <Button
          variant="default"
          mt="sm"
          onClick={() => void history.fetchNextPage()}
          loading={history.isFetchingNextPage}
        >
          Load older
        </Button>
      )}
    </>
  );
}

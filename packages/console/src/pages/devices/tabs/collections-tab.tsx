import { Anchor, Badge, Group, Table, Text } from '@mantine/core';
import { IconCategory2 } from '@tabler/icons-react';
import type { DeviceDetail } from '@steward/protocol';
import { Link } from 'react-router-dom';
import { useCollections } from '../../../components/collection-select';
import { EmptyState } from '../../../components/empty-state';
import { RelativeTime } from '../../../components/relative-time';

export function CollectionsTab({ device }: { device: DeviceDetail }) {
  const collections = useCollections();
  const byId = new Map((collections.data ?? []).map((c) => [c.id, c]));
  if (device.collections.length === 0) {
    return (
      <EmptyState
        icon={<IconCategory2 size={24} />}
        title="Not a member of any collection"
        description="Collections pick devices by query, by direct membership or by including other collections."
        compact
      />
    );
  }
  return (
    <Table className="steward-table" data-testid="device-collections">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Collection</Table.Th>
          <Table.Th>Description</Table.Th>
          <Table.Th ta="right">Members</Table.Th>
          <Table.Th>Last evaluated</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {device.collections.map((c) => {
          const full = byId.get(c.id);
          return (
            <Table.Tr key={c.id}>
              <Table.Td>
                <Group gap={6}>
                  <Anchor
                    component={Link}
                    to={`/collections/${encodeURIComponent(c.id)}`}
                    size="sm"
                    fw={600}
                  >
                    {c.name}
                  </Anchor>
                  {full?.builtin && (
                    <Badge size="xs" variant="light" color="gray">
                      built-in
                    </Badge>
                  )}
                </Group>
              </Table.Td>
              <Table.Td>
                <Text size="sm" c="dimmed" lineClamp={1}>
                  {full?.description || '—'}
                </Text>
              </Table.Td>
              <Table.Td ta="right">{full?.memberCount.toLocaleString() ?? '…'}</Table.Td>
              <Table.Td>
                <RelativeTime iso={full?.lastEvaluatedAt} />
              </Table.Td>
            </Table.Tr>
          );
        })}
      </Table.Tbody>
    </Table>
  );
}

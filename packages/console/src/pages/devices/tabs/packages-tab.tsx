import { ExportButton } from '../../../components/export-button';
import { Badge, Group, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { IconPackage, IconSearch } from '@tabler/icons-react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { ops, type DeviceDetail } from '@steward/protocol';
import { useState } from 'react';
import { api } from '../../../api/client';
import { EmptyState } from '../../../components/empty-state';
import { ErrorState } from '../../../components/error-state';
import { Pager } from '../../../components/pager';
import { TableSkeleton } from '../../../components/table-skeleton';

/** Installed packages, paged and searched on the server (a machine can have thousands). */
export function PackagesTab({ device }: { device: DeviceDetail }) {
  const [search, setSearch] = useState('');
  const [debounced] = useDebouncedValue(search.trim(), 250);
  const [paging, setPaging] = useState({ offset: 0, limit: 50 });
  const packages = useQuery({
    queryKey: ['device', device.id, 'packages', debounced, paging],
    queryFn: () => api.devicePackages(device.id, { search: debounced || undefined, ...paging }),
    placeholderData: keepPreviousData,
  });
  const total = packages.data?.total ?? 0;

  if (device.packageCount === 0 && !packages.isPending && total === 0 && !debounced) {
    return (
      <EmptyState
        icon={<IconPackage size={24} />}
        title="No packages reported"
        description="The agent reports installed packages (dpkg, rpm) with its inventory. Use “Collect inventory now” to ask for a report."
        compact
      />
    );
  }
  return (
    <div data-testid="packages-tab">
      <Group justify="space-between" mb="xs">
        <TextInput
          placeholder="Search packages by name…"
          leftSection={<IconSearch size={15} />}
          value={search}
          onChange={(e) => {
            setSearch(e.currentTarget.value);
            setPaging((p) => ({ ...p, offset: 0 }));
          }}
          w={300}
          data-testid="package-search"
        />
        <Group gap="sm">
          <Text size="sm" c="dimmed" data-testid="package-total">
            {total.toLocaleString()} package{total === 1 ? '' : 's'}
            {debounced ? ` matching “${debounced}”` : ' installed'}
          </Text>
          <ExportButton
            op={ops.exports.devicePackages}
            params={{ id: device.id }}
            filters={{ search: debounced || undefined }}
            testId="device-packages-export"
          />
        </Group>
      </Group>
      {packages.isError && !packages.data ? (
        <ErrorState error={packages.error} what="the packages" />
      ) : (
        <>
          <Table.ScrollContainer minWidth={600}>
            <Table className="steward-table" striped data-testid="packages-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Version</Table.Th>
                  <Table.Th w={110}>Architecture</Table.Th>
                  <Table.Th w={110}>Manager</Table.Th>
                </Table.Tr>
              </Table.Thead>
              {packages.isPending ? (
                <TableSkeleton columns={4} rows={10} />
              ) : (
                <Table.Tbody style={{ opacity: packages.isPlaceholderData ? 0.6 : 1 }}>
                  {packages.data.items.map((p) => (
                    <Table.Tr key={`${p.name}:${p.arch}:${p.version}`} data-testid="package-row">
                      <Table.Td fw={500}>{p.name}</Table.Td>
                      <Table.Td className="steward-mono">{p.version}</Table.Td>
                      <Table.Td>{p.arch}</Table.Td>
                      <Table.Td>
                        <Badge
                          size="sm"
                          variant="light"
                          color={p.manager === 'dpkg' ? 'indigo' : 'orange'}
                        >
                          {p.manager}
                        </Badge>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              )}
            </Table>
          </Table.ScrollContainer>
          {!packages.isPending && total === 0 && (
            <Text size="sm" c="dimmed" ta="center" py="md">
              No package matches “{debounced}”.
            </Text>
          )}
          <Pager
            offset={paging.offset}
            limit={paging.limit}
            total={total}
            onChange={(offset, limit) => setPaging({ offset, limit })}
          />
        </>
      )}
    </div>
  );
}

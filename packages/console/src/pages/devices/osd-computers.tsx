import { Table, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { ops } from '@steward/protocol';
import { api } from '../../api/client';
import { ErrorState } from '../../components/error-state';
import { RelativeTime } from '../../components/relative-time';

/**
 * Unknown and imported computers (issue 11, ADR 0065/0076): machines OS deployment knows that
 * are not devices yet. Shown on the device list's own tabs and on the boot images page.
 */
export function UnknownComputersTable() {
  const unknown = useQuery({
    queryKey: ['unknown-computers'],
    queryFn: () => api.call(ops.unknownComputers.list, {}),
  });
  if (unknown.error) return <ErrorState error={unknown.error} what="unknown computers" />;
  if (unknown.data?.length === 0)
    return <Text c="dimmed">No unknown computer has started a boot image.</Text>;
  return (
    <Table data-testid="unknown-computers">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>SMBIOS UUID</Table.Th>
          <Table.Th>MACs</Table.Th>
          <Table.Th>Arch</Table.Th>
          <Table.Th>Firmware</Table.Th>
          <Table.Th>Address</Table.Th>
          <Table.Th>Last seen</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {(unknown.data ?? []).map((c) => (
          <Table.Tr key={c.id}>
            <Table.Td>{c.smbiosUuid ?? '-'}</Table.Td>
            <Table.Td>{c.macs.join(' ')}</Table.Td>
            <Table.Td>{c.arch}</Table.Td>
            <Table.Td>{c.firmware}</Table.Td>
            <Table.Td>{c.address}</Table.Td>
            <Table.Td>
              <RelativeTime iso={c.lastSeen} />
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

export function ImportedComputersTable() {
  const imported = useQuery({
    queryKey: ['imported-computers'],
    queryFn: () => api.call(ops.importedComputers.list, {}),
  });
  if (imported.error) return <ErrorState error={imported.error} what="imported computers" />;
  if (imported.data?.length === 0)
    return (
      <Text c="dimmed">
        No imported computers. Import them by MAC or SMBIOS UUID with `steward imported-computer
        add` or `import FILE.csv`.
      </Text>
    );
  return (
    <Table data-testid="imported-computers">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Name</Table.Th>
          <Table.Th>MAC</Table.Th>
          <Table.Th>SMBIOS UUID</Table.Th>
          <Table.Th>Variables</Table.Th>
          <Table.Th>Last boot</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {(imported.data ?? []).map((c) => (
          <Table.Tr key={c.id}>
            <Table.Td>{c.name}</Table.Td>
            <Table.Td>{c.mac ?? '-'}</Table.Td>
            <Table.Td>{c.smbiosUuid ?? '-'}</Table.Td>
            <Table.Td>
              {Object.entries(c.variables)
                .map(([k, v]) => `${k}=${v}`)
                .join(' ')}
            </Table.Td>
            <Table.Td>
              {c.lastBootAt ? <RelativeTime iso={c.lastBootAt} /> : 'never (not yet enrolled)'}
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

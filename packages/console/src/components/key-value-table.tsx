import { Table, Text } from '@mantine/core';
import type { ReactNode } from 'react';

/** Label/value rows for the facts of one object. */
export function KeyValueTable({
  rows,
  labelWidth = 180,
}: {
  rows: [string, ReactNode][];
  labelWidth?: number;
}) {
  return (
    <Table verticalSpacing={6} fz="sm" withRowBorders={false}>
      <Table.Tbody>
        {rows.map(([label, value]) => (
          <Table.Tr key={label}>
            <Table.Td w={labelWidth} style={{ verticalAlign: 'top' }}>
              <Text size="sm" c="dimmed">
                {label}
              </Text>
            </Table.Td>
            <Table.Td style={{ wordBreak: 'break-word' }}>{value ?? '—'}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

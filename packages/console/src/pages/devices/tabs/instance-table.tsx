import { Group, Pagination, Table, Text, TextInput } from '@mantine/core';
import { IconSearch } from '@tabler/icons-react';
import type { InventoryInstance } from '@steward/protocol';
import { useState } from 'react';
import type { ReactNode } from 'react';
import { columnsOf, displayValue } from '../../../lib/inventory-values';

export interface InstanceColumn {
  key: string;
  label?: string;
  render?: (instance: InventoryInstance) => ReactNode;
  align?: 'left' | 'right';
  mono?: boolean;
  /** Keep on one line (names, states, times). */
  nowrap?: boolean;
  w?: number;
}

/** Instances of one inventory class, searched and paged in the browser (they are all loaded). */
export function InstanceTable(props: {
  instances: InventoryInstance[];
  columns?: InstanceColumn[];
  pageSize?: number;
  searchPlaceholder?: string;
  toolbar?: ReactNode;
  testId?: string;
  empty?: ReactNode;
}) {
  const [search, setSearch] = useState('');
  const [page, setPage] = useState(1);
  const pageSize = props.pageSize ?? 50;
  const columns: InstanceColumn[] =
    props.columns ?? columnsOf(props.instances).map((key) => ({ key }));
  const needle = search.trim().toLowerCase();
  const rows = needle
    ? props.instances.filter((i) =>
        Object.values(i).some((v) => v !== null && String(v).toLowerCase().includes(needle)),
      )
    : props.instances;
  const pages = Math.max(1, Math.ceil(rows.length / pageSize));
  const current = Math.min(page, pages);
  const visible = rows.slice((current - 1) * pageSize, current * pageSize);

  return (
    <>
      <Group justify="space-between" mb="xs" gap="sm">
        <Group gap="sm">
          <TextInput
            size="sm"
            placeholder={props.searchPlaceholder ?? 'Filter…'}
            leftSection={<IconSearch size={15} />}
            value={search}
            onChange={(e) => {
              setSearch(e.currentTarget.value);
              setPage(1);
            }}
            w={260}
          />
          {props.toolbar}
        </Group>
        <Text size="sm" c="dimmed">
          {rows.length === props.instances.length
            ? `${rows.length.toLocaleString()} items`
            : `${rows.length.toLocaleString()} of ${props.instances.length.toLocaleString()}`}
        </Text>
      </Group>
      {rows.length === 0 ? (
        (props.empty ?? (
          <Text size="sm" c="dimmed" py="md" ta="center">
            Nothing matches “{search}”.
          </Text>
        ))
      ) : (
        <Table.ScrollContainer minWidth={600}>
          <Table className="steward-table" striped data-testid={props.testId}>
            <Table.Thead>
              <Table.Tr>
                {columns.map((c) => (
                  <Table.Th key={c.key} ta={c.align} w={c.w}>
                    {c.label ?? c.key}
                  </Table.Th>
                ))}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {visible.map((instance, i) => (
                <Table.Tr key={i} data-testid={props.testId ? `${props.testId}-row` : undefined}>
                  {columns.map((c) => (
                    <Table.Td
                      key={c.key}
                      ta={c.align}
                      className={c.mono ? 'steward-mono' : undefined}
                      style={c.nowrap ? { whiteSpace: 'nowrap' } : { wordBreak: 'break-word' }}
                    >
                      {c.render ? c.render(instance) : displayValue(instance[c.key])}
                    </Table.Td>
                  ))}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {pages > 1 && (
        <Group justify="flex-end" mt="sm">
          <Pagination size="sm" total={pages} value={current} onChange={setPage} />
        </Group>
      )}
    </>
  );
}

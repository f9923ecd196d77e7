import { Group, Table, UnstyledButton } from '@mantine/core';
import { IconChevronDown, IconChevronUp, IconSelector } from '@tabler/icons-react';
import type { ReactNode } from 'react';

export function SortableTh<K extends string>(props: {
  field: K;
  sort: K | undefined;
  order: 'asc' | 'desc';
  onSort: (field: K) => void;
  children: ReactNode;
  w?: number | string;
}) {
  const active = props.sort === props.field;
  const Icon = active ? (props.order === 'asc' ? IconChevronUp : IconChevronDown) : IconSelector;
  return (
    <Table.Th
      w={props.w}
      aria-sort={active ? (props.order === 'asc' ? 'ascending' : 'descending') : 'none'}
    >
      <UnstyledButton
        onClick={() => props.onSort(props.field)}
        data-testid={`sort-${props.field}`}
        style={{ fontWeight: 'inherit', fontSize: 'inherit' }}
      >
        <Group gap={4} wrap="nowrap">
          {props.children}
          <Icon size={14} stroke={1.6} opacity={active ? 1 : 0.45} />
        </Group>
      </UnstyledButton>
    </Table.Th>
  );
}

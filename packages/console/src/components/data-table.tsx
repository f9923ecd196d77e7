import { Group, Table } from '@mantine/core';
import type { ReactNode } from 'react';
import { TableSkeleton } from './table-skeleton';
import { SelectPageTh, type RowSelection } from './row-selection';

export interface DataTableColumn {
  /** Omitted for a column of row actions. */
  label?: ReactNode;
  w?: number;
  ta?: 'right';
}

/**
 * A list table in the console's style: a header row from `columns`, then skeleton rows while
 * `loading`, else the rows given as children. `minWidth` makes it scroll sideways on narrow screens.
 */
export function DataTable(props: {
  columns: DataTableColumn[];
  loading: boolean;
  /** Placeholder rows while loading; TableSkeleton's default when omitted. */
  skeletonRows?: number;
  testId: string;
  minWidth?: number;
  children: ReactNode;
  /**
   * Bulk selection (components/row-selection): a checkbox column first; each row renders its
   * `SelectRowTd`.
   */
  selection?: RowSelection<unknown>;
}) {
  const columns = props.columns.length + (props.selection ? 1 : 0);
  const table = (
    <Table className="steward-table" data-testid={props.testId}>
      <Table.Thead>
        <Table.Tr>
          {props.selection && <SelectPageTh selection={props.selection} />}
          {props.columns.map((c, i) => (
            <Table.Th key={i} w={c.w} ta={c.ta}>
              {c.label}
            </Table.Th>
          ))}
        </Table.Tr>
      </Table.Thead>
      {props.loading ? (
        <TableSkeleton columns={columns} rows={props.skeletonRows} />
      ) : (
        <Table.Tbody>{props.children}</Table.Tbody>
      )}
    </Table>
  );
  return props.minWidth === undefined ? (
    table
  ) : (
    <Table.ScrollContainer minWidth={props.minWidth}>{table}</Table.ScrollContainer>
  );
}

/** The right-aligned buttons at the end of a table row. */
export function RowActions({ children }: { children: ReactNode }) {
  return (
    <Group gap={4} justify="flex-end" wrap="nowrap">
      {children}
    </Group>
  );
}

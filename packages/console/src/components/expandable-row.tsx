import { ActionIcon, Collapse, Table } from '@mantine/core';
import { IconChevronDown, IconChevronRight } from '@tabler/icons-react';
import type { ReactNode } from 'react';

/** The chevron at the start of a table row that shows or hides the row's details below it. */
export function ExpandToggle(props: {
  open: boolean;
  onToggle: () => void;
  label: string;
  testId?: string;
}) {
  return (
    <ActionIcon
      variant="subtle"
      size="sm"
      onClick={props.onToggle}
      aria-label={props.label}
      data-testid={props.testId}
    >
      {props.open ? <IconChevronDown size={14} /> : <IconChevronRight size={14} />}
    </ActionIcon>
  );
}

/**
 * The details row under an expandable row, spanning the whole table. Hidden while closed so the
 * table's striping and borders do not count it.
 */
export function ExpandedRow(props: { open: boolean; colSpan: number; children: ReactNode }) {
  return (
    <Table.Tr style={{ display: props.open ? undefined : 'none' }}>
      <Table.Td colSpan={props.colSpan} p={0}>
        <Collapse in={props.open}>{props.children}</Collapse>
      </Table.Td>
    </Table.Tr>
  );
}

import { Table } from '@mantine/core';
import type { ReactNode } from 'react';
import { DeleteIconButton } from '../../components/delete-icon-button';

/** The last cell of a list row: its delete button, when the user may delete. */
export function RowDeleteCell(props: {
  allowed: boolean;
  name: string;
  message: ReactNode;
  loading: boolean;
  onConfirm: () => Promise<unknown>;
  testId: string;
}) {
  const { allowed, ...button } = props;
  return <Table.Td>{allowed && <DeleteIconButton {...button} />}</Table.Td>;
}

import { IconTrash } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { ConfirmButton } from './confirm-button';

/** The small red trash button of a table row or card, which asks "Delete {name}?" first. */
export function DeleteIconButton(props: {
  name: string;
  message: ReactNode;
  loading: boolean;
  onConfirm: () => Promise<unknown>;
  testId: string;
}) {
  return (
    <ConfirmButton
      size="xs"
      variant="subtle"
      color="red"
      px={6}
      title={`Delete ${props.name}?`}
      message={props.message}
      confirmLabel="Delete"
      loading={props.loading}
      onConfirm={props.onConfirm}
      testId={props.testId}
    >
      <IconTrash size={15} />
    </ConfirmButton>
  );
}

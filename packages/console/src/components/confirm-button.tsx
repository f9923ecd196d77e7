import { Button, Group, Modal, Text } from '@mantine/core';
import type { ButtonProps } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import type { ReactNode } from 'react';

export interface ConfirmDialogProps {
  opened: boolean;
  onClose: () => void;
  title: string;
  message: ReactNode;
  confirmLabel: string;
  /** A promise closes the dialog when it resolves and keeps it open when it rejects. */
  onConfirm: () => unknown;
  loading?: boolean;
  danger?: boolean;
  testId?: string;
}

/** Asks before something that cannot be undone; stays open if the action fails. */
export function ConfirmDialog(props: ConfirmDialogProps) {
  const {
    opened,
    onClose,
    title,
    message,
    confirmLabel,
    onConfirm,
    loading,
    danger = true,
    testId,
  } = props;
  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title={<Text fw={600}>{title}</Text>}
      centered
      size="md"
    >
      <Text size="sm">{message}</Text>
      <Group justify="flex-end" mt="lg" gap="xs">
        <Button variant="default" onClick={onClose}>
          Cancel
        </Button>
        <Button
          color={danger ? 'red' : undefined}
          loading={loading}
          data-testid={testId ? `${testId}-confirm` : 'confirm'}
          onClick={() => {
            // The mutation's error notification says what went wrong; keep the dialog open.
            Promise.resolve(onConfirm()).then(onClose, () => undefined);
          }}
        >
          {confirmLabel}
        </Button>
      </Group>
    </Modal>
  );
}

/** A button that asks before it does something that cannot be undone. */
export function ConfirmButton(
  props: Omit<ConfirmDialogProps, 'opened' | 'onClose'> & { children: ReactNode } & Omit<
      ButtonProps,
      'children' | 'loading'
    >,
) {
  const {
    title,
    message,
    confirmLabel,
    onConfirm,
    loading,
    children,
    testId,
    danger,
    ...buttonProps
  } = props;
  const [opened, { open, close }] = useDisclosure(false);
  return (
    <>
      <Button {...buttonProps} onClick={open} data-testid={testId}>
        {children}
      </Button>
      <ConfirmDialog
        opened={opened}
        onClose={close}
        title={title}
        message={message}
        confirmLabel={confirmLabel}
        onConfirm={onConfirm}
        loading={loading}
        danger={danger}
        testId={testId}
      />
    </>
  );
}

import { Button, Group, Modal, Text } from '@mantine/core';
import type { ButtonProps } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import type { ReactNode } from 'react';

/** A button that asks before it does something that cannot be undone. */
export function ConfirmButton(
  props: {
    title: string;
    message: ReactNode;
    confirmLabel: string;
    onConfirm: () => Promise<unknown> | void;
    loading?: boolean;
    children: ReactNode;
    testId?: string;
    danger?: boolean;
  } & Omit<ButtonProps, 'children' | 'loading'>,
) {
  const { title, message, confirmLabel, onConfirm, loading, children, testId, danger = true, ...buttonProps } = props;
  const [opened, { open, close }] = useDisclosure(false);
  return (
    <>
      <Button {...buttonProps} onClick={open} data-testid={testId}>
        {children}
      </Button>
      <Modal opened={opened} onClose={close} title={<Text fw={600}>{title}</Text>} centered size="md">
        <Text size="sm">{message}</Text>
        <Group justify="flex-end" mt="lg" gap="xs">
          <Button variant="default" onClick={close}>
            Cancel
          </Button>
          <Button
            color={danger ? 'red' : undefined}
            loading={loading}
            data-testid={testId ? `${testId}-confirm` : 'confirm'}
            onClick={async () => {
              try {
                await onConfirm();
                close();
              } catch {
                // The mutation's error notification says what went wrong; keep the dialog open.
              }
            }}
          >
            {confirmLabel}
          </Button>
        </Group>
      </Modal>
    </>
  );
}

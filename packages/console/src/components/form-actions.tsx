import { Button, Group } from '@mantine/core';
import type { MantineSpacing } from '@mantine/core';
import type { ReactNode } from 'react';

/**
 * The Cancel and primary buttons at the foot of a form. Without `onSubmit` the primary button
 * submits the surrounding `<form>`.
 */
export function FormActions(props: {
  onCancel: () => void;
  onSubmit?: () => void;
  submitLabel: ReactNode;
  loading?: boolean;
  disabled?: boolean;
  color?: string;
  testId?: string;
  mt?: MantineSpacing;
}) {
  return (
    <Group justify="flex-end" mt={props.mt}>
      <Button variant="default" onClick={props.onCancel}>
        Cancel
      </Button>
      <Button
        type={props.onSubmit ? 'button' : 'submit'}
        color={props.color}
        onClick={props.onSubmit}
        loading={props.loading}
        disabled={props.disabled}
        data-testid={props.testId}
      >
        {props.submitLabel}
      </Button>
    </Group>
  );
}

import { Button, Group, Text } from '@mantine/core';
import type { MantineSpacing } from '@mantine/core';
import type { ReactNode } from 'react';

/**
 * The labels of the required fields that are still empty, in the order given: `{ Name: ok }`
 * lists "Name" while `ok` is false. A form passes the result to `FormActions` (or
 * `MissingFieldsHint`) so a disabled Save says why.
 */
export function missingFields(required: Record<string, boolean>): string[] {
  return Object.entries(required).flatMap(([label, ok]) => (ok ? [] : [label]));
}

/** "Required: Name, Value" beside a disabled Save button, or nothing when every field is there. */
export function MissingFieldsHint(props: { missing: readonly string[] | undefined }) {
  if (!props.missing || props.missing.length === 0) return null;
  return (
    <Text size="sm" c="dimmed" data-testid="form-missing" role="status">
      Required: {props.missing.join(', ')}
    </Text>
  );
}

/**
 * The Cancel and primary buttons at the foot of a form. Without `onSubmit` the primary button
 * submits the surrounding `<form>`. `missing` (from `missingFields`) disables the primary button
 * and names the empty required fields beside it.
 */
export function FormActions(props: {
  onCancel: () => void;
  onSubmit?: () => void;
  submitLabel: ReactNode;
  loading?: boolean;
  disabled?: boolean;
  missing?: readonly string[];
  color?: string;
  testId?: string;
  mt?: MantineSpacing;
}) {
  const missing = props.missing ?? [];
  return (
    <Group justify="flex-end" mt={props.mt}>
      <MissingFieldsHint missing={missing} />
      <Button variant="default" onClick={props.onCancel}>
        Cancel
      </Button>
      <Button
        type={props.onSubmit ? 'button' : 'submit'}
        color={props.color}
        onClick={props.onSubmit}
        loading={props.loading}
        disabled={props.disabled === true || missing.length > 0}
        data-testid={props.testId}
      >
        {props.submitLabel}
      </Button>
    </Group>
  );
}

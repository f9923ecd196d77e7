import { TextInput, Textarea } from '@mantine/core';
import type { ReactNode } from 'react';

/** The required Name and the optional Description that open most create forms. */
export function NameDescriptionFields(props: {
  name: string;
  onName: (name: string) => void;
  description: string;
  onDescription: (description: string) => void;
  nameError?: ReactNode;
  nameTestId: string;
  autoFocus?: boolean;
}) {
  return (
    <>
      <TextInput
        label="Name"
        required
        value={props.name}
        onChange={(e) => props.onName(e.currentTarget.value)}
        error={props.nameError}
        data-autofocus={props.autoFocus || undefined}
        data-testid={props.nameTestId}
      />
      <Textarea
        label="Description"
        value={props.description}
        onChange={(e) => props.onDescription(e.currentTarget.value)}
        autosize
      />
    </>
  );
}

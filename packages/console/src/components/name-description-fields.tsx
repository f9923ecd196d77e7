import { TextInput, Textarea } from '@mantine/core';
import { errorMessage } from '../api/errors';

/**
 * The required Name and the optional Description that open most create forms. A failed save shows
 * under Name (`CODE: message`), the field the site most often refuses (a name taken).
 */
export function NameDescriptionFields(props: {
  name: string;
  onName: (name: string) => void;
  description: string;
  onDescription: (description: string) => void;
  /** The save mutation's error, when it failed. */
  saveError?: unknown;
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
        error={props.saveError ? errorMessage(props.saveError) : undefined}
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

import { Alert, Code, Text } from '@mantine/core';
import { IconAlertTriangle, IconLock } from '@tabler/icons-react';
import { errorCode, errorMessage, isForbidden } from '../api/errors';

/** An error in place of the content: permission answers get an explanation, others the code. */
export function ErrorState({ error, what }: { error: unknown; what?: string }) {
  if (isForbidden(error)) {
    return (
      <Alert
        color="gray"
        variant="light"
        icon={<IconLock size={18} />}
        title="You do not have access to this"
        data-testid="forbidden-state"
      >
        <Text size="sm">
          Your role does not include permission to {what ?? 'view this page'}. Ask a full
          administrator if you need it.
        </Text>
      </Alert>
    );
  }
  return (
    <Alert
      color="red"
      variant="light"
      icon={<IconAlertTriangle size={18} />}
      title={what ? `Could not load ${what}` : 'Something went wrong'}
      data-testid="error-state"
    >
      <Text size="sm">
        <Code mr={6}>{errorCode(error)}</Code>
        {errorMessage(error)}
      </Text>
    </Alert>
  );
}

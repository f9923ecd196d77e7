import { Alert } from '@mantine/core';
import type { ReactNode } from 'react';
import { errorCode, errorMessage } from '../api/errors';

/** Why the site refused to save a form: the error code as the title, its message below. */
export function SaveErrorAlert({ error, children }: { error: unknown; children?: ReactNode }) {
  return (
    <Alert color="red" variant="light" title={`Not saved: ${errorCode(error)}`}>
      {children ?? errorMessage(error)}
    </Alert>
  );
}

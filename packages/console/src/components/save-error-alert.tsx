import { Alert } from '@mantine/core';
import type { ReactNode } from 'react';
import { errorCode, errorMessage } from '../api/errors';

/**
 * Why the site refused to save a form, in words: the site's message (the error code stays on the
 * element for support and tests, not in the text an administrator reads).
 */
export function SaveErrorAlert({ error, children }: { error: unknown; children?: ReactNode }) {
  return (
    <Alert color="red" variant="light" title="Not saved" data-error-code={errorCode(error)}>
      {children ?? errorMessage(error)}
    </Alert>
  );
}

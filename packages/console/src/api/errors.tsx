import { Code, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { ApiError, ErrorCode } from '@steward/protocol';

/** The stable code of an API error ('UNKNOWN' for anything else). Switch on this, never on text. */
export function errorCode(error: unknown): string {
  return error instanceof ApiError ? error.code : 'UNKNOWN';
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

export function isForbidden(error: unknown): boolean {
  return error instanceof ApiError && error.code === ErrorCode.FORBIDDEN;
}

export function isNotFound(error: unknown): boolean {
  return (
    error instanceof ApiError &&
    (error.code === ErrorCode.NOT_FOUND || error.code === ErrorCode.ROUTE_NOT_FOUND)
  );
}

/** Session errors are handled by sending the user back to sign-in, not by a toast. */
export function isSessionError(error: unknown): boolean {
  if (!(error instanceof ApiError)) return false;
  return (
    error.status === 401 ||
    error.code === ErrorCode.UNAUTHENTICATED ||
    error.code === ErrorCode.SESSION_EXPIRED
  );
}

/** Shows an error notification carrying the stable code and the server's message. */
export function notifyError(error: unknown, title = 'Request failed'): void {
  if (isSessionError(error)) return;
  const code = errorCode(error);
  notifications.show({
    color: 'red',
    title,
    autoClose: 8000,
    withBorder: true,
    message: (
      <Text size="sm" data-testid="error-notification">
        <Code mr={6}>{code}</Code>
        {errorMessage(error)}
      </Text>
    ),
  });
}

export function notifySuccess(message: string, title?: string): void {
  notifications.show({ color: 'teal', title, message, autoClose: 4000, withBorder: true });
}

import type { ReactNode } from 'react';
import { ErrorState } from './error-state';

/**
 * What a list shows for its query: the error if it failed, `empty` once it has loaded nothing,
 * else its content (which shows its own loading placeholder).
 */
export function QueryView(props: {
  query: { isError: boolean; error: unknown; isPending: boolean };
  /** Names the data in the error message, e.g. "the boundaries". */
  what: string;
  isEmpty: boolean;
  empty: ReactNode;
  children: ReactNode;
}) {
  const { query } = props;
  if (query.isError) return <ErrorState error={query.error} what={props.what} />;
  if (!query.isPending && props.isEmpty) return <>{props.empty}</>;
  return <>{props.children}</>;
}

import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';
import { ApiError } from '@steward/protocol';
import { isForbidden, isNotFound, notifyError } from './errors';

declare module '@tanstack/react-query' {
  interface Register {
    queryMeta: { silent?: boolean; errorTitle?: string };
    mutationMeta: { silent?: boolean; errorTitle?: string };
  }
}

/**
 * Errors become notifications that show the code and the message, except permission and
 * not-found answers, which the pages render in place (a read-only user sees an explanation,
 * not a red toast).
 */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    queryCache: new QueryCache({
      onError: (error, query) => {
        if (query.meta?.silent || isForbidden(error) || isNotFound(error)) return;
        notifyError(error, query.meta?.errorTitle ?? 'Could not load data');
      },
    }),
    mutationCache: new MutationCache({
      onError: (error, _variables, _context, mutation) => {
        if (mutation.meta?.silent) return;
        notifyError(error, mutation.meta?.errorTitle ?? 'Action failed');
      },
    }),
    defaultOptions: {
      queries: {
        staleTime: 10_000,
        refetchOnWindowFocus: false,
        retry: (count, error) => {
          if (error instanceof ApiError && error.status >= 400 && error.status < 500) return false;
          return count < 2;
        },
      },
    },
  });
}

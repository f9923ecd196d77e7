import { ApiClient } from '@steward/protocol';

const TOKEN_KEY = 'steward.session';

type Listener = () => void;
const unauthenticatedListeners = new Set<Listener>();

/** The session token survives reloads in localStorage (the API takes a bearer token). */
export function storedToken(): string | undefined {
  try {
    return window.localStorage.getItem(TOKEN_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

/** The one client the console uses: the same typed client as the CLI, over the same API. */
export const api = new ApiClient({
  baseUrl: window.location.origin,
  token: storedToken(),
  onUnauthenticated: () => {
    for (const listener of unauthenticatedListeners) listener();
  },
});

export function saveToken(token: string | undefined): void {
  try {
    if (token) window.localStorage.setItem(TOKEN_KEY, token);
    else window.localStorage.removeItem(TOKEN_KEY);
  } catch {
    // Private browsing without storage: the session lasts until reload.
  }
  api.setToken(token);
}

/** Subscribe to 401 answers from any request; returns the unsubscribe function. */
export function onUnauthenticated(listener: Listener): () => void {
  unauthenticatedListeners.add(listener);
  return () => unauthenticatedListeners.delete(listener);
}

import { ApiClient, CSRF_COOKIE, cookieValue } from '@steward/protocol';

type Listener = () => void;
const unauthenticatedListeners = new Set<Listener>();

/**
 * The console's session lives in an HttpOnly cookie its JavaScript cannot read (so a script
 * injected into the page cannot steal it); the readable CSRF cookie beside it says a session
 * exists and gives the token every state-changing request must echo.
 */
export function csrfToken(): string | undefined {
  return cookieValue(document.cookie, CSRF_COOKIE);
}

/** True while the browser holds a console session (it may still have expired at the site). */
export function hasSession(): boolean {
  return csrfToken() !== undefined;
}

/** The one client the console uses: the same typed client as the CLI, over the same API. */
export const api = new ApiClient({
  baseUrl: window.location.origin,
  cookieSession: { csrfToken },
  onUnauthenticated: () => {
    for (const listener of unauthenticatedListeners) listener();
  },
});

/** Subscribe to 401 answers from any request; returns the unsubscribe function. */
export function onUnauthenticated(listener: Listener): () => void {
  unauthenticatedListeners.add(listener);
  return () => unauthenticatedListeners.delete(listener);
}

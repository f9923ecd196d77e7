import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import type { ReactNode } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { ROLE_PERMISSIONS } from '@steward/protocol';
import type { Permission, SiteInfo, User } from '@steward/protocol';
import { api, hasSession, onUnauthenticated } from '../api/client';

export interface Session {
  /** True while a session cookie exists; the user may still be loading. */
  signedIn: boolean;
  user: User | undefined;
  site: SiteInfo | undefined;
  loading: boolean;
  can: (permission: Permission) => boolean;
  signIn: (userName: string, password: string) => Promise<void>;
  signOut: () => Promise<void>;
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  // Changes at each sign-in, so the queries of one session never serve another.
  const [session, setSession] = useState<string | undefined>(() =>
    hasSession() ? 'restored' : undefined,
  );

  const dropSession = useCallback(() => {
    setSession(undefined);
    queryClient.clear();
  }, [queryClient]);

  // Any 401 from any request ends the session; the router then shows the sign-in page.
  useEffect(() => onUnauthenticated(dropSession), [dropSession]);

  const me = useQuery({
    queryKey: ['session', 'me', session],
    queryFn: () => api.me(),
    enabled: session !== undefined,
    staleTime: 60_000,
  });
  const site = useQuery({
    queryKey: ['session', 'site', session],
    queryFn: () => api.site(),
    enabled: session !== undefined,
    staleTime: 5 * 60_000,
  });

  const signIn = useCallback(
    async (userName: string, password: string) => {
      const res = await api.login(userName, password);
      const id = res.csrfToken ?? res.expiresAt;
      queryClient.setQueryData(['session', 'me', id], res.user);
      setSession(id);
    },
    [queryClient],
  );

  const signOut = useCallback(async () => {
    try {
      await api.logout();
    } catch {
      // The session is dropped locally whatever the server says (it clears the cookies).
    }
    dropSession();
  }, [dropSession]);

  const value = useMemo<Session>(() => {
    const user = me.data;
    const permissions = user ? ROLE_PERMISSIONS[user.role] : [];
    return {
      signedIn: session !== undefined,
      user,
      site: site.data,
      loading: session !== undefined && me.isPending,
      can: (permission) => permissions.includes(permission),
      signIn,
      signOut,
    };
  }, [session, me.data, me.isPending, site.data, signIn, signOut]);

  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}

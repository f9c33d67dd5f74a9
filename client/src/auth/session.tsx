import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useNavigate, useLocation } from 'react-router-dom';
import { CombinedGraphQLErrors } from '@apollo/client';
import { useApolloClient, useMutation, useQuery } from '@apollo/client/react';
import { graphql } from '../graphql/generated';
import type { MeQuery } from '../graphql/generated/graphql';
import { onUnauthenticated } from './session-events';
import { forgetSeededMe, seededMe } from '../boot-seeded';

export const MeDocument = graphql(`
  query Me {
    me {
      id
      username
      displayName
      role
      unit {
        id
        name
        region {
          code
          name
        }
      }
    }
  }
`);

export const LoginDocument = graphql(`
  mutation Login($username: String!, $password: String!) {
    login(username: $username, password: $password) {
      expiresAt
      user {
        id
        username
        displayName
        role
      }
    }
  }
`);

export const LogoutDocument = graphql(`
  mutation Logout {
    logout
  }
`);

export type CurrentUser = MeQuery['me'];

export interface Session {
  /** The signed-in user; null when nobody is signed in (or the server has no login yet: see `authAvailable`). */
  user: CurrentUser | null;
  /** False when the server does not know `me` (older server): the client then browses without a session. */
  authAvailable: boolean;
  loading: boolean;
  /** The region the overview starts from: the user's unit's region, else the whole country ('0'). */
  homeRegion: string;
  login(username: string, password: string): Promise<void>;
  logout(): Promise<void>;
}

const SessionContext = createContext<Session | null>(null);

function isSchemaMismatch(error: unknown): boolean {
  return CombinedGraphQLErrors.is(error) && error.errors.some((e) => e.extensions?.code === 'GRAPHQL_VALIDATION_FAILED');
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const client = useApolloClient();
  const navigate = useNavigate();
  const location = useLocation();
  // The session's answer that came with the page (client/src/boot.ts) is read from the cache; otherwise asked for.
  const [seeded] = useState(seededMe);
  useEffect(forgetSeededMe, []);
  const me = useQuery(MeDocument, { fetchPolicy: seeded ? 'cache-first' : 'network-only', errorPolicy: 'all' });
  const [loginMutation] = useMutation(LoginDocument);
  const [logoutMutation] = useMutation(LogoutDocument);

  // Any operation answered with UNAUTHENTICATED (expired cookie, server restart): back to the login page.
  useEffect(
    () =>
      onUnauthenticated(() => {
        if (location.pathname === '/login') return;
        void client.clearStore();
        navigate(`/login?next=${encodeURIComponent(location.pathname + location.search)}&expired=1`, { replace: true });
      }),
    [client, navigate, location.pathname, location.search],
  );

  const login = useCallback(
    async (username: string, password: string) => {
      await loginMutation({ variables: { username, password } });
      // Fresh start: nothing cached under the previous identity survives.
      await client.resetStore();
      await me.refetch();
    },
    [client, loginMutation, me],
  );

  const logout = useCallback(async () => {
    try {
      await logoutMutation();
    } finally {
      await client.clearStore();
      await me.refetch().catch(() => undefined);
      navigate('/login', { replace: true });
    }
  }, [client, logoutMutation, me, navigate]);

  const value = useMemo<Session>(() => {
    const authAvailable = !isSchemaMismatch(me.error);
    const user = me.data?.me ?? null;
    return {
      user,
      authAvailable,
      loading: me.loading && !me.data && !me.error,
      homeRegion: user?.unit?.region?.code ?? '0',
      login,
      logout,
    };
  }, [me.data, me.error, me.loading, login, logout]);

  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}

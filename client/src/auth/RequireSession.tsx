import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router-dom';
import { Loading } from '../components/Loading';
import { useSession } from './session';

/** Screens behind the login. When the server has no login yet (authAvailable false) everyone may browse. */
export function RequireSession({ children }: { children: ReactNode }) {
  const { user, loading, authAvailable } = useSession();
  const location = useLocation();
  if (loading) return <Loading minHeight={320} />;
  if (!user && authAvailable) return <Navigate to={`/login?next=${encodeURIComponent(location.pathname + location.search)}`} replace />;
  return <>{children}</>;
}

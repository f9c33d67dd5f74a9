import type { ReactNode } from 'react';
import { lazy } from 'react';
import { useSession } from './session';
import { mayOpen } from '../components/nav';

const ForbiddenPage = lazy(() => import('../pages/ForbiddenPage'));

/** A screen for the roles whose menu lists `menuKey`; others see 无权访问 instead of the screen. */
export function RequireRoute({ menuKey, children }: { menuKey: string; children: ReactNode }) {
  const { user, authAvailable } = useSession();
  if (!authAvailable && !user) return <>{children}</>;
  return mayOpen(user?.role, menuKey) ? <>{children}</> : <ForbiddenPage />;
}

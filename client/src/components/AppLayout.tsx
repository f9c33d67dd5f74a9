import { Suspense } from 'react';
import { Link, Outlet, useLocation } from 'react-router-dom';
import { Button, Layout, Menu, Segmented, Space, Tag, Tooltip } from 'antd';
import { useI18n, type Locale, type MessageKey } from '../i18n';
import { useSession } from '../auth/session';
import { Loading } from './Loading';

const { Header, Content } = Layout;

type Role = 'PLANNER' | 'APPROVER' | 'AUDITOR' | 'ADMIN';

/** Navigation by role: planners plan, approvers decide and confirm, auditors read; admins see everything. */
export const NAV: readonly { key: string; label: MessageKey; roles: readonly Role[] }[] = [
  { key: '/', label: 'nav.overview', roles: ['PLANNER', 'AUDITOR', 'ADMIN'] },
  { key: '/explorer', label: 'nav.explorer', roles: ['PLANNER', 'AUDITOR', 'ADMIN'] },
  { key: '/findings', label: 'nav.findings', roles: ['PLANNER', 'ADMIN'] },
  { key: '/plans', label: 'nav.plans', roles: ['PLANNER', 'APPROVER', 'ADMIN'] },
  { key: '/approvals', label: 'nav.approvals', roles: ['APPROVER', 'ADMIN'] },
  { key: '/execution', label: 'nav.execution', roles: ['APPROVER', 'ADMIN'] },
  { key: '/audit', label: 'nav.audit', roles: ['AUDITOR', 'ADMIN'] },
  { key: '/import', label: 'nav.import', roles: ['PLANNER', 'ADMIN'] },
];

/** The entries a role sees; without a session (server without login) the read-only screens. */
export function navFor(role: string | null | undefined): typeof NAV {
  if (!role) return NAV.filter((n) => ['/', '/explorer', '/findings', '/import'].includes(n.key));
  return NAV.filter((n) => (n.roles as readonly string[]).includes(role));
}

function activeKey(pathname: string): string {
  if (pathname === '/' || pathname.startsWith('/overview')) return '/';
  return NAV.find((n) => n.key !== '/' && pathname.startsWith(n.key))?.key ?? '/';
}

/** The frame of every signed-in screen: navigation, who is signed in (role and unit scope), language, logout. */
export function AppLayout() {
  const { t, tx, locale, setLocale } = useI18n();
  const { user, authAvailable, logout } = useSession();
  const location = useLocation();
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <a href="#main" className="skip-link">{t('app.skipToContent')}</a>
      <Header style={{ display: 'flex', alignItems: 'center', gap: 16, paddingInline: 16, background: '#0f2a5a' }}>
        <Link to="/" style={{ color: '#fff', fontWeight: 600, fontSize: 16, whiteSpace: 'nowrap' }}>{t('app.title')}</Link>
        <nav aria-label={t('nav.main')} style={{ flex: 1, minWidth: 0 }}>
          <Menu
            theme="dark"
            mode="horizontal"
            selectedKeys={[activeKey(location.pathname)]}
            style={{ background: 'transparent', borderBottom: 'none' }}
            items={navFor(user?.role).map((n) => ({ key: n.key, label: <Link to={n.key}>{t(n.label)}</Link> }))}
          />
        </nav>
        <Space size="middle" style={{ color: '#fff' }}>
          {user ? (
            <span data-testid="session-user" style={{ whiteSpace: 'nowrap' }}>
              {user.displayName || user.username}
              <Tag color="blue" style={{ marginInline: 8 }} aria-label={`${t('auth.role')}：${tx('role', user.role)}`}>
                {tx('role', user.role)}
              </Tag>
              <Tooltip title={t('auth.scope')}>
                <span>{user.unit?.name ?? t('auth.scopeAll')}</span>
              </Tooltip>
            </span>
          ) : !authAvailable ? (
            <Tag>{tx('role', 'GUEST')}</Tag>
          ) : null}
          <Segmented<Locale>
            size="small"
            aria-label={t('app.language')}
            value={locale}
            onChange={(v) => setLocale(v)}
            options={[{ label: '中文', value: 'zh-CN' }, { label: 'EN', value: 'en' }]}
          />
          {user ? (
            <Button size="small" onClick={() => void logout()}>
              {t('auth.logout')}
            </Button>
          ) : null}
        </Space>
      </Header>
      <Content id="main" tabIndex={-1} style={{ padding: 16, maxWidth: 1600, width: '100%', margin: '0 auto' }}>
        <Suspense fallback={<Loading minHeight={320} />}>
          <Outlet />
        </Suspense>
      </Content>
    </Layout>
  );
}

import { Suspense, useState } from 'react';
import { Link, Outlet, useLocation } from 'react-router-dom';
import { Button, Drawer, Grid, Layout, Menu, Segmented, Tag, Tooltip } from 'antd';
import { useI18n, type Locale } from '../i18n';
import { useSession } from '../auth/session';
import { Loading } from './Loading';
import { NAV, navFor } from './nav';

const { Header, Content } = Layout;

function activeKey(pathname: string): string {
  if (pathname === '/' || pathname.startsWith('/overview')) return '/';
  return NAV.find((n) => n.key !== '/' && pathname.startsWith(n.key))?.key ?? '/';
}

/** Three horizontal bars (no icon package): the drawer's button on narrow screens. */
function MenuIcon() {
  return (
    <svg width="18" height="18" viewBox="0 0 18 18" aria-hidden="true" focusable="false">
      <path d="M2 4h14M2 9h14M2 14h14" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
    </svg>
  );
}

/**
 * The frame of every signed-in screen: navigation, who is signed in (role and unit scope), language, logout. From
 * the md breakpoint (768 px) the menu sits in the header; below it the menu, the user and the scope move into a
 * drawer, and the header keeps only the menu button, the title, the language switch and 退出登录.
 */
export function AppLayout() {
  const { t, tx, locale, setLocale } = useI18n();
  const { user, authAvailable, logout } = useSession();
  const location = useLocation();
  const screens = Grid.useBreakpoint();
  const narrow = screens.md === false;
  const [drawerOpen, setDrawerOpen] = useState(false);
  const items = navFor(user?.role).map((n) => ({ key: n.key, label: <Link to={n.key} onClick={() => setDrawerOpen(false)}>{t(n.label)}</Link> }));
  const selected = [activeKey(location.pathname)];
  const who = user ? (
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
  ) : null;
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <a href="#main" className="skip-link">{t('app.skipToContent')}</a>
      <Header className="app-header" style={{ display: 'flex', alignItems: 'center', gap: narrow ? 8 : 16, paddingInline: narrow ? 8 : 16, background: '#0f2a5a' }}>
        {narrow ? (
          <Button type="text" className="app-menu-button" aria-label={t('nav.openMenu')} aria-expanded={drawerOpen} onClick={() => setDrawerOpen(true)} icon={<MenuIcon />} />
        ) : null}
        <Link to="/" className="app-title" title={t('app.title')} style={{ color: '#fff', fontWeight: 600, fontSize: narrow ? 15 : 16, whiteSpace: 'nowrap', overflow: 'hidden', textOverflow: 'ellipsis', minWidth: 0, maxWidth: screens.xxl ? undefined : 150 }}>{t('app.title')}</Link>
        {narrow ? <span style={{ flex: 1 }} /> : (
          // Every item stays in the bar (no "…" overflow menu: its hidden copies are focusable, an axe violation); when the
          // bar is too narrow it scrolls sideways on its own.
          <nav aria-label={t('nav.main')} style={{ flex: 1, minWidth: 0, overflowX: 'auto', overflowY: 'hidden' }}>
            <Menu theme="dark" mode="horizontal" disabledOverflow selectedKeys={selected} style={{ background: 'transparent', borderBottom: 'none', flexWrap: 'nowrap' }} items={items} />
          </nav>
        )}
        <div style={{ display: 'flex', alignItems: 'center', gap: narrow ? 6 : 12, color: '#fff', flexShrink: 0 }}>
          {narrow ? null : who}
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
        </div>
      </Header>
      {narrow ? (
        <Drawer placement="left" open={drawerOpen} onClose={() => setDrawerOpen(false)} size={280} title={t('app.title')} styles={{ body: { padding: 0 } }}>
          {who ? <div style={{ padding: '12px 16px', borderBottom: '1px solid #f0f0f0' }}>{who}</div> : null}
          <nav aria-label={t('nav.main')}>
            <Menu mode="inline" selectedKeys={selected} items={items} style={{ borderInlineEnd: 'none' }} />
          </nav>
        </Drawer>
      ) : null}
      <Content id="main" tabIndex={-1} style={{ padding: narrow ? 8 : 16, maxWidth: 1600, width: '100%', margin: '0 auto', minWidth: 0 }}>
        <Suspense fallback={<Loading minHeight={320} />}>
          <Outlet />
        </Suspense>
      </Content>
    </Layout>
  );
}

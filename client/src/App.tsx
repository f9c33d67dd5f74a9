import { lazy, Suspense, useMemo } from 'react';
import { BrowserRouter, Navigate, Route, Routes } from 'react-router-dom';
import { ApolloProvider } from '@apollo/client/react';
import { App as AntApp, ConfigProvider } from 'antd';
import zhCNLocale from 'antd/locale/zh_CN';
import enUSLocale from 'antd/locale/en_US';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import { createApolloClient } from './graphql/client';
import { I18nProvider, useI18n } from './i18n';
import { SessionProvider } from './auth/session';
import { RequireSession } from './auth/RequireSession';
import { AppLayout } from './components/AppLayout';
import { Loading } from './components/Loading';

// Route splitting: each screen is its own chunk, loaded on first visit.
const LoginPage = lazy(() => import('./pages/login/LoginPage'));
const OverviewPage = lazy(() => import('./pages/overview/OverviewPage'));
const ExplorerPage = lazy(() => import('./pages/explorer/ExplorerPage'));
const AccountPage = lazy(() => import('./pages/explorer/AccountPage'));
const FindingsPage = lazy(() => import('./pages/findings/FindingsPage'));
const ImportPage = lazy(() => import('./pages/import/ImportPage'));
const NotFoundPage = lazy(() => import('./pages/NotFoundPage'));

function Themed({ children }: { children: React.ReactNode }) {
  const { locale } = useI18n();
  dayjs.locale(locale === 'zh-CN' ? 'zh-cn' : 'en');
  return (
    <ConfigProvider
      locale={locale === 'zh-CN' ? zhCNLocale : enUSLocale}
      theme={{ token: { fontSize: 14, colorPrimary: '#1d4ed8', borderRadius: 4 } }}
    >
      <AntApp>{children}</AntApp>
    </ConfigProvider>
  );
}

export function AppRoutes() {
  return (
    <Suspense fallback={<Loading minHeight={320} />}>
      <Routes>
        <Route path="/login" element={<LoginPage />} />
        <Route element={<RequireSession><AppLayout /></RequireSession>}>
          <Route index element={<OverviewPage />} />
          <Route path="overview/:regionCode" element={<OverviewPage />} />
          <Route path="explorer" element={<ExplorerPage />} />
          <Route path="explorer/units/:unitId" element={<ExplorerPage />} />
          <Route path="explorer/accounts/:accountId" element={<AccountPage />} />
          <Route path="findings" element={<FindingsPage />} />
          <Route path="import" element={<ImportPage />} />
          <Route path="overview" element={<Navigate to="/" replace />} />
          <Route path="*" element={<NotFoundPage />} />
        </Route>
      </Routes>
    </Suspense>
  );
}

export function App() {
  const client = useMemo(() => createApolloClient(), []);
  return (
    <I18nProvider>
      <Themed>
        <ApolloProvider client={client}>
          <BrowserRouter>
            <SessionProvider>
              <AppRoutes />
            </SessionProvider>
          </BrowserRouter>
        </ApolloProvider>
      </Themed>
    </I18nProvider>
  );
}

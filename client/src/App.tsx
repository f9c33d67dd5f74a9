import { lazy, Suspense, useEffect, useMemo } from 'react';
import { BrowserRouter, Navigate, Route, Routes, useLocation, useNavigate } from 'react-router-dom';
import { ApolloProvider } from '@apollo/client/react';
import { App as AntApp, ConfigProvider } from 'antd';
import zhCNLocale from 'antd/locale/zh_CN';
import enUSLocale from 'antd/locale/en_US';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import { createApolloClient } from './graphql/client';
import { I18nProvider, useI18n } from './i18n';
import { SessionProvider, useSession } from './auth/session';
import { RequireSession } from './auth/RequireSession';
import { RequireRoute } from './auth/RequireRoute';
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
const PlansPage = lazy(() => import('./pages/plans/PlansPage'));
const PlanPage = lazy(() => import('./pages/plans/PlanPage'));
const ApprovalsPage = lazy(() => import('./pages/approvals/ApprovalsPage'));
const ExecutionPage = lazy(() => import('./pages/execution/ExecutionPage'));
const AuditPage = lazy(() => import('./pages/audit/AuditPage'));
const InspectionsPage = lazy(() => import('./pages/inspections/InspectionsPage'));
const WorkOrdersPage = lazy(() => import('./pages/workorders/WorkOrdersPage'));
const JobsPage = lazy(() => import('./pages/jobs/JobsPage'));
const LexiconPage = lazy(() => import('./pages/lexicon/LexiconPage'));

/**
 * Approvers have no overview in their menu: their start page is the inbox. An effect keyed on the location (not
 * <Navigate>, which fires once) so a second navigation to "/" (the login page's own redirect) is redirected too.
 */
function Home() {
  const { user } = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const approver = user?.role === 'APPROVER';
  useEffect(() => {
    if (approver) navigate('/approvals', { replace: true });
  }, [approver, navigate, location.key]);
  return approver ? null : <OverviewPage />;
}

/**
 * Colours that pass WCAG 2.1 AA contrast (4.5:1) on white: antd's grey texts (secondary, description, placeholder)
 * and its link blue are lighter than that by default.
 */
const THEME = {
  token: {
    fontSize: 14, colorPrimary: '#1d4ed8', colorLink: '#1d4ed8', colorInfo: '#1d4ed8', borderRadius: 4,
    colorTextSecondary: '#4a4a4a', colorTextTertiary: '#595959', colorTextDescription: '#595959', colorTextPlaceholder: '#6b6b6b',
    colorSuccess: '#237804', colorWarning: '#ad6800', colorError: '#c41d1d',
  },
};

function Themed({ children }: { children: React.ReactNode }) {
  const { locale } = useI18n();
  dayjs.locale(locale === 'zh-CN' ? 'zh-cn' : 'en');
  return (
    <ConfigProvider
      locale={locale === 'zh-CN' ? zhCNLocale : enUSLocale}
      theme={THEME}
      button={{ autoInsertSpace: false }}
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
          <Route index element={<Home />} />
          <Route path="overview/:regionCode" element={<OverviewPage />} />
          <Route path="explorer" element={<ExplorerPage />} />
          <Route path="explorer/units/:unitId" element={<ExplorerPage />} />
          <Route path="explorer/accounts/:accountId" element={<AccountPage />} />
          <Route path="findings" element={<RequireRoute menuKey="/findings"><FindingsPage /></RequireRoute>} />
          <Route path="import" element={<RequireRoute menuKey="/import"><ImportPage /></RequireRoute>} />
          <Route path="plans" element={<RequireRoute menuKey="/plans"><PlansPage /></RequireRoute>} />
          <Route path="plans/:planId" element={<PlanPage />} />
          <Route path="approvals" element={<RequireRoute menuKey="/approvals"><ApprovalsPage /></RequireRoute>} />
          <Route path="execution" element={<RequireRoute menuKey="/execution"><ExecutionPage /></RequireRoute>} />
          <Route path="audit" element={<RequireRoute menuKey="/audit"><AuditPage /></RequireRoute>} />
          <Route path="inspections" element={<RequireRoute menuKey="/inspections"><InspectionsPage /></RequireRoute>} />
          <Route path="workorders" element={<RequireRoute menuKey="/workorders"><WorkOrdersPage /></RequireRoute>} />
          <Route path="jobs" element={<RequireRoute menuKey="/jobs"><JobsPage /></RequireRoute>} />
          <Route path="lexicon" element={<RequireRoute menuKey="/lexicon"><LexiconPage /></RequireRoute>} />
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

import { lazy, Suspense, useEffect, useMemo } from 'react';
import { BrowserRouter, Navigate, Route, Routes, useLocation, useNavigate } from 'react-router-dom';
import { ApolloProvider } from '@apollo/client/react';
import type { ApolloClient } from '@apollo/client';
import { App as AntApp, ConfigProvider } from 'antd';
import zhCNLocale from 'antd/locale/zh_CN';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import 'antd/dist/antd.css';
import { createApolloClient } from './graphql/client';
import { antdEnglishLocale, I18nProvider, useI18n } from './i18n';
import { SessionProvider, useSession } from './auth/session';
import { RequireSession } from './auth/RequireSession';
import { RequireRoute } from './auth/RequireRoute';
import { AppLayout } from './components/AppLayout';
import { Loading } from './components/Loading';

// Route splitting: each screen is its own chunk, loaded on first visit. The chunk of the screen the page opens on is
// requested at once, while the session is being checked, instead of after it (one round trip less on a cold start).
const screens = {
  login: () => import('./pages/login/LoginPage'),
  overview: () => import('./pages/overview/OverviewPage'),
  explorer: () => import('./pages/explorer/ExplorerPage'),
  account: () => import('./pages/explorer/AccountPage'),
  findings: () => import('./pages/findings/FindingsPage'),
  import: () => import('./pages/import/ImportPage'),
  notFound: () => import('./pages/NotFoundPage'),
  plans: () => import('./pages/plans/PlansPage'),
  plan: () => import('./pages/plans/PlanPage'),
  approvals: () => import('./pages/approvals/ApprovalsPage'),
  execution: () => import('./pages/execution/ExecutionPage'),
  audit: () => import('./pages/audit/AuditPage'),
  inspections: () => import('./pages/inspections/InspectionsPage'),
  workorders: () => import('./pages/workorders/WorkOrdersPage'),
  jobs: () => import('./pages/jobs/JobsPage'),
  history: () => import('./pages/history/HistoryPage'),
  lexicon: () => import('./pages/lexicon/LexiconPage'),
};
const LoginPage = lazy(screens.login);
const OverviewPage = lazy(screens.overview);
const ExplorerPage = lazy(screens.explorer);
const AccountPage = lazy(screens.account);
const FindingsPage = lazy(screens.findings);
const ImportPage = lazy(screens.import);
const NotFoundPage = lazy(screens.notFound);
const PlansPage = lazy(screens.plans);
const PlanPage = lazy(screens.plan);
const ApprovalsPage = lazy(screens.approvals);
const ExecutionPage = lazy(screens.execution);
const AuditPage = lazy(screens.audit);
const InspectionsPage = lazy(screens.inspections);
const WorkOrdersPage = lazy(screens.workorders);
const JobsPage = lazy(screens.jobs);
const HistoryPage = lazy(screens.history);
const LexiconPage = lazy(screens.lexicon);

/** The screen a path opens on (the first segment), for the early chunk request. */
export function screenOf(pathname: string): keyof typeof screens | null {
  const [first, second] = pathname.split('/').filter(Boolean);
  if (!first || first === 'overview') return 'overview';
  if (first === 'explorer') return second === 'accounts' ? 'account' : 'explorer';
  if (first === 'plans') return second ? 'plan' : 'plans';
  return first in screens && first !== 'notFound' && first !== 'plan' && first !== 'account' ? (first as keyof typeof screens) : null;
}

if (typeof window !== 'undefined' && import.meta.env.PROD) {
  const screen = screenOf(window.location.pathname);
  if (screen) void screens[screen]().catch(() => undefined);
}

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
  zeroRuntime: true,
  token: {
    fontSize: 14, colorPrimary: '#1d4ed8', colorLink: '#1d4ed8', colorInfo: '#1d4ed8', borderRadius: 4,
    // Hover and pressed states darken (antd lightens them by default, below 4.5:1 for text on white).
    colorPrimaryHover: '#1e40af', colorLinkHover: '#1e40af', colorPrimaryActive: '#1e3a8a', colorLinkActive: '#1e3a8a',
    colorTextSecondary: '#4a4a4a', colorTextTertiary: '#595959', colorTextDescription: '#595959', colorTextPlaceholder: '#6b6b6b',
    colorSuccess: '#237804', colorWarning: '#ad6800', colorError: '#c41d1d',
  },
};

function Themed({ children }: { children: React.ReactNode }) {
  const { locale } = useI18n();
  dayjs.locale(locale === 'zh-CN' ? 'zh-cn' : 'en');
  return (
    <ConfigProvider
      locale={locale === 'zh-CN' ? zhCNLocale : antdEnglishLocale()}
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
          {/* 历史对比: linked from the overview and the inspections screen (not in the menu), for whoever may open the overview. */}
          <Route path="history" element={<RequireRoute menuKey="/"><HistoryPage /></RequireRoute>} />
          <Route path="lexicon" element={<RequireRoute menuKey="/lexicon"><LexiconPage /></RequireRoute>} />
          <Route path="overview" element={<Navigate to="/" replace />} />
          <Route path="*" element={<NotFoundPage />} />
        </Route>
      </Routes>
    </Suspense>
  );
}

export function App({ client: given }: { client?: ApolloClient } = {}) {
  const client = useMemo(() => given ?? createApolloClient(), [given]);
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

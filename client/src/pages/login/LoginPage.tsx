import { useState } from 'react';
import { Navigate, useNavigate, useSearchParams } from 'react-router-dom';
import { Alert, Button, Card, Form, Input, Segmented, Space, Typography } from 'antd';
import { useI18n, type Locale } from '../../i18n';
import { useSession } from '../../auth/session';
import { ErrorNotice } from '../../components/ErrorNotice';

/** A redirect target from ?next= is only followed when it is a path of this site. */
export function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/login') ? next : '/';
}

export default function LoginPage() {
  const { t, locale, setLocale } = useI18n();
  const { user, login, authAvailable, loading } = useSession();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const next = safeNext(params.get('next'));

  if (!loading && (user || !authAvailable)) return <Navigate to={next} replace />;

  const submit = async (values: { username: string; password: string }) => {
    setBusy(true);
    setError(null);
    try {
      await login(values.username.trim(), values.password);
      navigate(next, { replace: true });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main style={{ minHeight: '100vh', display: 'flex', alignItems: 'center', justifyContent: 'center', background: '#f0f3f8', padding: 16 }}>
      <Card style={{ width: 400, maxWidth: '100%' }}>
        <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
          <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center' }}>
            <Typography.Title level={3} style={{ margin: 0 }}>
              {t('auth.login')}
            </Typography.Title>
            <Segmented<Locale>
              size="small"
              aria-label={t('app.language')}
              value={locale}
              onChange={(v) => setLocale(v)}
              options={[{ label: '中文', value: 'zh-CN' }, { label: 'EN', value: 'en' }]}
            />
          </div>
          <Typography.Text type="secondary">{t('auth.welcome')}</Typography.Text>
          {params.get('expired') ? <Alert type="info" showIcon title={t('auth.sessionExpired')} /> : null}
          <Form layout="vertical" onFinish={submit} requiredMark={false} disabled={busy}>
            <Form.Item label={t('auth.username')} name="username" rules={[{ required: true, whitespace: true, message: t('auth.usernameRequired') }]}>
              <Input autoComplete="username" autoFocus />
            </Form.Item>
            <Form.Item label={t('auth.password')} name="password" rules={[{ required: true, message: t('auth.passwordRequired') }]}>
              <Input.Password autoComplete="current-password" />
            </Form.Item>
            {error ? (
              <div style={{ marginBottom: 16 }}>
                <ErrorNotice error={error} />
              </div>
            ) : null}
            <Button type="primary" htmlType="submit" block loading={busy}>
              {busy ? t('auth.loggingIn') : t('auth.login')}
            </Button>
          </Form>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {t('auth.hint')}
          </Typography.Text>
        </Space>
      </Card>
    </main>
  );
}

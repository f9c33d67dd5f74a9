import { Link } from 'react-router-dom';
import { Result } from 'antd';
import { useI18n } from '../i18n';

export default function NotFoundPage() {
  const { t } = useI18n();
  return <Result status="404" title={t('app.notFound')} extra={<Link to="/">{t('app.backHome')}</Link>} />;
}

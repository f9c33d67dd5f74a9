import { Link } from 'react-router-dom';
import { Result } from 'antd';
import { useI18n } from '../i18n';

/** A screen the signed-in role may not open: said plainly, with the way back (not a server error later). */
export default function ForbiddenPage() {
  const { t } = useI18n();
  return <Result status="403" title={<h1 style={{ fontSize: 20, margin: 0 }}>{t('app.forbidden')}</h1>} subTitle={t('app.forbiddenHint')} extra={<Link to="/">{t('app.backHome')}</Link>} />;
}

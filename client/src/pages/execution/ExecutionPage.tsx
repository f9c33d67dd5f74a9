import { useI18n } from '../../i18n';
import PlansPage from '../plans/PlansPage';

/** For units: plans approved or being carried out, each opening on its execution steps. */
export default function ExecutionPage() {
  const { t } = useI18n();
  return <PlansPage statuses={['APPROVED', 'EXECUTING']} title={t('execution.title')} linkTab="execution" />;
}

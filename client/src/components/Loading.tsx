import { Spin } from 'antd';
import { useI18n } from '../i18n';

/** A labelled loading state (screen readers hear it; sighted users see the spinner and the words). */
export function Loading({ tip, minHeight = 160 }: { tip?: string; minHeight?: number }) {
  const { t } = useI18n();
  return (
    <div role="status" aria-live="polite" style={{ display: 'flex', alignItems: 'center', justifyContent: 'center', gap: 12, minHeight }}>
      <Spin />
      <span>{tip ?? t('app.loading')}</span>
    </div>
  );
}

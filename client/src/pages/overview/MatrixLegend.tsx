import { Space, Typography } from 'antd';
import { useI18n } from '../../i18n';
import { BAD_FINDINGS_PER_ACCOUNT } from './matrix-tone';

/** Explains the colours in words, so colour is never the only carrier of meaning. */
export function MatrixLegend() {
  const { t } = useI18n();
  const vars = { bad: BAD_FINDINGS_PER_ACCOUNT };
  const items = [
    ['tone-ok', 'overview.legendOk'],
    ['tone-warn', 'overview.legendWarn'],
    ['tone-bad', 'overview.legendBad'],
    ['tone-closed', 'overview.legendClosed'],
  ] as const;
  return (
    <Space wrap size="middle" style={{ marginBottom: 8 }} aria-label={t('overview.legend')}>
      <Typography.Text type="secondary">{t('overview.legend')}：</Typography.Text>
      {items.map(([cls, key]) => (
        <span key={cls}>
          <span className={`legend-swatch ${cls}`} aria-hidden="true" />
          {t(key, vars)}
        </span>
      ))}
      <Typography.Text type="secondary">{t('overview.legendNote')}</Typography.Text>
    </Space>
  );
}

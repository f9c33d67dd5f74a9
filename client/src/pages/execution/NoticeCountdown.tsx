import { Tag, Typography } from 'antd';
import { useI18n } from '../../i18n';
import { noticeCountdown, todayInChina } from './working-days';

/**
 * The notice period of a shutdown, beside its deregistration step: how many working days have passed, how many
 * are left and the first date deregistration may be confirmed.
 */
export function NoticeCountdown({ noticeOn, required, earliestOn, today = todayInChina() }: {
  noticeOn: string | null | undefined;
  required: number;
  earliestOn?: string | null;
  today?: string;
}) {
  const { t, date } = useI18n();
  if (!noticeOn) return <Typography.Text type="secondary" style={{ fontSize: 12 }}>{t('execution.noticeNotYet', { n: required })}</Typography.Text>;
  const c = noticeCountdown(noticeOn, required, today, earliestOn);
  return (
    <span role="status" data-testid="notice-countdown" data-left={c.left}>
      {c.open ? (
        <Tag color="green">{t('execution.noticeOver', { date: date(c.earliest) })}</Tag>
      ) : (
        <Tag color="orange">{t('execution.noticeLeft', { left: c.left, date: date(c.earliest) })}</Tag>
      )}
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>{t('execution.noticePassed', { passed: c.passed, required: c.required })}</Typography.Text>
    </span>
  );
}

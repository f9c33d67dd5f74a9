import { Alert, Button } from 'antd';
import { useI18n } from '../i18n';
import { toUiError } from '../graphql/errors';

/** An error in plain language, next to what caused it, with the server's field problems listed and a retry. */
export function ErrorNotice({ error, onRetry, title }: { error: unknown; onRetry?: () => void; title?: string }) {
  const { t, locale } = useI18n();
  if (!error) return null;
  const ui = toUiError(error, locale, t('error.network'));
  return (
    <Alert
      type="error"
      showIcon
      role="alert"
      title={title ?? ui.message}
      description={
        title || ui.details.length ? (
          <>
            {title ? <div>{ui.message}</div> : null}
            {ui.details.length ? (
              <ul style={{ margin: 0, paddingInlineStart: 20 }}>
                {ui.details.map((d, i) => (
                  <li key={i}>
                    <code>{d.field}</code>：{d.message}
                  </li>
                ))}
              </ul>
            ) : null}
          </>
        ) : undefined
      }
      action={onRetry ? <Button size="small" onClick={() => onRetry()}>{t('app.retry')}</Button> : undefined}
    />
  );
}

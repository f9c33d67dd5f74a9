import { useState } from 'react';
import { useApolloClient, useMutation } from '@apollo/client/react';
import { Alert, Button, Card, Space, Table, Typography, Upload } from 'antd';
import { graphql } from '../../graphql/generated';
import type { ImportCsvMutation } from '../../graphql/generated/graphql';
import { useI18n } from '../../i18n';
import { ErrorNotice } from '../../components/ErrorNotice';
import { ImportErrorList } from './ImportErrorList';

/** Imports travel on their own path with its own body limit (the server's /graphql refuses bodies over 2 MB). */
const IMPORT_URI = '/graphql/import';

export const ImportCsvDocument = graphql(`
  mutation ImportCsv($files: [CsvFileInput!]!, $dryRun: Boolean!) {
    importCsv(files: $files, dryRun: $dryRun) {
      ok
      dryRun
      errorCount
      errors {
        file
        line
        column
        message
      }
      counts {
        file
        rows
        inserted
        updated
        unchanged
      }
      statusChanges
      elapsedMs
    }
  }
`);

export const KNOWN_FILES = ['units.csv', 'accounts.csv', 'services.csv', 'posts.csv', 'messages.csv'];

interface Picked {
  name: string;
  size: number;
  content: string;
}

/** Upload the CSV files, check them (dry run), import them; every problem listed as file:line: column: reason. */
export default function ImportPage() {
  const { t, count } = useI18n();
  const client = useApolloClient();
  const [files, setFiles] = useState<Picked[]>([]);
  const [readError, setReadError] = useState<string | null>(null);
  const [result, setResult] = useState<ImportCsvMutation['importCsv'] | null>(null);
  const [run, { loading, error, reset }] = useMutation(ImportCsvDocument);

  const add = async (file: File) => {
    try {
      const content = await file.text();
      setFiles((prev) => [...prev.filter((f) => f.name !== file.name), { name: file.name, size: file.size, content }]);
      setResult(null);
      reset();
    } catch (e) {
      setReadError(t('import.readFailed', { name: file.name, message: e instanceof Error ? e.message : String(e) }));
    }
  };

  const submit = async (dryRun: boolean) => {
    setResult(null);
    const res = await run({ variables: { files: files.map(({ name, content }) => ({ name, content })), dryRun }, context: { uri: IMPORT_URI } }).catch(() => null);
    const r = res?.data?.importCsv ?? null;
    setResult(r);
    // New data: every screen showing counts must ask again.
    if (r?.ok && !r.dryRun) await client.refetchQueries({ include: 'active' });
  };

  const unknown = files.filter((f) => !KNOWN_FILES.includes(f.name));

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={3} style={{ margin: 0 }}>
        {t('import.title')}
      </Typography.Title>
      <Card size="small">
        <Typography.Paragraph>{t('import.help')}</Typography.Paragraph>
        <Upload
          accept=".csv,text/csv"
          multiple
          showUploadList={false}
          beforeUpload={(file) => {
            void add(file);
            return false;
          }}
        >
          <Button>{t('import.choose')}</Button>
        </Upload>
        {readError ? <Alert style={{ marginTop: 12 }} type="error" showIcon title={readError} role="alert" /> : null}
        <div style={{ marginTop: 12 }}>
          <strong id="import-files-label">{t('import.files')}</strong>
          {files.length === 0 ? (
            <Typography.Paragraph type="secondary" style={{ margin: '4px 0 0' }}>{t('import.noFiles')}</Typography.Paragraph>
          ) : (
            <ul className="plain-list" aria-labelledby="import-files-label">
              {files.map((f) => (
                <li key={f.name} style={{ display: 'flex', alignItems: 'center', gap: 8 }}>
                  <span>
                    {f.name} <Typography.Text type="secondary">（{t('import.size', { kb: Math.max(1, Math.round(f.size / 1024)) })}）</Typography.Text>
                  </span>
                  <Button size="small" type="link" aria-label={`${t('import.remove')} ${f.name}`} onClick={() => setFiles((prev) => prev.filter((x) => x.name !== f.name))}>
                    {t('import.remove')}
                  </Button>
                </li>
              ))}
            </ul>
          )}
        </div>
        {unknown.length ? (
          <Alert
            type="warning"
            showIcon
            title={unknown.map((f) => t('import.badName', { name: f.name })).join('；')}
            style={{ marginTop: 8 }}
          />
        ) : null}
        <Space style={{ marginTop: 12 }}>
          <Button disabled={!files.length || loading} loading={loading} onClick={() => void submit(true)}>
            {t('import.dryRun')}
          </Button>
          <Button type="primary" disabled={!files.length || loading} loading={loading} onClick={() => void submit(false)}>
            {t('import.run')}
          </Button>
          {loading ? <span role="status">{t('import.running')}</span> : null}
        </Space>
      </Card>
      {error ? <ErrorNotice error={error} /> : null}
      {result ? (
        <Card size="small" title={t('import.counts')}>
          <Space orientation="vertical" style={{ width: '100%' }}>
            {result.ok ? (
              <Alert type="success" showIcon role="status" title={result.dryRun ? `${t('import.ok')} ${t('import.dryRunDone')}` : t('import.imported')} />
            ) : (
              <Alert type="error" showIcon role="alert" title={t('import.failed', { count: result.errorCount })} />
            )}
            {!result.ok ? <ImportErrorList errors={result.errors} total={result.errorCount} /> : null}
            {result.counts.length ? (
              <Table
                size="small"
                rowKey="file"
                pagination={false}
                dataSource={result.counts}
                columns={[
                  { key: 'file', title: t('import.col.file'), dataIndex: 'file' },
                  { key: 'rows', title: t('import.col.rows'), align: 'right', render: (_, c) => count(c.rows) },
                  { key: 'ins', title: t('import.col.inserted'), align: 'right', render: (_, c) => count(c.inserted) },
                  { key: 'upd', title: t('import.col.updated'), align: 'right', render: (_, c) => count(c.updated) },
                  { key: 'same', title: t('import.col.unchanged'), align: 'right', render: (_, c) => count(c.unchanged) },
                ]}
              />
            ) : null}
            <Typography.Text type="secondary">{t('import.statusChanges', { n: result.statusChanges, ms: result.elapsedMs })}</Typography.Text>
          </Space>
        </Card>
      ) : null}
    </Space>
  );
}

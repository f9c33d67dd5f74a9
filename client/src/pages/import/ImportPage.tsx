import { useEffect, useState } from 'react';
import { useApolloClient, useLazyQuery, useMutation } from '@apollo/client/react';
import { Alert, Button, Card, Progress, Space, Table, Typography, Upload } from 'antd';
import { Link } from 'react-router-dom';
import { graphql } from '../../graphql/generated';
import type { ImportUploadMutation } from '../../graphql/generated/graphql';
import { useI18n } from '../../i18n';
import { useSession } from '../../auth/session';
import { ErrorNotice } from '../../components/ErrorNotice';
import { ImportErrorList } from './ImportErrorList';

/** Imports travel on their own path with its own body limit (the server's /graphql refuses bodies over 2 MB). */
const IMPORT_URI = '/graphql/import';

/**
 * Files travel as bytes (Base64): the server decodes a CSV as UTF-8, or GBK/GB18030 as Excel and WPS save it on Chinese
 * Windows (with a notice), and reads .xlsx workbooks sheet by sheet (problems then named file:sheet:row: column).
 */
export const ImportUploadDocument = graphql(`
  mutation ImportUpload($files: [UploadFileInput!]!, $dryRun: Boolean!) {
    importUpload(files: $files, dryRun: $dryRun) {
      notices
      result {
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
        detectionRun {
          id
          asOf
          found
          created
          resolved
        }
      }
    }
  }
`);

/** The import's own progress (job_runs, task `import`), polled while it runs. */
export const ImportProgressDocument = graphql(`
  query ImportProgress {
    jobRuns(task: "import", first: 1) {
      id
      status
      progress
      done
      total
      phase
      requestedBy
      startedAt
    }
  }
`);

/** How often the import screen asks for the import's progress while it waits. */
export const PROGRESS_POLL_MS = 1000;

export const KNOWN_FILES = ['units.csv', 'accounts.csv', 'services.csv', 'posts.csv', 'messages.csv'];

/** The import templates the server offers (GET /api/templates/<table>.xlsx|csv): Chinese headers that the import reads. */
export const TEMPLATE_TABLES = ['units', 'accounts', 'services', 'posts', 'messages'] as const;

interface Picked {
  name: string;
  size: number;
  base64: string;
}

/** The bytes of a file as Base64 (in chunks: String.fromCharCode over a whole file overflows the call stack). */
export function toBase64(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

/** A name the server can use: one of the CSV tables, or any .xlsx workbook (its sheets name the tables). */
export function knownName(name: string): boolean {
  return KNOWN_FILES.includes(name) || /\.xlsx$/i.test(name);
}

/** Upload the CSV files or Excel workbooks, check them (dry run), import them; every problem listed as file:line: column: reason. */
export default function ImportPage() {
  const { t, tx, count, date } = useI18n();
  const client = useApolloClient();
  const [files, setFiles] = useState<Picked[]>([]);
  const [readError, setReadError] = useState<string | null>(null);
  const [result, setResult] = useState<ImportUploadMutation['importUpload']['result'] | null>(null);
  const [notices, setNotices] = useState<readonly string[]>([]);
  const [run, { loading, error, reset }] = useMutation(ImportUploadDocument);
  const [started, setStarted] = useState<number | null>(null);
  const [poll, progress] = useLazyQuery(ImportProgressDocument, { fetchPolicy: 'network-only' });
  useEffect(() => {
    if (!loading) return;
    const id = window.setInterval(() => void poll().catch(() => null), PROGRESS_POLL_MS);
    return () => window.clearInterval(id);
  }, [loading, poll]);
  // Only this import's run: started after the button was pressed (a little slack for clock differences).
  const { user } = useSession();
  const current = progress.data?.jobRuns.find((r) => started !== null && new Date(r.startedAt).getTime() >= started - 60_000 && r.status === 'running'
    && (!user || r.requestedBy === user.username));

  const add = async (file: File) => {
    try {
      const base64 = toBase64(new Uint8Array(await file.arrayBuffer()));
      setFiles((prev) => [...prev.filter((f) => f.name !== file.name), { name: file.name, size: file.size, base64 }]);
      setResult(null);
      setNotices([]);
      reset();
    } catch (e) {
      setReadError(t('import.readFailed', { name: file.name, message: e instanceof Error ? e.message : String(e) }));
    }
  };

  const submit = async (dryRun: boolean) => {
    setResult(null);
    setNotices([]);
    setStarted(Date.now());
    const res = await run({ variables: { files: files.map(({ name, base64 }) => ({ name, base64 })), dryRun }, context: { uri: IMPORT_URI } }).catch(() => null);
    const r = res?.data?.importUpload.result ?? null;
    setResult(r);
    setNotices(res?.data?.importUpload.notices ?? []);
    // New data: every screen showing counts must ask again.
    if (r?.ok && !r.dryRun) await client.refetchQueries({ include: 'active' });
  };

  const unknown = files.filter((f) => !knownName(f.name));

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={3} style={{ margin: 0 }}>
        {t('import.title')}
      </Typography.Title>
      <Card size="small" title={t('templates.title')}>
        <Typography.Paragraph type="secondary" style={{ marginTop: 0 }}>{t('templates.help')}</Typography.Paragraph>
        <ul className="plain-list" aria-label={t('templates.title')} style={{ display: 'flex', flexWrap: 'wrap', gap: '4px 20px' }}>
          {TEMPLATE_TABLES.map((table) => (
            <li key={table}>
              {tx('templates.table', table)}：
              <a href={`/api/templates/${table}.xlsx`} download>Excel</a>
              {' · '}
              <a href={`/api/templates/${table}.csv`} download>CSV</a>
            </li>
          ))}
        </ul>
      </Card>
      <Card size="small">
        <Typography.Paragraph>{t('import.help')}</Typography.Paragraph>
        <Upload
          accept=".csv,text/csv,.xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
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
        <Space wrap style={{ marginTop: 12 }}>
          <Button disabled={!files.length || loading} loading={loading} onClick={() => void submit(true)}>
            {t('import.dryRun')}
          </Button>
          <Button type="primary" disabled={!files.length || loading} loading={loading} onClick={() => void submit(false)}>
            {t('import.run')}
          </Button>
          {loading ? <span role="status">{t('import.running')}</span> : null}
        </Space>
        {loading ? (
          // The server records the import's steps (reading and checking each file, references, writing): polled here.
          <div style={{ marginTop: 12 }}>
            <Progress percent={current ? current.progress : 0} status="active" aria-label={t('import.progress')} />
            <Typography.Text type="secondary">{current?.phase ?? t('import.progress')}</Typography.Text>
          </div>
        ) : null}
      </Card>
      {error ? <ErrorNotice error={error} /> : null}
      {notices.length ? (
        <Alert type="info" showIcon role="status" title={t('import.notices')} description={<ul className="plain-list">{notices.map((n) => <li key={n}>{n}</li>)}</ul>} />
      ) : null}
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
            {result.detectionRun ? (
              <Typography.Text role="status">
                {t('import.checked', { date: date(result.detectionRun.asOf), found: count(result.detectionRun.found),
                  created: count(result.detectionRun.created), resolved: count(result.detectionRun.resolved) })}{' '}
                <Link to="/findings?status=OPEN">{t('import.toFindings')}</Link>
              </Typography.Text>
            ) : null}
            <Typography.Text type="secondary">{t('import.statusChanges', { n: result.statusChanges, ms: result.elapsedMs })}</Typography.Text>
          </Space>
        </Card>
      ) : null}
    </Space>
  );
}

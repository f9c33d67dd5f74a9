import { useMemo, useState } from 'react';
import { Select, Space, Typography } from 'antd';
import { useI18n } from '../../i18n';

export interface ImportProblem {
  file: string;
  line: number;
  column: string;
  message: string;
}

/** `file:line: column: reason`, the format the command line prints too (line 0 / column "-" = the whole file or row). */
export function formatProblem(p: ImportProblem): string {
  const where = p.line > 0 ? `${p.file}:${p.line}` : p.file;
  return p.column && p.column !== '-' ? `${where}: ${p.column}: ${p.message}` : `${where}: ${p.message}`;
}

/** Every problem of an import, in file and line order, filterable by file; says when the server listed only some. */
export function ImportErrorList({ errors, total }: { errors: readonly ImportProblem[]; total: number }) {
  const { t } = useI18n();
  const [file, setFile] = useState<string | null>(null);
  const files = useMemo(() => [...new Set(errors.map((e) => e.file))].sort(), [errors]);
  const sorted = useMemo(
    () => [...errors].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column.localeCompare(b.column)),
    [errors],
  );
  const shown = file ? sorted.filter((e) => e.file === file) : sorted;
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      {files.length > 1 ? (
        <Space>
          <label htmlFor="import-error-file">{t('import.filterFile')}</label>
          <Select
            id="import-error-file"
            style={{ minWidth: 180 }}
            value={file ?? ''}
            onChange={(v) => setFile(v || null)}
            options={[{ value: '', label: `${t('import.allFiles')}（${errors.length}）` }, ...files.map((f) => ({ value: f, label: `${f}（${errors.filter((e) => e.file === f).length}）` }))]}
          />
        </Space>
      ) : null}
      {total > errors.length ? <Typography.Text type="warning">{t('import.truncated', { total, shown: errors.length })}</Typography.Text> : null}
      <ol aria-label={t('import.errors')} style={{ margin: 0, paddingInlineStart: 24, maxHeight: 420, overflow: 'auto', fontFamily: 'ui-monospace, Menlo, Consolas, monospace', fontSize: 13 }}>
        {shown.map((e, i) => (
          <li key={`${e.file}:${e.line}:${e.column}:${i}`} style={{ padding: '2px 0' }}>
            {formatProblem(e)}
          </li>
        ))}
      </ol>
    </Space>
  );
}

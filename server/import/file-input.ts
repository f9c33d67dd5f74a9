import { isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';
import ExcelJS from 'exceljs';
import type { ImportFile, ImportProblem } from './import.types';

/**
 * Files as the browser sends them (bytes): CSV in UTF-8 (with or without BOM) or in GBK/GB18030 — what Excel and WPS
 * save on Chinese Windows — detected here and decoded with a notice; or an .xlsx workbook whose sheets are the tables
 * (sheet `accounts` or `账号` → accounts.csv, …), converted to CSV with the same validation. Problems found in a
 * sheet are reported as `book.xlsx:accounts:row: column`.
 */
const SHEETS: Record<string, string> = {
  units: 'units.csv', 单位: 'units.csv', accounts: 'accounts.csv', 账号: 'accounts.csv', services: 'services.csv', 办事服务: 'services.csv',
  posts: 'posts.csv', 发布内容: 'posts.csv', messages: 'messages.csv', 留言: 'messages.csv',
};

export interface DecodedFiles {
  files: ImportFile[];
  notices: string[];
  /** CSV name → where it came from (`book.xlsx:accounts`), to name problems. */
  origin: Map<string, string>;
  problems: ImportProblem[];
}

/** UTF-8 if the bytes are valid UTF-8 (a BOM is dropped), else GB18030 (a superset of GBK). */
export function decodeCsvBytes(buf: Buffer): { text: string; encoding: 'utf-8' | 'gb18030' } {
  const body = buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? buf.subarray(3) : buf;
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(body), encoding: 'utf-8' };
  } catch {
    return { text: iconv.decode(body, 'gb18030'), encoding: 'gb18030' };
  }
}

function cellText(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) {
    const iso = v.toISOString();
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
  }
  if (typeof v === 'object') {
    if ('richText' in v) return v.richText.map((r) => r.text).join('');
    if ('text' in v && typeof v.text === 'string') return v.text;
    if ('result' in v) return cellText(v.result as ExcelJS.CellValue);
    if ('error' in v) return '';
  }
  return String(v);
}

const csvCell = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

async function workbookFiles(name: string, buf: Buffer, out: DecodedFiles): Promise<void> {
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(buf as unknown as ArrayBuffer);
  } catch {
    out.problems.push({ file: name, line: 0, column: '-', message: '无法读取 Excel 文件，请另存为 .xlsx 后重试 (not a readable .xlsx workbook)' });
    return;
  }
  let used = 0;
  for (const ws of wb.worksheets) {
    const key = ws.name.trim().toLowerCase().replace(/\.csv$/, '');
    const target = SHEETS[key];
    if (!target) continue;
    const lines: string[] = [];
    const width = ws.getRow(1).cellCount;
    ws.eachRow({ includeEmpty: true }, (row) => {
      const cells: string[] = [];
      for (let c = 1; c <= width; c++) cells.push(csvCell(cellText(row.getCell(c).value).trim()));
      lines.push(cells.join(','));
    });
    while (lines.length > 1 && /^,*$/.test(lines[lines.length - 1])) lines.pop();
    out.files.push({ name: target, content: `${lines.join('\n')}\n` });
    out.origin.set(target, `${name}:${ws.name}`);
    used++;
  }
  if (!used) {
    out.problems.push({ file: name, line: 0, column: '-',
      message: `工作簿中没有可导入的工作表，工作表应命名为 ${Object.keys(SHEETS).join('、')} (no importable sheet)` });
  }
}

const gbNotice = (name: string) => `${name} 的编码为 GBK/GB18030（Excel/WPS 默认的中文编码），已自动转换为 UTF-8 (decoded from GB18030)`;

/** The files of an upload, decoded: CSV bytes by encoding, workbooks by sheet. */
export async function decodeUploads(uploads: { name: string; data: Buffer }[]): Promise<DecodedFiles> {
  const out: DecodedFiles = { files: [], notices: [], origin: new Map(), problems: [] };
  for (const u of uploads) {
    if (/\.xlsx$/i.test(u.name)) {
      await workbookFiles(u.name, u.data, out);
      continue;
    }
    const { text, encoding } = decodeCsvBytes(u.data);
    if (encoding !== 'utf-8') out.notices.push(gbNotice(u.name));
    out.files.push({ name: u.name, content: text });
  }
  return out;
}

/**
 * One uploaded file decoded like `decodeUploads`, but every content as UTF-8 bytes (no BOM) rather than text: what
 * the upload worker (upload-worker.ts) hands back to the main thread without copying. Valid UTF-8 stays as it came.
 */
export async function decodeUploadToBytes(name: string, data: Buffer): Promise<DecodedFiles> {
  const out: DecodedFiles = { files: [], notices: [], origin: new Map(), problems: [] };
  if (/\.xlsx$/i.test(name)) {
    await workbookFiles(name, data, out);
    out.files = out.files.map((f) => ({ name: f.name, content: Buffer.from(f.content as string, 'utf8') }));
    return out;
  }
  const body = data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf ? data.subarray(3) : data;
  if (isUtf8(body)) {
    out.files.push({ name, content: body });
  } else {
    out.notices.push(gbNotice(name));
    out.files.push({ name, content: Buffer.from(iconv.decode(body, 'gb18030'), 'utf8') });
  }
  return out;
}

/** Several files' decodings, in order, as one. */
export function mergeDecoded(parts: DecodedFiles[]): DecodedFiles {
  const out: DecodedFiles = { files: [], notices: [], origin: new Map(), problems: [] };
  for (const p of parts) {
    out.files.push(...p.files);
    out.notices.push(...p.notices);
    out.problems.push(...p.problems);
    for (const [k, v] of p.origin) out.origin.set(k, v);
  }
  return out;
}

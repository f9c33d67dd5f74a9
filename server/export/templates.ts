import ExcelJS from 'exceljs';
import { AccountStatus, AccountType, FilingStatus, Level, Platform, UnitKind } from '../common/enums';
import { FILE_SPECS, type FileName } from '../import/csv-schema';

/**
 * Import templates (导入模板): one per table, as .xlsx (a sheet named like the table, headers `中文名 (column)` that the
 * import reads as the column, an example row, and a 说明 sheet with every column's meaning and allowed values) and as
 * CSV (UTF-8 with BOM, so Excel opens it in Chinese). Columns come from the import's own schema (csv-schema.ts).
 */
export const TEMPLATE_TABLES = ['units', 'accounts', 'services', 'posts', 'messages'] as const;
export type TemplateTable = (typeof TEMPLATE_TABLES)[number];

const values = (e: Record<string, string>) => Object.values(e).join(' / ');

/** Chinese name, how to fill it in, and an example value of every import column. */
const COLUMNS: Record<string, [zh: string, hint: string, example: string]> = {
  code: ['单位代码', '全省唯一，不含空格', '3501-GOV'],
  name: ['名称', '', ''],
  kind: ['单位类型', values(UnitKind), UnitKind.GOVERNMENT],
  level: ['层级', values(Level), Level.CITY],
  parent_code: ['上级单位代码', '为空表示顶级', '35-GOV'],
  region_code: ['行政区划代码', '1–12 位数字，如 35、3501、350102', '3501'],
  supervisor_code: ['主管单位代码', '一般为上一级政府办公厅', '35-GOV-BGT'],
  platform: ['平台', values(Platform), Platform.WECHAT],
  handle: ['账号标识', '平台上的账号标识，同一平台内唯一', 'gh_3501_gov'],
  unit_code: ['主办单位代码', '单位表中的代码', '3501-GOV'],
  type: ['账号类型', values(AccountType), AccountType.PUBLISHING],
  status: ['账号状态', values(AccountStatus), AccountStatus.ACTIVE],
  filing_no: ['备案编号', '为空表示未备案', '闽备3501001'],
  opened_on: ['开设日期', 'YYYY-MM-DD', '2019-03-01'],
  followers: ['粉丝数', '非负整数', '120000'],
  interaction_enabled: ['开通互动', 'true / false', 'true'],
  is_main: ['主账号', 'true / false', 'true'],
  closed_on: ['注销日期', 'YYYY-MM-DD；未注销留空', ''],
  filing_status: ['备案状态', `${values(FilingStatus)}；可留空`, FilingStatus.FILED],
  filing_changed_on: ['备案变更日期', 'YYYY-MM-DD', ''],
  category: ['服务类别', '查询 / 预约 / 办理 …', '查询'],
  published_at: ['发布时间', 'YYYY-MM-DD HH:mm:ss（北京时间）或带时区的时间', '2024-06-01 09:30:00'],
  title: ['标题', '', '关于开展安全生产月活动的通知'],
  original: ['原创', 'true / false', 'true'],
  reads: ['阅读数', '非负整数', '1200'],
  content: ['正文', '可留空', ''],
  received_at: ['收到时间', 'YYYY-MM-DD HH:mm:ss', '2024-06-02 10:00:00'],
  replied_at: ['回复时间', '未回复留空', '2024-06-03 16:20:00'],
};

const EXAMPLE_NAME: Record<TemplateTable, string> = { units: '福州市人民政府', accounts: '福州发布', services: '户籍查询', posts: '', messages: '' };

export function isTemplateTable(t: string): t is TemplateTable {
  return (TEMPLATE_TABLES as readonly string[]).includes(t);
}

function layout(table: TemplateTable) {
  const spec = FILE_SPECS[`${table}.csv` as FileName];
  const cols = spec.columns.map((c) => {
    const [zh, hint, example] = COLUMNS[c.name] ?? [c.name, '', ''];
    return { name: c.name, zh, hint, required: c.headerRequired, example: c.name === 'name' ? EXAMPLE_NAME[table] : example };
  });
  return { label: spec.label, cols };
}

/** `单位代码 (code)`: what people read, and the column the import takes from the brackets. */
const header = (c: { name: string; zh: string }) => `${c.zh} (${c.name})`;

export function templateCsv(table: TemplateTable): Buffer {
  const { cols } = layout(table);
  const cell = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const text = `${cols.map((c) => cell(header(c))).join(',')}\r\n${cols.map((c) => cell(c.example)).join(',')}\r\n`;
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf-8')]);
}

export async function templateXlsx(table: TemplateTable): Promise<Buffer> {
  const { label, cols } = layout(table);
  const wb = new ExcelJS.Workbook();
  wb.creator = 'matrix-planner';
  const ws = wb.addWorksheet(table, { views: [{ state: 'frozen', ySplit: 1 }] });
  const head = ws.addRow(cols.map(header));
  head.font = { bold: true };
  cols.forEach((c, i) => {
    ws.getColumn(i + 1).width = Math.max(14, header(c).length * 2);
    // Text format: codes, dates and handles stay as typed (no 3501 → number, no date conversion).
    ws.getColumn(i + 1).numFmt = '@';
    if (c.required) head.getCell(i + 1).fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFFF2CC' } };
  });
  ws.addRow(cols.map((c) => c.example));
  const help = wb.addWorksheet('说明');
  help.addRow([`${label}导入模板：第一行为表头（括号内为列名，请勿修改），第二行为示例，可删除后填写；黄色为必需的列。`]).font = { bold: true };
  help.addRow(['列名', '中文名称', '必需', '填写说明']).font = { bold: true };
  for (const c of cols) help.addRow([c.name, c.zh, c.required ? '是' : '否', c.hint]);
  [18, 16, 8, 60].forEach((w, i) => { help.getColumn(i + 1).width = w; });
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export function templateLabel(table: TemplateTable): string {
  return layout(table).label;
}

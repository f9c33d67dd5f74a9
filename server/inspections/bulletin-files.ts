import ExcelJS from 'exceljs';
import { AlignmentType, Document, HeadingLevel, Packer, Paragraph, Table, TableCell, TableRow, TextRun, WidthType } from 'docx';

/** What a bulletin says: its figures and the failures named (frozen with the bulletin, see bulletins.service.ts). */
export interface BulletinRow {
  label: string;
  checked: number;
  failed: number;
  passRate: number | null;
  previousPassRate: number | null;
  /** Percentage points against the previous period (null without one). */
  change: number | null;
}

export interface BulletinFailure {
  accountName: string;
  handle: string;
  platform: string;
  unitName: string;
  score: number;
  reasons: string[];
}

export interface BulletinContent {
  title: string;
  regionName: string;
  periodLabel: string;
  periodStart: string;
  periodEnd: string;
  asOf: string;
  sampleRatio: number;
  seed: string;
  population: number;
  sampled: number;
  newMedia: BulletinRow;
  website: BulletinRow;
  byRegion: BulletinRow[];
  byLevel: BulletinRow[];
  byPlatform: BulletinRow[];
  failures: BulletinFailure[];
  previous: { asOf: string; passRate: number | null } | null;
}

const pct = (v: number | null) => (v === null ? '—' : `${v.toFixed(2)}%`);
const change = (v: number | null) => (v === null ? '—' : `${v > 0 ? '+' : ''}${v.toFixed(2)} 个百分点`);

const GROUP_HEADERS = ['分组', '检查数', '不合格数', '合格率', '上期合格率', '变化'];
const groupCells = (r: BulletinRow) => [r.label, r.checked, r.failed, pct(r.passRate), pct(r.previousPassRate), change(r.change)];

/** The opening paragraph, as provincial bulletins word it. */
export function summaryText(c: BulletinContent): string {
  const prev = c.previous ? `，较上期（${c.previous.asOf}）${change(c.newMedia.change)}` : '';
  return `${c.periodLabel}，按 ${Math.round(c.sampleRatio * 100)}% 的比例分层抽查${c.regionName}政务新媒体 ${c.newMedia.checked} 个`
    + `（应检 ${c.population} 个，含门户网站在内共抽查 ${c.sampled} 个），不合格 ${c.newMedia.failed} 个，总体合格率 ${pct(c.newMedia.passRate)}${prev}。`
    + (c.website.checked ? `另抽查门户网站 ${c.website.checked} 个，合格率 ${pct(c.website.passRate)}（单独统计）。` : '');
}

/** The bulletin as an Excel workbook: 概况, 按地区, 按层级, 按平台, 不合格账号. */
export async function bulletinXlsx(c: BulletinContent): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'matrix-planner';
  const summary = wb.addWorksheet('概况');
  summary.addRow([c.title]).font = { bold: true, size: 14 };
  summary.addRow([summaryText(c)]);
  summary.addRow([]);
  for (const [k, v] of [['检查期', `${c.periodStart} 至 ${c.periodEnd}`], ['检查日', c.asOf], ['抽样比例', `${Math.round(c.sampleRatio * 100)}%`],
    ['抽样种子', c.seed], ['应检账号数', c.population], ['抽查账号数', c.sampled], ['新媒体检查数', c.newMedia.checked],
    ['新媒体不合格数', c.newMedia.failed], ['新媒体合格率', pct(c.newMedia.passRate)], ['较上期变化', change(c.newMedia.change)],
    ['门户网站检查数', c.website.checked], ['门户网站合格率', pct(c.website.passRate)]] as [string, string | number][]) {
    summary.addRow([k, v]);
  }
  summary.getColumn(1).width = 18;
  summary.getColumn(2).width = 40;
  for (const [name, rows] of [['按地区', c.byRegion], ['按层级', c.byLevel], ['按平台', c.byPlatform]] as [string, BulletinRow[]][]) {
    const ws = wb.addWorksheet(name);
    ws.addRow(GROUP_HEADERS).font = { bold: true };
    for (const r of rows) ws.addRow(groupCells(r));
    ws.columns.forEach((col, i) => { col.width = i === 0 ? 20 : 14; });
  }
  const fails = wb.addWorksheet('不合格账号');
  fails.addRow(['序号', '账号名称', '账号标识', '平台', '主办单位', '得分', '问题']).font = { bold: true };
  c.failures.forEach((f, i) => fails.addRow([i + 1, f.accountName, f.handle, f.platform, f.unitName, f.score, f.reasons.join('；')]));
  [6, 24, 20, 12, 24, 8, 60].forEach((w, i) => { fails.getColumn(i + 1).width = w; });
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const cell = (text: string | number, bold = false) => new TableCell({
  children: [new Paragraph({ children: [new TextRun({ text: String(text), bold, font: '仿宋' })] })],
});
const table = (headers: string[], rows: (string | number)[][]) => new Table({
  width: { size: 100, type: WidthType.PERCENTAGE },
  rows: [new TableRow({ tableHeader: true, children: headers.map((h) => cell(h, true)) }), ...rows.map((r) => new TableRow({ children: r.map((v) => cell(v)) }))],
});
const para = (text: string) => new Paragraph({ children: [new TextRun({ text, font: '仿宋', size: 32 })], indent: { firstLine: 640 } });
const heading = (text: string) => new Paragraph({ children: [new TextRun({ text, font: '黑体', size: 32 })], heading: HeadingLevel.HEADING_2 });

/** The bulletin as a Word document laid out like a provincial bulletin: title, summary, tables, failures named. */
export async function bulletinDocx(c: BulletinContent): Promise<Buffer> {
  const children: (Paragraph | Table)[] = [
    new Paragraph({ alignment: AlignmentType.CENTER, children: [new TextRun({ text: c.title, font: '方正小标宋简体', size: 44, bold: true })] }),
    new Paragraph({ alignment: AlignmentType.CENTER, children: [new TextRun({ text: `（检查日：${c.asOf}）`, font: '楷体', size: 28 })] }),
    heading('一、总体情况'),
    para(summaryText(c)),
    heading('二、各地区情况'),
    table(GROUP_HEADERS, c.byRegion.map(groupCells)),
    heading('三、各层级情况'),
    table(GROUP_HEADERS, c.byLevel.map(groupCells)),
    heading('四、各平台情况'),
    table(GROUP_HEADERS, c.byPlatform.map(groupCells)),
    heading('五、不合格账号名单'),
    c.failures.length
      ? table(['序号', '账号名称', '平台', '主办单位', '得分', '主要问题'], c.failures.map((f, i) => [i + 1, f.accountName, f.platform, f.unitName, f.score, f.reasons.join('；')]))
      : para('本期抽查未发现不合格账号。'),
    heading('六、整改要求'),
    para('请各地区、各部门对照本通报，对不合格账号限期整改，整改情况按规定时限报送；对停更、僵尸账号，按程序关停注销并更新备案信息。'),
  ];
  const doc = new Document({ creator: 'matrix-planner', title: c.title, sections: [{ children }] });
  return Packer.toBuffer(doc);
}

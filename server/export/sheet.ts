import ExcelJS from 'exceljs';

export type Cell = string | number | null;
/** One worksheet of an export: title, Chinese headers, rows, column widths. */
export interface Sheet { title: string; headers: string[]; rows: Cell[][]; widths: number[] }

/** Most rows in one export. */
export const MAX_ROWS = 50_000;

/** `YYYY-MM-DD HH:mm:ss` in Beijing time (the times people read); empty for none. */
export function beijingTime(v: Date | string | null | undefined): string {
  if (v === null || v === undefined) return '';
  const t = new Date(v).getTime();
  return Number.isNaN(t) ? '' : new Date(t + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
}

/** The sheet as an .xlsx workbook: bold frozen header, widths, formula-like cells neutralised. */
export async function sheetXlsx(sheet: Sheet): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'matrix-planner';
  const ws = wb.addWorksheet(sheet.title, { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.addRow(sheet.headers).font = { bold: true };
  for (const r of sheet.rows) ws.addRow(r.map((c) => (typeof c === 'string' && /^[=+\-@]/.test(c) ? `'${c}` : c)));
  sheet.widths.forEach((w, i) => { ws.getColumn(i + 1).width = w; });
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/**
 * CSV for Excel (UTF-8 with BOM, CRLF) from rows already on screen, downloaded in the browser. A cell starting with
 * = + - @ is neutralised so a spreadsheet does not run it as a formula.
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let s = String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return `\uFEFF${[header, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

export function downloadCsv(filename: string, header: readonly string[], rows: readonly (readonly unknown[])[]): void {
  const blob = new Blob([toCsv(header, rows)], { type: 'text/csv;charset=utf-8' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Case-insensitive "contains" over several texts; an empty query matches everything. */
export function matchesText(query: string, ...texts: (string | null | undefined)[]): boolean {
  const q = query.trim().toLocaleLowerCase();
  if (!q) return true;
  return texts.some((t) => t?.toLocaleLowerCase().includes(q));
}

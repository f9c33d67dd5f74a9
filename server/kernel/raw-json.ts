/**
 * JSON text that is written into an HTTP answer as it is, not parsed and serialized again (issue 14: a planned read's
 * statement renders its whole answer, server/reads/render-sql.ts). Only a root field's value of `data` may be one, and
 * only when the context says the answer is written by `stringifyResult` below (`RequestInfo.rawJson`, set by the HTTP
 * layer). Anything else that serializes it gets the same JSON through `toJSON`.
 */
export class RawJson {
  constructor(readonly text: string) {}

  toJSON(): unknown {
    return JSON.parse(this.text);
  }
}


/**
 * Apollo's `stringifyResult`: `JSON.stringify(result) + '\n'` (Apollo's own), with the RawJson values of `data` written
 * as their text. Keys keep their order; a key whose value is undefined is left out, as JSON.stringify does.
 */
export function stringifyResult(result: { data?: Record<string, unknown> | null }): string {
  const data = result.data;
  if (!data || !Object.values(data).some((v) => v instanceof RawJson)) return `${JSON.stringify(result)}\n`;
  const members = (o: Record<string, unknown>, raw: boolean) => Object.entries(o)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${JSON.stringify(k)}:${raw && v instanceof RawJson ? v.text : JSON.stringify(v)}`);
  const top = Object.entries(result).filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${JSON.stringify(k)}:${k === 'data' ? `{${members(data, true).join(',')}}` : JSON.stringify(v)}`);
  return `{${top.join(',')}}\n`;
}

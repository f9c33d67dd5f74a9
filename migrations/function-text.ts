/**
 * A SQL function's text rewritten by a later migration: `part` replaced by `by`, where `part` must occur exactly once
 * (otherwise the earlier definition is not the one the migration was written against, and it stops).
 */
export function replaceOnce(text: string, part: string, by: string, what: string): string {
  const at = text.indexOf(part);
  if (at < 0 || text.indexOf(part, at + 1) >= 0) throw new Error(`${what} is not the expected one`);
  return text.slice(0, at) + by + text.slice(at + part.length);
}

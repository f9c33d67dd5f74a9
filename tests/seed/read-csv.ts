import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse';

/** Reads one generated CSV file as objects keyed by header (streamed, so the post file is fine). */
export async function readCsv(dir: string, file: string, onRow: (r: Record<string, string>) => void): Promise<number> {
  let n = 0;
  const parser = fs.createReadStream(path.join(dir, file)).pipe(parse({ columns: true }));
  for await (const r of parser) {
    onRow(r as Record<string, string>);
    n++;
  }
  return n;
}

export interface AccountFacts {
  platform: string;
  handle: string;
  name: string;
  unit: string;
  type: string;
  status: string;
  filed: boolean;
  openedOn: string;
  interaction: boolean;
  isMain: boolean;
  posts: number;
  lastPost: number | null;
  originalsLastYear: number;
  reads: number[];
  titles: Map<string, number>;
  oldestUnansweredMs: number | null;
  /** Rows in services.csv. */
  services: number;
}

/** Every account of a generated directory with the facts the detection rules look at, computed from the rows. */
export async function accountFacts(dir: string, asOf: Date): Promise<Map<string, AccountFacts>> {
  const facts = new Map<string, AccountFacts>();
  await readCsv(dir, 'accounts.csv', (r) => {
    facts.set(`${r.platform}:${r.handle}`, {
      platform: r.platform, handle: r.handle, name: r.name, unit: r.unit_code, type: r.type, status: r.status, filed: r.filing_no !== '',
      openedOn: r.opened_on, interaction: r.interaction_enabled === 'true', isMain: r.is_main === 'true', posts: 0, lastPost: null,
      originalsLastYear: 0, reads: [], titles: new Map(), oldestUnansweredMs: null, services: 0,
    });
  });
  const yearAgo = asOf.getTime() - 365 * 86_400_000;
  await readCsv(dir, 'posts.csv', (r) => {
    const f = facts.get(`${r.platform}:${r.handle}`)!;
    const t = Date.parse(r.published_at);
    f.posts++;
    if (f.lastPost === null || t > f.lastPost) f.lastPost = t;
    if (t >= yearAgo) {
      f.reads.push(Number(r.reads));
      if (r.original === 'true') f.originalsLastYear++;
      f.titles.set(r.title, (f.titles.get(r.title) ?? 0) + 1);
    }
  });
  await readCsv(dir, 'services.csv', (r) => {
    facts.get(`${r.platform}:${r.handle}`)!.services++;
  });
  await readCsv(dir, 'messages.csv', (r) => {
    if (r.replied_at !== '') return;
    const f = facts.get(`${r.platform}:${r.handle}`)!;
    const t = Date.parse(r.received_at);
    if (f.oldestUnansweredMs === null || t < f.oldestUnansweredMs) f.oldestUnansweredMs = t;
  });
  return facts;
}

export function median(xs: number[]): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

import type { DataSource } from 'typeorm';

/**
 * The audit hash chain (migrations/1732900000001-AuditChain.ts): each `audit_events` row's `hash` is
 * sha256(prev_hash || payload), the payload being the row's content in one canonical text (a JSON array; jsonb
 * prints objects with sorted keys, so `before`/`after` have one text each). The insert trigger and the verifier use
 * the same expressions, below.
 */
export const AUDIT_PAYLOAD_SQL = (e: string) => `jsonb_build_array(${e}.chain_no, ${e}.id, to_char(${e}.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS'),
  ${e}.actor_id, ${e}.actor_name, ${e}.actor_role, ${e}.action, ${e}.entity_type, ${e}.entity_id, ${e}.account_id, ${e}.unit_id,
  ${e}.plan_id, ${e}.before, ${e}.after, ${e}.comment, ${e}.ip, ${e}.user_agent)::text`;

export const AUDIT_HASH_SQL = (e: string, prev: string) =>
  `encode(sha256(convert_to(coalesce(${prev}, '') || ${AUDIT_PAYLOAD_SQL(e)}, 'UTF8')), 'hex')`;

/** Advisory lock id serialising the chain (kernel LOCKS use 7310001…; one meaning each). */
export const AUDIT_CHAIN_LOCK = 7310101;

export interface ChainProblem {
  chainNo: string | null;
  id: string;
  problem: 'hash' | 'link' | 'gap' | 'unchained';
}

export interface ChainReport {
  rows: number;
  head: { chainNo: string; hash: string } | null;
  problems: ChainProblem[];
}

/**
 * Recomputes the chain in batches (bounded memory): every row's hash from its content and `prev_hash`, every
 * `prev_hash` against the row before, `chain_no` without gaps. Reports at most `maxProblems` problems.
 */
export async function verifyAuditChain(ds: DataSource, opts: { batch?: number; maxProblems?: number } = {}): Promise<ChainReport> {
  const batch = opts.batch ?? 5000;
  const maxProblems = opts.maxProblems ?? 100;
  const problems: ChainProblem[] = [];
  const [{ n }] = await ds.query(`SELECT count(*)::text AS n FROM audit_events WHERE chain_no IS NULL`);
  if (Number(n) > 0) {
    const rows: { id: string }[] = await ds.query(`SELECT id::text FROM audit_events WHERE chain_no IS NULL ORDER BY id LIMIT $1`, [maxProblems]);
    for (const r of rows) problems.push({ chainNo: null, id: r.id, problem: 'unchained' });
  }
  let after = 0n;
  let prevHash: string | null = null;
  let expectedNo = 1n;
  let total = 0;
  let head: ChainReport['head'] = null;
  for (;;) {
    const rows: { chain_no: string; id: string; prev_hash: string | null; hash: string | null; recomputed: string }[] = await ds.query(
      `SELECT e.chain_no::text, e.id::text, e.prev_hash, e.hash, ${AUDIT_HASH_SQL('e', 'e.prev_hash')} AS recomputed
         FROM audit_events e WHERE e.chain_no > $1 ORDER BY e.chain_no LIMIT $2`, [after.toString(), batch]);
    if (!rows.length) break;
    for (const r of rows) {
      const no = BigInt(r.chain_no);
      if (problems.length < maxProblems) {
        if (no !== expectedNo) problems.push({ chainNo: r.chain_no, id: r.id, problem: 'gap' });
        if (r.prev_hash !== prevHash) problems.push({ chainNo: r.chain_no, id: r.id, problem: 'link' });
        if (r.hash !== r.recomputed) problems.push({ chainNo: r.chain_no, id: r.id, problem: 'hash' });
      }
      expectedNo = no + 1n;
      prevHash = r.hash;
      head = { chainNo: r.chain_no, hash: r.hash ?? '' };
    }
    total += rows.length;
    after = BigInt(rows[rows.length - 1].chain_no);
  }
  return { rows: total, head, problems };
}

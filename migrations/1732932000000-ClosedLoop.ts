import { MigrationInterface, QueryRunner } from 'typeorm';

const RULES_BEFORE = ['NO_UPDATE_14D', 'ZOMBIE', 'NO_INTERACTION', 'STOPPED_NOT_DEREGISTERED', 'REDUNDANT_SAME_PLATFORM', 'NAME_INCONSISTENT',
  'UNFILED', 'LEVEL_NOT_ALLOWED', 'LOW_VALUE', 'WRONG_EXPRESSION_SERIOUS', 'WRONG_EXPRESSION', 'OFF_MISSION'];
const list = (rules: string[]) => rules.map((r) => `'${r}'`).join(', ');

/**
 * The loop after deregistration: accounts carry their deregistration date (`closed_on`, backfilled from the status
 * history) and a filing status with its date (filed / changed / deregistered); the finding rule CLOSED_BUT_LIVE.
 */
export class ClosedLoop1732932000000 implements MigrationInterface {
  name = 'ClosedLoop1732932000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE accounts
      ADD COLUMN closed_on date,
      ADD COLUMN filing_status text CONSTRAINT accounts_filing_status_check CHECK (filing_status IN ('filed', 'changed', 'deregistered')),
      ADD COLUMN filing_changed_on date`);
    await q.query(`
      UPDATE accounts a SET closed_on = h.day
        FROM (SELECT account_id, (max(changed_at) AT TIME ZONE 'Asia/Shanghai')::date AS day
                FROM account_status_history WHERE to_status = 'closed' AND from_status IS NOT NULL GROUP BY account_id) h
       WHERE h.account_id = a.id AND a.status = 'closed'`);
    await q.query(`ALTER TABLE findings DROP CONSTRAINT findings_rule_check`);
    await q.query(`ALTER TABLE findings ADD CONSTRAINT findings_rule_check CHECK (rule IN (${list([...RULES_BEFORE, 'CLOSED_BUT_LIVE'])}))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM plan_action_findings WHERE finding_id IN (SELECT id FROM findings WHERE rule = 'CLOSED_BUT_LIVE')`);
    await q.query(`DELETE FROM findings WHERE rule = 'CLOSED_BUT_LIVE'`);
    await q.query(`ALTER TABLE findings DROP CONSTRAINT findings_rule_check`);
    await q.query(`ALTER TABLE findings ADD CONSTRAINT findings_rule_check CHECK (rule IN (${list(RULES_BEFORE)}))`);
    await q.query(`ALTER TABLE accounts DROP COLUMN filing_changed_on, DROP COLUMN filing_status, DROP COLUMN closed_on`);
  }
}

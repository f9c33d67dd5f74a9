import { MigrationInterface, QueryRunner } from 'typeorm';
import { DetectionRule, FindingAccountRole, FindingStatus, Level, Severity, sqlIn } from '../server/common/enums';
import { NATIONAL_DEFAULTS } from '../server/policy/policy.settings';

/**
 * Detection: versioned policies, detection runs, findings and the accounts they concern. Also adds
 * `accounts.name_normalized` (+ the raw name it was computed from), refreshed at the start of every run, for the
 * NAME_INCONSISTENT rule.
 */
export class Detection1732400000000 implements MigrationInterface {
  name = 'Detection1732400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE accounts ADD COLUMN name_normalized text, ADD COLUMN name_normalized_from text`);

    await q.query(`
      CREATE TABLE policies (
        id serial PRIMARY KEY,
        region_code varchar(12) NOT NULL REFERENCES regions(code),
        version int NOT NULL CONSTRAINT policies_version_check CHECK (version >= 1),
        settings jsonb NOT NULL CONSTRAINT policies_settings_object CHECK (jsonb_typeof(settings) = 'object'),
        note text,
        created_by int,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT policies_region_version_key UNIQUE (region_code, version)
      )`);
    await q.query(`INSERT INTO policies (region_code, version, settings, note) VALUES ('0', 1, $1, $2)`,
      [JSON.stringify(NATIONAL_DEFAULTS), '全国默认值（国办发〔2018〕123号、国办秘函〔2019〕19号）']);

    await q.query(`
      CREATE TABLE detection_runs (
        id serial PRIMARY KEY,
        as_of date NOT NULL,
        region_code varchar(12) REFERENCES regions(code),
        region_path text,
        policy_versions jsonb NOT NULL,
        started_at timestamptz NOT NULL,
        finished_at timestamptz,
        duration_ms int,
        counts_by_rule jsonb NOT NULL DEFAULT '{}',
        found int NOT NULL DEFAULT 0,
        created int NOT NULL DEFAULT 0,
        reopened int NOT NULL DEFAULT 0,
        resolved int NOT NULL DEFAULT 0,
        accounts_checked int NOT NULL DEFAULT 0,
        triggered_by int
      )`);
    await q.query(`CREATE INDEX detection_runs_started_idx ON detection_runs (started_at DESC, id DESC)`);
    await q.query(`CREATE INDEX detection_runs_region_idx ON detection_runs (region_code, id DESC)`);

    await q.query(`
      CREATE TABLE findings (
        id serial PRIMARY KEY,
        rule text NOT NULL CONSTRAINT findings_rule_check CHECK (rule IN (${sqlIn(DetectionRule)})),
        severity text NOT NULL CONSTRAINT findings_severity_check CHECK (severity IN (${sqlIn(Severity)})),
        severity_rank smallint GENERATED ALWAYS AS (CASE severity WHEN 'veto' THEN 0 WHEN 'major' THEN 1 ELSE 2 END) STORED,
        status text NOT NULL DEFAULT 'open' CONSTRAINT findings_status_check CHECK (status IN (${sqlIn(FindingStatus)})),
        subject_key text NOT NULL CONSTRAINT findings_subject_key UNIQUE,
        unit_id int NOT NULL REFERENCES units(id) ON DELETE CASCADE,
        account_id int REFERENCES accounts(id) ON DELETE CASCADE,
        platforms text[] NOT NULL,
        level text NOT NULL CONSTRAINT findings_level_check CHECK (level IN (${sqlIn(Level)})),
        region_path text,
        evidence jsonb NOT NULL,
        evidence_hash text NOT NULL,
        suggested_main_id int REFERENCES accounts(id) ON DELETE SET NULL,
        first_seen_run int NOT NULL REFERENCES detection_runs(id),
        last_seen_run int NOT NULL REFERENCES detection_runs(id),
        first_seen_at timestamptz NOT NULL,
        last_seen_at timestamptz NOT NULL,
        resolved_at timestamptz,
        resolved_run int REFERENCES detection_runs(id),
        reopened_at timestamptz,
        dismissed_reason text,
        dismissed_by int,
        dismissed_at timestamptz,
        dismissed_hash text,
        CONSTRAINT findings_dismissed_needs_reason CHECK (status <> 'dismissed' OR (dismissed_reason IS NOT NULL AND dismissed_hash IS NOT NULL))
      )`);
    // One index per filter of the findings connection, plus the two sort orders (severity, newest).
    await q.query(`CREATE INDEX findings_sort_idx ON findings (severity_rank, first_seen_run DESC, id DESC)`);
    await q.query(`CREATE INDEX findings_newest_idx ON findings (first_seen_run DESC, id DESC)`);
    await q.query(`CREATE INDEX findings_status_sort_idx ON findings (status, severity_rank, first_seen_run DESC, id DESC)`);
    await q.query(`CREATE INDEX findings_rule_status_idx ON findings (rule, status)`);
    await q.query(`CREATE INDEX findings_region_path_idx ON findings (region_path text_pattern_ops)`);
    await q.query(`CREATE INDEX findings_unit_idx ON findings (unit_id)`);
    await q.query(`CREATE INDEX findings_account_idx ON findings (account_id)`);
    await q.query(`CREATE INDEX findings_level_idx ON findings (level, status)`);
    await q.query(`CREATE INDEX findings_platforms_idx ON findings USING gin (platforms)`);
    await q.query(`CREATE INDEX findings_last_seen_run_idx ON findings (last_seen_run)`);

    await q.query(`
      CREATE TABLE finding_accounts (
        finding_id int NOT NULL REFERENCES findings(id) ON DELETE CASCADE,
        account_id int NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        role text NOT NULL CONSTRAINT finding_accounts_role_check CHECK (role IN (${sqlIn(FindingAccountRole)})),
        CONSTRAINT finding_accounts_pkey PRIMARY KEY (finding_id, account_id)
      )`);
    await q.query(`CREATE INDEX finding_accounts_account_idx ON finding_accounts (account_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['finding_accounts', 'findings', 'detection_runs', 'policies']) await q.query(`DROP TABLE IF EXISTS ${t}`);
    await q.query(`ALTER TABLE accounts DROP COLUMN IF EXISTS name_normalized, DROP COLUMN IF EXISTS name_normalized_from`);
  }
}

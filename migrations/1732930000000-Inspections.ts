import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Stored inspections (检查批次) and their bulletins (通报): an inspection freezes, for a region and a period, the
 * sample drawn (ratio, seed, population), the policy versions used and one verdict with its evidence per sampled
 * account — the account's name, unit, level, platform and region as they were, so later changes never alter it.
 * A bulletin is generated once from an inspection (its figures and the two files) and is never regenerated.
 */
export class Inspections1732930000000 implements MigrationInterface {
  name = 'Inspections1732930000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE inspections (
        id serial CONSTRAINT inspections_pkey PRIMARY KEY,
        region_code varchar(12) NOT NULL CONSTRAINT inspections_region_fkey REFERENCES regions(code),
        region_name text NOT NULL,
        region_path text NOT NULL,
        period_start date NOT NULL,
        period_end date NOT NULL,
        as_of date NOT NULL,
        sample_ratio numeric(5,4) NOT NULL CONSTRAINT inspections_ratio_check CHECK (sample_ratio >= 0.1 AND sample_ratio <= 1),
        seed text NOT NULL,
        policy_versions jsonb NOT NULL,
        population int NOT NULL,
        sampled int NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by int CONSTRAINT inspections_created_by_fkey REFERENCES users(id),
        created_by_name text NOT NULL,
        CONSTRAINT inspections_period_check CHECK (period_start <= period_end AND as_of >= period_start)
      )`);
    await q.query(`CREATE INDEX inspections_region_idx ON inspections (region_code, as_of DESC, id DESC)`);
    await q.query(`
      CREATE TABLE inspection_items (
        inspection_id int NOT NULL CONSTRAINT inspection_items_inspection_fkey REFERENCES inspections(id) ON DELETE CASCADE,
        account_id int NOT NULL,
        account_name text NOT NULL,
        handle text NOT NULL,
        unit_id int NOT NULL,
        unit_name text NOT NULL,
        unit_path text NOT NULL,
        region_path text,
        level text NOT NULL,
        platform text NOT NULL,
        grade text NOT NULL CONSTRAINT inspection_items_grade_check CHECK (grade IN ('fail', 'pass', 'good')),
        score int NOT NULL,
        vetoes text[] NOT NULL,
        deductions jsonb NOT NULL,
        reasons text[] NOT NULL,
        evidence jsonb NOT NULL,
        CONSTRAINT inspection_items_pkey PRIMARY KEY (inspection_id, account_id)
      )`);
    await q.query(`
      CREATE TABLE bulletins (
        id serial CONSTRAINT bulletins_pkey PRIMARY KEY,
        inspection_id int NOT NULL CONSTRAINT bulletins_inspection_key UNIQUE CONSTRAINT bulletins_inspection_fkey REFERENCES inspections(id),
        previous_inspection_id int CONSTRAINT bulletins_previous_fkey REFERENCES inspections(id),
        title text NOT NULL,
        content jsonb NOT NULL,
        xlsx bytea NOT NULL,
        docx bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by int CONSTRAINT bulletins_created_by_fkey REFERENCES users(id),
        created_by_name text NOT NULL
      )`);
    // Frozen: neither an item nor a bulletin changes after it is written.
    await q.query(`
      CREATE FUNCTION inspections_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION '检查批次与通报一经生成不可修改 (stored inspections and bulletins are immutable)'; END $$`);
    await q.query(`CREATE TRIGGER inspection_items_frozen BEFORE UPDATE ON inspection_items FOR EACH ROW EXECUTE FUNCTION inspections_frozen()`);
    await q.query(`CREATE TRIGGER bulletins_frozen BEFORE UPDATE ON bulletins FOR EACH ROW EXECUTE FUNCTION inspections_frozen()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE bulletins`);
    await q.query(`DROP TABLE inspection_items`);
    await q.query(`DROP TABLE inspections`);
    await q.query(`DROP FUNCTION inspections_frozen()`);
  }
}

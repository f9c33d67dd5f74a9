import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Runs of scheduled jobs (the queue itself is graphile-worker's own `graphile_worker` schema, created by the worker):
 * one row per attempt — task, region, status, progress, message, error — so runs, failures and retries are visible.
 */
export class JobRuns1732931000000 implements MigrationInterface {
  name = 'JobRuns1732931000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE job_runs (
        id bigserial CONSTRAINT job_runs_pkey PRIMARY KEY,
        task text NOT NULL,
        job_id text,
        region_code varchar(12),
        region_path text,
        payload jsonb NOT NULL DEFAULT '{}',
        status text NOT NULL CONSTRAINT job_runs_status_check CHECK (status IN ('running', 'succeeded', 'failed')),
        progress int NOT NULL DEFAULT 0 CONSTRAINT job_runs_progress_check CHECK (progress BETWEEN 0 AND 100),
        message text,
        error text,
        attempt int NOT NULL DEFAULT 1,
        max_attempts int NOT NULL DEFAULT 1,
        started_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz
      )`);
    await q.query(`CREATE INDEX job_runs_started_idx ON job_runs (started_at DESC, id DESC)`);
    await q.query(`CREATE INDEX job_runs_task_idx ON job_runs (task, started_at DESC)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE job_runs`);
  }
}

import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One version of a region's policy override (region '0' = national, otherwise a province code). Rows are never
 * updated: each edit inserts the next version, so a detection run can name the versions it used.
 */
@Entity('policies')
export class Policy {
  @PrimaryGeneratedColumn('increment')
  id: number;

  @Column('varchar', { name: 'region_code', length: 12 })
  regionCode: string;

  @Column('int')
  version: number;

  /** The override (a deep-partial `PolicySettings`), validated by `validateSettings` before it is stored. */
  @Column('jsonb')
  settings: Record<string, unknown>;

  @Column('text', { nullable: true })
  note: string | null;

  @Column('int', { name: 'created_by', nullable: true })
  createdBy: number | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}

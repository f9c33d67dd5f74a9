import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Level, UnitKind } from '../common/enums';

/** 单位. `path` is the chain of ancestor ids including itself (`/1/5/23/`), kept by the import for subtree queries. */
@ObjectType({ description: '单位 (unit)' })
@Entity('units')
export class Unit {
  @Field(() => ID)
  @PrimaryGeneratedColumn('increment')
  id: number;

  @Field(() => String, { description: '单位代码（如统一社会信用代码或内部编码）' })
  @Column('text', { unique: true })
  code: string;

  @Field(() => String)
  @Column('text')
  name: string;

  @Field(() => UnitKind)
  @Column('text')
  kind: UnitKind;

  @Field(() => Level)
  @Column('text')
  level: Level;

  @Column('int', { name: 'parent_id', nullable: true })
  parentId: number | null;

  @Field(() => String, { nullable: true })
  @Column('varchar', { name: 'region_code', length: 12, nullable: true })
  regionCode: string | null;

  @Column('int', { name: 'supervisor_id', nullable: true })
  supervisorId: number | null;

  @Column('text')
  path: string;

  @Field(() => Int, { description: '在单位树中的深度（根为 0）' })
  @Column('int')
  depth: number;

  @Column('text', { name: 'region_path', nullable: true })
  regionPath: string | null;
}

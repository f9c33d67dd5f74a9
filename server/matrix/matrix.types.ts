import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Level, Platform } from '../common/enums';
import { Region } from '../regions/region.entity';
import type { Scope } from '../kernel/scope';

@ObjectType({ description: '矩阵中的一格：某行在某平台上的账号数（按状态）' })
export class MatrixCell {
  @Field(() => Platform, { nullable: true, description: '平台；行合计为空' })
  platform: Platform | null;

  @Field(() => Int)
  active: number;

  @Field(() => Int)
  suspended: number;

  @Field(() => Int)
  closed: number;

  @Field(() => Int, { description: '全部（含已注销）' })
  total: number;

  @Field(() => Int, {
    description: '待处理（open）的检查发现问题数：问题涉及的平台落在本格即计一次（同一问题在一格内只计一次）。'
      + '跨平台的问题（如名称不一致）在其涉及的每个平台格各计一次，在行合计、列合计和总计中只计一次，因此各格之和可能大于合计',
  })
  openFindings: number;
}

@ObjectType({ description: '矩阵的一行：一个下级区划、本级单位合计，或（末级区划时）一个单位' })
export class MatrixRow {
  @Field(() => String, { description: '行标识：区划代码、"self"（本级），或单位编号' })
  key: string;

  @Field(() => String)
  label: string;

  @Field(() => String, { description: 'REGION / SELF / UNIT' })
  kind: 'REGION' | 'SELF' | 'UNIT';

  @Field(() => String, { nullable: true })
  regionCode: string | null;

  @Field(() => ID, { nullable: true })
  unitId: string | null;

  @Field(() => [MatrixCell], { description: '按平台顺序，每个平台一格' })
  cells: MatrixCell[];

  @Field(() => MatrixCell, { description: '该行各平台合计' })
  totalCell: MatrixCell;

  @Field(() => Int, { description: '该行未注销账号数' })
  live: number;

  @Field(() => Int, { description: '该行待处理问题数（每个问题只计一次）' })
  openFindings: number;
}

@ObjectType({ description: '按主办单位层级的一行：每个平台一格，账号数按状态，另有待处理问题数' })
export class MatrixLevelRow {
  @Field(() => Level)
  level: Level;

  @Field(() => [MatrixCell], { description: '按平台顺序（同 Matrix.platforms），每个平台一格' })
  cells: MatrixCell[];

  @Field(() => MatrixCell, { description: '该层级各平台合计' })
  totalCell: MatrixCell;

  @Field(() => Int, { description: '该层级未注销账号数' })
  live: number;

  @Field(() => Int, { description: '该层级待处理问题数（每个问题只计一次）' })
  openFindings: number;
}

@ObjectType({ description: '区划 × 平台的账号矩阵' })
export class Matrix {
  @Field(() => Region)
  region: Region;

  @Field(() => [Platform], { description: '列：平台' })
  platforms: Platform[];

  @Field(() => [MatrixRow])
  rows: MatrixRow[];

  @Field(() => [MatrixCell], { description: '各平台合计' })
  totals: MatrixCell[];

  @Field(() => Int, { description: '区划内（用户可见范围内）待处理问题总数，每个问题只计一次' })
  openFindings: number;

  /** Not a field: the scope the matrix was computed for, so `byLevel` counts the same accounts. */
  scope: { regionPath: string; unitScope: Scope };

  /** Not a field: the by-level rows, when the matrix's statement read them too (the read planner). */
  levels?: MatrixLevelRow[];
}

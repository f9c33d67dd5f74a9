import { Field, ID, Int, ObjectType } from 'type-graphql';
import { Platform } from '../common/enums';
import { Region } from '../regions/region.entity';

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
}

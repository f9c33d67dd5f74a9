import { ArgsType, Field, ID, InputType } from 'type-graphql';
import { IsOptional, MaxLength } from 'class-validator';
import { Level, UnitKind } from '../common/enums';
import { PageArgs } from '../kernel/pagination';

@InputType({ description: '单位筛选条件' })
export class UnitFilter {
  @Field(() => String, { nullable: true, description: '名称包含的文字' })
  @IsOptional()
  @MaxLength(100)
  search?: string | null;

  @Field(() => String, { nullable: true, description: '行政区划代码（含下级区划）' })
  @IsOptional()
  @MaxLength(12)
  regionCode?: string | null;

  @Field(() => [Level], { nullable: true })
  level?: Level[] | null;

  @Field(() => [UnitKind], { nullable: true })
  kind?: UnitKind[] | null;

  @Field(() => ID, { nullable: true, description: '仅该单位的直属下级' })
  parentId?: string | null;
}

@ArgsType()
export class UnitsArgs extends PageArgs {
  @Field(() => UnitFilter, { nullable: true })
  filter?: UnitFilter | null;
}

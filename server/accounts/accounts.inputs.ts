import { ArgsType, Field, ID, InputType, registerEnumType } from 'type-graphql';
import { IsOptional, MaxLength } from 'class-validator';
import { AccountStatus, AccountType, Level, Platform } from '../common/enums';
import { PageArgs } from '../kernel/pagination';

export enum AccountSort {
  NAME = 'name',
  FOLLOWERS = 'followers',
  LAST_POST = 'last_post',
}
registerEnumType(AccountSort, { name: 'AccountSort', description: '排序：名称（升序）、粉丝数（降序）、最近发布（降序）' });

export enum SortDirection {
  ASC = 'asc',
  DESC = 'desc',
}
registerEnumType(SortDirection, { name: 'SortDirection' });

@InputType({ description: '账号筛选条件；各条件之间为“且”' })
export class AccountFilter {
  @Field(() => String, { nullable: true, description: '行政区划代码：该区划及其下级的所有单位的账号' })
  @IsOptional()
  @MaxLength(12)
  regionCode?: string | null;

  @Field(() => ID, { nullable: true, description: '单位：该单位及其下属单位的账号' })
  @IsOptional()
  unitId?: string | null;

  @Field(() => [Platform], { nullable: true })
  platform?: Platform[] | null;

  @Field(() => [AccountStatus], { nullable: true })
  status?: AccountStatus[] | null;

  @Field(() => [AccountType], { nullable: true })
  type?: AccountType[] | null;

  @Field(() => [Level], { nullable: true, description: '主办单位的层级' })
  level?: Level[] | null;

  @Field(() => Boolean, { nullable: true, description: 'true 仅已备案，false 仅未备案' })
  filed?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: 'true 仅主账号，false 仅非主账号' })
  isMain?: boolean | null;

  @Field(() => String, { nullable: true, description: '名称包含的文字' })
  @IsOptional()
  @MaxLength(100)
  search?: string | null;
}

@ArgsType()
export class AccountsArgs extends PageArgs {
  @Field(() => AccountFilter, { nullable: true })
  filter?: AccountFilter | null;

  @Field(() => AccountSort, { nullable: true, defaultValue: AccountSort.NAME })
  sort?: AccountSort;

  @Field(() => SortDirection, { nullable: true, description: '默认：名称升序，粉丝数和最近发布降序' })
  direction?: SortDirection | null;
}

import { ArgsType, Field, ID, InputType } from 'type-graphql';
import { IsBoolean, IsIn, IsOptional, Length, Matches, MaxLength } from 'class-validator';
import { Role } from '../common/enums';
import { PageArgs } from '../kernel/pagination';
import { PASSWORD_PATTERN, PASSWORD_POLICY_ZH } from './password';

/** Case-insensitive on input; stored in lower case (the database allows only lower case). */
export const USERNAME_PATTERN = /^[A-Za-z][A-Za-z0-9._-]{2,31}$/;
const USERNAME_RULE = '用户名须为 3–32 位，以字母开头，只含字母、数字和 . _ -（保存为小写）';
const ROLES = Object.values(Role);

@InputType({ description: '新建用户' })
export class CreateUserInput {
  @Field(() => String, { description: '登录名：3–32 位，字母开头，可含字母、数字和 . _ -；保存为小写' })
  @Matches(USERNAME_PATTERN, { message: USERNAME_RULE })
  username: string;

  @Field(() => String, { description: '显示名称' })
  @Length(1, 50, { message: '显示名称须为 1–50 个字符' })
  displayName: string;

  @Field(() => String, { description: '初始密码：至少 8 位，同时包含字母和数字' })
  @Matches(PASSWORD_PATTERN, { message: PASSWORD_POLICY_ZH })
  password: string;

  @Field(() => Role)
  @IsIn(ROLES, { message: '角色无效' })
  role: Role;

  @Field(() => ID, { nullable: true, description: '所属单位（管辖范围）；仅全国管理员可为空' })
  @IsOptional()
  unitId?: string | null;
}

@InputType({ description: '修改用户（只改提供的字段）' })
export class UpdateUserInput {
  @Field(() => String, { nullable: true })
  @IsOptional()
  @Length(1, 50, { message: '显示名称须为 1–50 个字符' })
  displayName?: string | null;

  @Field(() => Role, { nullable: true })
  @IsOptional()
  @IsIn(ROLES, { message: '角色无效' })
  role?: Role | null;

  @Field(() => ID, { nullable: true, description: '所属单位；显式传 null 表示不限范围（仅管理员）' })
  @IsOptional()
  unitId?: string | null;

  @Field(() => Boolean, { nullable: true, description: '启用或停用；停用会立即注销其全部会话' })
  @IsOptional()
  @IsBoolean()
  active?: boolean | null;

  @Field(() => String, { nullable: true, description: '重置密码；会立即注销其全部会话' })
  @IsOptional()
  @Matches(PASSWORD_PATTERN, { message: PASSWORD_POLICY_ZH })
  password?: string | null;
}

@InputType({ description: '用户筛选条件' })
export class UserFilter {
  @Field(() => String, { nullable: true, description: '登录名或显示名称包含的文字' })
  @IsOptional()
  @MaxLength(50)
  search?: string | null;

  @Field(() => [Role], { nullable: true })
  role?: Role[] | null;

  @Field(() => ID, { nullable: true, description: '所属单位（含下级单位）' })
  unitId?: string | null;

  @Field(() => Boolean, { nullable: true })
  active?: boolean | null;
}

@ArgsType()
export class UsersArgs extends PageArgs {
  @Field(() => UserFilter, { nullable: true })
  filter?: UserFilter | null;
}

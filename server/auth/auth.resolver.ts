import { Arg, Args, Ctx, Field, FieldResolver, ID, Mutation, ObjectType, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../kernel/context';
import { Connection, type ConnectionShape } from '../kernel/pagination';
import { Unit } from '../units/unit.entity';
import { User } from './user.entity';
import { authService } from './auth.service';
import { usersService } from './users.service';
import { CreateUserInput, UpdateUserInput, UsersArgs } from './auth.inputs';

@ObjectType({ description: '登录结果' })
export class LoginResult {
  @Field(() => String, { description: '会话令牌（脚本用 Authorization: Bearer；浏览器另有 httpOnly Cookie mp_session）' })
  token: string;

  @Field(() => Date, { description: '过期时间（8 小时）' })
  expiresAt: Date;

  @Field(() => User)
  user: User;
}

@ObjectType()
export class UserConnection extends Connection(User, 'User') {}

@Resolver(() => User)
export class AuthResolver {
  @Mutation(() => LoginResult, { description: '用户名密码登录（唯一无需登录即可调用的操作）' })
  login(@Ctx() ctx: Context, @Arg('username', () => String) username: string,
    @Arg('password', () => String) password: string): Promise<LoginResult> {
    return authService.login(ctx, username, password);
  }

  @Mutation(() => Boolean, { description: '退出登录：注销当前会话' })
  logout(@Ctx() ctx: Context): Promise<boolean> {
    return authService.logout(ctx);
  }

  @Query(() => User, { description: '当前登录用户' })
  me(@Ctx() ctx: Context): Promise<User> {
    return authService.me(ctx);
  }

  @Query(() => UserConnection, { description: '用户列表（管理员，限其管辖范围）' })
  users(@Ctx() ctx: Context, @Args(() => UsersArgs) args: UsersArgs): Promise<ConnectionShape<User>> {
    return usersService.list(ctx, args.filter ?? {}, args.first, args.after);
  }

  @Mutation(() => User, { description: '新建用户（管理员）' })
  createUser(@Ctx() ctx: Context, @Arg('input', () => CreateUserInput) input: CreateUserInput): Promise<User> {
    return usersService.create(ctx, input);
  }

  @Mutation(() => User, { description: '修改用户：角色、单位、启用状态、重置密码（管理员）' })
  updateUser(@Ctx() ctx: Context, @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateUserInput) input: UpdateUserInput): Promise<User> {
    return usersService.update(ctx, id, input);
  }

  @FieldResolver(() => Unit, { nullable: true, description: '所属单位（管辖范围）；全国管理员为空' })
  unit(@Ctx() ctx: Context, @Root() user: User): Promise<Unit | null> | null {
    return user.unitId === null ? null : ctx.loaders.unitById.load(user.unitId);
  }
}

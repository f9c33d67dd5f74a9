import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Ctx, FieldResolver, ID, Info, ObjectType, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../kernel/context';
import { Connection, PageArgs, type ConnectionShape } from '../kernel/pagination';
import { Platform } from '../common/enums';
import { Unit } from '../units/unit.entity';
import { Account } from './account.entity';
import { AccountService } from './account-service.entity';
import { AccountStatusChange } from './status-change.entity';
import { AccountStats } from './account-stats';
import { Post } from './post.entity';
import { AccountsArgs } from './accounts.inputs';
import { accountsService } from './accounts.service';
import { readPlanner } from '../reads/planner';
import { accountFields } from './account-fields';

@ObjectType()
export class AccountConnection extends Connection(Account, 'Account') {}

@ObjectType()
export class PostConnection extends Connection(Post, 'Post') {}

@Resolver(() => Account)
export class AccountsResolver {
  @Query(() => AccountConnection, { description: '账号列表（游标分页）' })
  accounts(@Ctx() ctx: Context, @Args(() => AccountsArgs) args: AccountsArgs, @Info() info: GraphQLResolveInfo): Promise<ConnectionShape<Account>> {
    // The read planner adds the nodes' relations (unit, stats, findings …) and the total to the list's one statement.
    return accountsService.list(ctx, args, readPlanner.enabled ? readPlanner.accountsPage(ctx, info) : undefined);
  }

  @Query(() => Account, { description: '按编号取一个账号' })
  account(@Ctx() ctx: Context, @Arg('id', () => ID) id: string, @Info() info: GraphQLResolveInfo): Promise<Account> {
    return readPlanner.enabled ? readPlanner.account(ctx, info, id) : accountsService.byId(ctx, id);
  }

  @Query(() => Account, { description: '按平台和账号标识取一个账号' })
  accountByHandle(@Ctx() ctx: Context, @Arg('platform', () => Platform) platform: Platform,
    @Arg('handle', () => String) handle: string): Promise<Account> {
    return accountsService.byHandle(ctx, platform, handle);
  }

  @FieldResolver(() => String, { description: '平台中文名' })
  platformName(@Root() account: Account): string {
    return accountFields.platformName(account);
  }

  @FieldResolver(() => Boolean, { description: '是否已备案' })
  filed(@Root() account: Account): boolean {
    return accountFields.filed(account);
  }

  @FieldResolver(() => Unit, { description: '主办单位' })
  async unit(@Ctx() ctx: Context, @Root() account: Account): Promise<Unit> {
    // The account itself was scope-checked where it was fetched — or reached through a plan the user may see (a unit's
    // approver must see every account of the plan, and whose it is, to judge it): its sponsoring unit is part of it.
    return (await ctx.loaders.unitById.load(account.unitId))!;
  }

  @FieldResolver(() => [AccountService], { description: '提供的办事服务' })
  services(@Ctx() ctx: Context, @Root() account: Account): Promise<AccountService[]> {
    return ctx.loaders.servicesByAccount.load(account.id);
  }

  @FieldResolver(() => AccountStats, { description: '活跃度统计（相对当前时间）' })
  async stats(@Ctx() ctx: Context, @Root() account: Account): Promise<AccountStats> {
    return (await ctx.loaders.statsByAccount.load(account.id))!;
  }

  @FieldResolver(() => [AccountStatusChange], { description: '状态变更历史（时间正序）' })
  statusHistory(@Ctx() ctx: Context, @Root() account: Account): Promise<AccountStatusChange[]> {
    return ctx.loaders.statusHistoryByAccount.load(account.id);
  }

  @FieldResolver(() => PostConnection, { description: '发布的内容，最新在前' })
  posts(@Ctx() ctx: Context, @Root() account: Account, @Args(() => PageArgs) page: PageArgs): Promise<ConnectionShape<Post>> {
    return accountsService.posts(ctx, account.id, page.first, page.after);
  }
}

@Resolver(() => AccountService)
export class AccountServiceResolver {
  @FieldResolver(() => Account, { nullable: true, description: '迁移而来的服务的原账号' })
  originAccount(@Ctx() ctx: Context, @Root() service: AccountService): Promise<Account | null> | null {
    return service.originAccountId ? ctx.loaders.accountById.load(service.originAccountId) : null;
  }
}

@Resolver(() => Post)
export class PostResolver {
  @FieldResolver(() => Account, { nullable: true, description: '迁移而来的内容的原账号' })
  originAccount(@Ctx() ctx: Context, @Root() post: Post): Promise<Account | null> | null {
    return post.originAccountId ? ctx.loaders.accountById.load(post.originAccountId) : null;
  }
}

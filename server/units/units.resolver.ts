import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Ctx, FieldResolver, ID, Info, Int, ObjectType, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../kernel/context';
import { badInput } from '../kernel/errors';
import { Connection, PageArgs, type ConnectionShape } from '../kernel/pagination';
import { AccountStatus, Platform } from '../common/enums';
import { Region } from '../regions/region.entity';
import { Account } from '../accounts/account.entity';
import { Unit } from './unit.entity';
import { unitsService } from './units.service';
import { UnitsArgs } from './units.inputs';
import { pickAccounts, plannedAccountsOf, plannedChildrenOf, readPlanner } from '../reads/planner';

@ObjectType()
export class UnitConnection extends Connection(Unit, 'Unit') {}

@Resolver(() => Unit)
export class UnitsResolver {
  @Query(() => Unit, { description: '按编号或单位代码取一个单位' })
  unit(@Ctx() ctx: Context, @Arg('id', () => ID, { nullable: true }) id?: string | null,
    @Arg('code', () => String, { nullable: true }) code?: string | null, @Info() info?: GraphQLResolveInfo): Promise<Unit> {
    // The read planner reads the unit and the subtree its selection asks for (children, accounts …) in one statement.
    if (id) return readPlanner.enabled && info ? readPlanner.unit(ctx, info, { id }) : unitsService.byId(ctx, id);
    if (code) return readPlanner.enabled && info ? readPlanner.unit(ctx, info, { code }) : unitsService.byCode(ctx, code);
    throw badInput('请提供 id 或 code', [{ field: 'id', message: 'id 与 code 至少提供一个' }]);
  }

  @Query(() => [Unit], { description: '单位树的顶层（或当前用户的单位）' })
  unitRoots(@Ctx() ctx: Context): Promise<Unit[]> {
    return unitsService.roots(ctx);
  }

  @Query(() => UnitConnection, { description: '查找单位（按层级、编码排序）' })
  units(@Ctx() ctx: Context, @Args(() => UnitsArgs) args: UnitsArgs): Promise<ConnectionShape<Unit>> {
    return unitsService.search(ctx, args.filter ?? {}, args.first, args.after);
  }

  @FieldResolver(() => Unit, { nullable: true })
  parent(@Ctx() ctx: Context, @Root() unit: Unit): Promise<Unit | null> {
    return unitsService.parent(ctx, unit);
  }

  @FieldResolver(() => Unit, { nullable: true, description: '主管单位' })
  supervisor(@Ctx() ctx: Context, @Root() unit: Unit): Promise<Unit | null> {
    return unitsService.supervisor(ctx, unit);
  }

  @FieldResolver(() => Region, { nullable: true })
  region(@Ctx() ctx: Context, @Root() unit: Unit): Promise<Region | null> | null {
    return unit.regionCode ? ctx.loaders.regionByCode.load(unit.regionCode) : null;
  }

  @FieldResolver(() => [Unit], { description: '从顶层到上级的单位链' })
  ancestors(@Ctx() ctx: Context, @Root() unit: Unit): Promise<Unit[]> {
    return unitsService.ancestors(ctx, unit);
  }

  @FieldResolver(() => [Unit], { description: '直属下级单位' })
  children(@Ctx() ctx: Context, @Root() unit: Unit): Promise<Unit[]> | Unit[] {
    // What the read planner already read is answered synchronously (no promise per unit of a planned subtree).
    return plannedChildrenOf(unit) ?? unitsService.children(ctx, unit);
  }

  @FieldResolver(() => Int, { description: '直属下级单位数' })
  childCount(@Ctx() ctx: Context, @Root() unit: Unit): Promise<number> | number {
    const planned = plannedChildrenOf(unit);
    return planned ? planned.length : unitsService.children(ctx, unit).then((c) => c.length);
  }

  @FieldResolver(() => UnitConnection, { description: '全部下级单位（分页，按层级排序）' })
  descendants(@Ctx() ctx: Context, @Root() unit: Unit, @Args(() => PageArgs) page: PageArgs,
    @Arg('maxDepth', () => Int, { nullable: true, description: '最多向下几级' }) maxDepth?: number | null): Promise<ConnectionShape<Unit>> {
    return unitsService.descendants(ctx, unit, page.first, page.after, maxDepth);
  }

  @FieldResolver(() => [Account], { description: '本单位（不含下级）主办的账号' })
  accounts(@Ctx() ctx: Context, @Root() unit: Unit,
    @Arg('platform', () => [Platform], { nullable: true }) platform?: Platform[] | null,
    @Arg('status', () => [AccountStatus], { nullable: true }) status?: AccountStatus[] | null): Promise<Account[]> | Account[] {
    const pick = (all: Account[]) => pickAccounts(all, platform, status);
    const planned = plannedAccountsOf(unit);
    return planned ? pick(planned) : ctx.loaders.accountsByUnit.load(unit.id).then(pick);
  }
}

import { Arg, Args, Ctx, Field, FieldResolver, ID, ObjectType, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../kernel/context';
import { Connection, type ConnectionShape } from '../kernel/pagination';
import { AccountStatusChange } from '../accounts/status-change.entity';
import { AuditEvent } from './audit-event.entity';
import { AuditEventsArgs } from './audit.inputs';
import { auditService } from './audit.service';

@ObjectType()
export class AuditEventConnection extends Connection(AuditEvent, 'AuditEvent') {}

@ObjectType({ description: '账号履历中的一条：审计记录或状态变更' })
export class AccountTimelineEntry {
  @Field(() => Date)
  at: Date;

  @Field(() => String, { description: 'AUDIT（审计记录）或 STATUS（状态变更）' })
  kind: 'AUDIT' | 'STATUS';

  @Field(() => AuditEvent, { nullable: true })
  auditEvent: AuditEvent | null;

  @Field(() => AccountStatusChange, { nullable: true })
  statusChange: AccountStatusChange | null;
}

@Resolver(() => AuditEvent)
export class AuditResolver {
  @Query(() => AuditEventConnection, { description: '审计记录，最新在前（限当前用户的管辖范围）' })
  auditEvents(@Ctx() ctx: Context, @Args(() => AuditEventsArgs) args: AuditEventsArgs): Promise<ConnectionShape<AuditEvent>> {
    return auditService.events(ctx, args.filter ?? {}, args.first, args.after);
  }

  // Names for people instead of the ids the event stores (the object as it is called now; null when it is gone).
  @FieldResolver(() => String, { nullable: true, description: '账号名称' })
  async accountName(@Root() e: AuditEvent, @Ctx() ctx: Context): Promise<string | null> {
    return e.accountId === null ? null : (await ctx.loaders.accountById.load(Number(e.accountId)))?.name ?? null;
  }

  @FieldResolver(() => String, { nullable: true, description: '单位名称' })
  async unitName(@Root() e: AuditEvent, @Ctx() ctx: Context): Promise<string | null> {
    return e.unitId === null ? null : (await ctx.loaders.unitById.load(Number(e.unitId)))?.name ?? null;
  }

  @FieldResolver(() => String, { nullable: true, description: '方案标题' })
  async planTitle(@Root() e: AuditEvent, @Ctx() ctx: Context): Promise<string | null> {
    return e.planId === null ? null : (await ctx.loaders.planById.load(Number(e.planId)))?.title ?? null;
  }

  @Query(() => [AccountTimelineEntry], { description: '账号完整履历：审计记录、相关方案的记录与状态变更，按时间正序' })
  accountTimeline(@Ctx() ctx: Context, @Arg('accountId', () => ID) accountId: string): Promise<AccountTimelineEntry[]> {
    return auditService.accountTimeline(ctx, accountId);
  }
}

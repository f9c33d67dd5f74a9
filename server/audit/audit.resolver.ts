import { Arg, Args, Ctx, Field, ID, ObjectType, Query, Resolver } from 'type-graphql';
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

  @Query(() => [AccountTimelineEntry], { description: '账号完整履历：审计记录、相关方案的记录与状态变更，按时间正序' })
  accountTimeline(@Ctx() ctx: Context, @Arg('accountId', () => ID) accountId: string): Promise<AccountTimelineEntry[]> {
    return auditService.accountTimeline(ctx, accountId);
  }
}

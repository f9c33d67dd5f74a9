import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../kernel/context';
import { Unit } from '../units/unit.entity';
import { ApprovalDelegation } from './delegation.entity';
import { delegationService } from './delegation.service';

/** Delegations of a unit's approvals: thin, the rules are in delegation.service.ts. */
@Resolver(() => ApprovalDelegation)
export class DelegationsResolver {
  @Query(() => [ApprovalDelegation], { description: '审批授权（管辖范围内单位的；默认仅有效的）' })
  approvalDelegations(@Ctx() ctx: Context, @Arg('unitId', () => ID, { nullable: true }) unitId?: string | null,
    @Arg('all', () => Boolean, { nullable: true, description: 'true：含已撤销的' }) all?: boolean | null): Promise<ApprovalDelegation[]> {
    return delegationService.list(ctx, unitId, all);
  }

  @Mutation(() => ApprovalDelegation, { description: '授权另一位审批人代表本单位审批、确认执行步骤（本单位审批人或管理员）' })
  delegateApprovals(@Ctx() ctx: Context, @Arg('unitId', () => ID) unitId: string,
    @Arg('delegateUsername', () => String, { description: '受托审批人的登录名' }) delegateUsername: string,
    @Arg('reason', () => String) reason: string): Promise<ApprovalDelegation> {
    return delegationService.grant(ctx, unitId, delegateUsername, reason);
  }

  @Mutation(() => ApprovalDelegation, { description: '撤销审批授权（本单位审批人或管理员）' })
  revokeApprovalDelegation(@Ctx() ctx: Context, @Arg('id', () => ID) id: string,
    @Arg('reason', () => String, { nullable: true }) reason?: string | null): Promise<ApprovalDelegation> {
    return delegationService.revoke(ctx, id, reason);
  }

  @FieldResolver(() => Unit, { description: '授权单位' })
  async unit(@Ctx() ctx: Context, @Root() d: ApprovalDelegation): Promise<Unit> {
    return (await ctx.loaders.unitById.load(d.unitId))!;
  }

  @FieldResolver(() => String, { description: '受托审批人登录名' })
  async delegateUsername(@Ctx() ctx: Context, @Root() d: ApprovalDelegation): Promise<string> {
    const [row] = await ctx.em.query(`SELECT username FROM users WHERE id = $1`, [d.delegateUserId]);
    return row?.username ?? '';
  }
}

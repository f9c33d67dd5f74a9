import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../kernel/context';
import { Unit } from '../units/unit.entity';
import { Notification, WorkOrder } from './work-order.entity';
import { workOrdersService } from './workorders.service';

@Resolver(() => WorkOrder)
export class WorkOrdersResolver {
  @Query(() => [WorkOrder], { description: '整改工单（本单位及下级；含升级到本单位的），按期限排序' })
  workOrders(@Ctx() ctx: Context, @Arg('status', () => String, { nullable: true }) status?: string | null,
    @Arg('first', () => Int, { nullable: true }) first?: number | null): Promise<WorkOrder[]> {
    return workOrdersService.list(ctx, status, first);
  }

  @Mutation(() => WorkOrder, { description: '主办单位反馈整改情况（说明与证据）；下一次检查确认后办结' })
  answerWorkOrder(@Ctx() ctx: Context, @Arg('id', () => ID) id: string, @Arg('note', () => String) note: string,
    @Arg('evidence', () => String, { nullable: true }) evidence?: string | null): Promise<WorkOrder> {
    return workOrdersService.answer(ctx, id, note, evidence);
  }

  @Query(() => [Notification], { description: '本单位及下级的通知（整改工单、到期提醒、逾期、升级），最新在前' })
  notifications(@Ctx() ctx: Context, @Arg('unreadOnly', () => Boolean, { defaultValue: false }) unreadOnly: boolean,
    @Arg('first', () => Int, { nullable: true }) first?: number | null): Promise<Notification[]> {
    return workOrdersService.notifications(ctx, unreadOnly, first);
  }

  @Mutation(() => Notification, { description: '将一条通知标为已读' })
  markNotificationRead(@Ctx() ctx: Context, @Arg('id', () => ID) id: string): Promise<Notification> {
    return workOrdersService.markRead(ctx, id);
  }

  @Mutation(() => Int, { description: '将本单位及下级的全部未读通知标为已读，返回条数' })
  markAllNotificationsRead(@Ctx() ctx: Context): Promise<number> {
    return workOrdersService.markAllRead(ctx);
  }

  @FieldResolver(() => Unit, { description: '主办单位（整改责任单位）' })
  unit(@Ctx() ctx: Context, @Root() w: WorkOrder): Promise<Unit | null> {
    return ctx.loaders.unitById.load(w.unitId);
  }

  @FieldResolver(() => Unit, { nullable: true, description: '逾期后升级到的主管单位' })
  escalatedTo(@Ctx() ctx: Context, @Root() w: WorkOrder): Promise<Unit | null> | null {
    return w.escalatedToUnitId ? ctx.loaders.unitById.load(w.escalatedToUnitId) : null;
  }

  @FieldResolver(() => Int, { description: '距期限的工作日数（负数为逾期）' })
  workingDaysLeft(@Root() w: WorkOrder): number {
    return workOrdersService.daysLeft(w);
  }
}

import { Arg, Args, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../kernel/context';
import { InspectionReport } from '../detection/inspection.types';
import { Bulletin, Inspection } from './inspection.entity';
import { CreateInspectionArgs } from './inspections.inputs';
import { inspectionsService } from './inspections.service';
import { bulletinsService } from './bulletins.service';

@Resolver(() => Inspection)
export class InspectionsResolver {
  @Mutation(() => Inspection, { description: '保存一次检查批次（按季度，分层抽样，结论冻结）' })
  createInspection(@Ctx() ctx: Context, @Args(() => CreateInspectionArgs) args: CreateInspectionArgs): Promise<Inspection> {
    return inspectionsService.create(ctx, args);
  }

  @Query(() => [Inspection], { description: '已保存的检查批次，最新在前' })
  inspections(@Ctx() ctx: Context, @Arg('regionCode', () => String, { nullable: true }) regionCode?: string | null,
    @Arg('first', () => Int, { nullable: true }) first?: number | null): Promise<Inspection[]> {
    return inspectionsService.list(ctx, regionCode, first);
  }

  @Query(() => Inspection, { description: '按编号取一个检查批次' })
  inspection(@Ctx() ctx: Context, @Arg('id', () => ID) id: string): Promise<Inspection> {
    return inspectionsService.byId(ctx, id);
  }

  @FieldResolver(() => InspectionReport, { description: '检查批次的结果（冻结数据）' })
  report(@Ctx() ctx: Context, @Root() inspection: Inspection,
    @Arg('failuresLimit', () => Int, { defaultValue: 100 }) failuresLimit: number): Promise<InspectionReport> {
    return inspectionsService.report(ctx, inspection, failuresLimit);
  }

  @FieldResolver(() => Bulletin, { nullable: true, description: '由本批次生成的通报' })
  bulletin(@Ctx() ctx: Context, @Root() inspection: Inspection): Promise<Bulletin | null> {
    return bulletinsService.ofInspection(ctx, inspection.id);
  }

  @Mutation(() => Bulletin, { description: '由检查批次生成通报（每个批次只生成一次，生成后不再改变）' })
  createBulletin(@Ctx() ctx: Context, @Arg('inspectionId', () => ID) inspectionId: string): Promise<Bulletin> {
    return bulletinsService.create(ctx, inspectionId);
  }
}

@Resolver(() => Bulletin)
export class BulletinResolver {
  @FieldResolver(() => String, { description: 'Excel 下载地址（需登录）' })
  xlsxUrl(@Root() b: Bulletin): string {
    return `/api/bulletins/${b.id}.xlsx`;
  }

  @FieldResolver(() => String, { description: 'Word 下载地址（需登录）' })
  docxUrl(@Root() b: Bulletin): string {
    return `/api/bulletins/${b.id}.docx`;
  }
}

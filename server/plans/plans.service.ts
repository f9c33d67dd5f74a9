import type { Context } from '../kernel/context';
import { badInput, notFound, parseId } from '../kernel/errors';
import { decodeCursor, pageSize, toConnection, type ConnectionShape } from '../kernel/pagination';
import { OPEN_PLAN_STATUSES, PlanActionType, PlanStatus } from '../common/enums';
import { likeEscape } from '../kernel/scope';
import { recordAudit, recordAuditMany } from '../kernel/audit';
import { transaction } from '../kernel/transaction';
import { Account } from '../accounts/account.entity';
import { Unit } from '../units/unit.entity';
import { Region } from '../regions/region.entity';
import { Plan } from './plan.entity';
import { PlanAction, ServicesMode } from './plan-action.entity';
import { requireAuthor, requireReader } from './plan-access';
import { anchorUnitId, bumpVersion, forbiddenScope, isPlanVisible, scopeWithinUser, visibleCondition } from './plan-guard';
import { lockForEdit, mayEdit } from './plan-states';
import { getPlanPolicy } from './plan-policy';
import { portalsFor } from './destinations';
import { existingFindingIds } from './findings-source';
import type { AddActionInput, CreatePlanInput, PlansArgs, UpdateActionInput, UpdatePlanInput } from './plans.inputs';

/**
 * Plans: CRUD and actions. Every change runs in one transaction with its audit event and bumps `version`;
 * visibility, scope and locking are in plan-guard.ts.
 */

function optId(v: string | null | undefined, field: string): number | null | undefined {
  if (v === undefined) return undefined;
  if (v === null) return null;
  return parseId(v, field);
}

function trimOrNull(v: string | null | undefined): string | null | undefined {
  if (v === undefined || v === null) return v;
  const t = v.trim();
  return t === '' ? null : t;
}

/** Checks the fields that belong to each action type; BAD_USER_INPUT naming the field otherwise. */
function checkTypeFields(type: PlanActionType, a: { targetAccountId: number | null; serviceTargetAccountId: number | null;
  contentTargetAccountId: number | null; newName: string | null; rectification: string | null; accountId: number }): void {
  const problems: { field: string; message: string }[] = [];
  const forbid = (field: keyof typeof a, label: string) => { if (a[field] !== null) problems.push({ field, message: `${label}动作不能填写该项` }); };
  const label = { merge: '合并', shutdown: '关停', keep: '保留整改', rename: '更名' }[type];
  if (type === PlanActionType.MERGE) {
    if (a.targetAccountId === null) problems.push({ field: 'targetAccountId', message: '合并动作必须指定目标主账号' });
  } else forbid('targetAccountId', label);
  if (type !== PlanActionType.SHUTDOWN) { forbid('serviceTargetAccountId', label); forbid('contentTargetAccountId', label); }
  if (type === PlanActionType.KEEP) {
    if (!a.rectification) problems.push({ field: 'rectification', message: '保留动作必须写明整改要求' });
  } else forbid('rectification', label);
  if (type === PlanActionType.RENAME) {
    if (!a.newName) problems.push({ field: 'newName', message: '更名动作必须填写新名称' });
  } else forbid('newName', label);
  for (const f of ['targetAccountId', 'serviceTargetAccountId', 'contentTargetAccountId'] as const) {
    if (a[f] !== null && a[f] === a.accountId) problems.push({ field: f, message: '不能指向账号自身' });
  }
  if (problems.length) {
    throw badInput(`动作填写有误：${problems.map((p) => `${p.field}：${p.message}`).join('；')} (invalid action)`, problems);
  }
}

async function requireAccounts(tx: Context, ids: (number | null)[], sourceId: number): Promise<Map<number, Account>> {
  const want = [...new Set(ids.filter((x): x is number => x !== null))];
  const rows = want.length ? await tx.em.getRepository(Account).createQueryBuilder('a').where('a.id = ANY(:ids)', { ids: want }).getMany() : [];
  const map = new Map(rows.map((a) => [a.id, a]));
  for (const id of want) if (!map.has(id)) throw notFound(`账号 ${id}`);
  // The source must be visible to the author (targets may be a superior's main account or a portal elsewhere).
  const src = map.get(sourceId)!;
  const unit = await tx.em.getRepository(Unit).findOneBy({ id: src.unitId });
  if (!unit || !tx.scope.contains(unit.path)) throw notFound(`账号 ${sourceId}`);
  return map;
}

async function parseFindingIds(tx: Context, raw: string[] | null | undefined): Promise<number[] | undefined> {
  if (raw === undefined || raw === null) return raw === null ? [] : undefined;
  const ids = [...new Set(raw.map((r) => parseId(r, 'findingIds')))];
  const found = await existingFindingIds(tx.em, ids);
  const missing = ids.filter((id) => !found.has(id));
  if (missing.length) {
    throw badInput(`引用的检查问题不存在：${missing.join('、')} (unknown findings)`, [{ field: 'findingIds', message: `不存在：${missing.join(', ')}` }]);
  }
  return ids;
}

async function setCitations(tx: Context, actionId: number, findingIds: number[]): Promise<void> {
  await tx.em.query(`DELETE FROM plan_action_findings WHERE action_id = $1`, [actionId]);
  if (findingIds.length) {
    await tx.em.query(`INSERT INTO plan_action_findings (action_id, finding_id) SELECT $1, unnest($2::int[])`, [actionId, findingIds]);
  }
}

export async function citationsOf(tx: Context, actionIds: number[]): Promise<Map<number, number[]>> {
  const map = new Map<number, number[]>();
  if (!actionIds.length) return map;
  const rows: { action_id: number; finding_id: number }[] = await tx.em.query(
    `SELECT action_id, finding_id FROM plan_action_findings WHERE action_id = ANY($1::int[]) ORDER BY finding_id`, [actionIds]);
  for (const r of rows) map.set(r.action_id, [...(map.get(r.action_id) ?? []), r.finding_id]);
  return map;
}

export function actionSnapshot(a: PlanAction, findingIds: number[] = []) {
  return {
    id: a.id, type: a.type, accountId: a.accountId, targetAccountId: a.targetAccountId, serviceTargetAccountId: a.serviceTargetAccountId,
    contentTargetAccountId: a.contentTargetAccountId, newName: a.newName, rectification: a.rectification, note: a.note, findingIds,
    overrideReason: a.overrideReason, servicesMode: a.servicesMode,
  };
}

export async function activeActions(tx: Context, planId: number): Promise<PlanAction[]> {
  return tx.em.getRepository(PlanAction).createQueryBuilder('a')
    .where('a.plan_id = :planId AND a.removed_at IS NULL', { planId }).orderBy('a.id').getMany();
}

async function loadActionForEdit(tx: Context, actionId: number, expectedVersion: number | null | undefined, what: string) {
  const row = await tx.em.getRepository(PlanAction).findOneBy({ id: actionId });
  if (!row || row.removedAt) throw notFound(`整合动作 ${actionId}`);
  const plan = await lockForEdit(tx, row.planId, expectedVersion, what);
  const action = (await tx.em.getRepository(PlanAction).findOneBy({ id: actionId }))!;
  return { plan, action };
}

export const plansService = {
  async list(ctx: Context, args: PlansArgs): Promise<ConnectionShape<Plan>> {
    requireReader(ctx);
    const limit = pageSize(args.first, ctx.config.maxPageSize);
    const cursor = decodeCursor(args.after, 1);
    const f = args.filter ?? {};
    let regionPath: string | null = null;
    if (f.regionCode) {
      const region = await ctx.em.getRepository(Region).findOneBy({ code: f.regionCode });
      if (!region) throw notFound(`行政区划 ${f.regionCode}`);
      regionPath = region.path;
    }
    let unitPath: string | null = null;
    if (f.unitId !== undefined && f.unitId !== null) {
      const unit = await ctx.loaders.unitById.load(parseId(f.unitId, 'unitId'));
      if (!unit || !ctx.scope.contains(unit.path)) throw notFound(`单位 ${f.unitId}`);
      unitPath = unit.path;
    }
    const base = () => {
      const v = visibleCondition(ctx);
      const qb = ctx.em.getRepository(Plan).createQueryBuilder('p').where(v.sql, v.params);
      if (f.status?.length) qb.andWhere('p.status = ANY(:statuses)', { statuses: f.status });
      if (regionPath) {
        qb.andWhere(`(EXISTS (SELECT 1 FROM regions r WHERE r.code = p.scope_region_code AND r.path LIKE :rp || '%')
          OR EXISTS (SELECT 1 FROM units su WHERE su.id = p.scope_unit_id AND su.region_path LIKE :rp || '%'))`, { rp: regionPath });
      }
      if (unitPath) {
        qb.andWhere(`EXISTS (SELECT 1 FROM plan_actions pa JOIN accounts a ON a.id IN (pa.account_id, pa.target_account_id, pa.service_target_account_id)
          JOIN units u ON u.id = a.unit_id WHERE pa.plan_id = p.id AND pa.removed_at IS NULL AND u.path LIKE :up || '%')`, { up: unitPath });
      }
      if (f.mine) qb.andWhere('p.author_id = :me', { me: ctx.user?.id ?? -1 });
      if (f.search !== undefined && f.search !== null && f.search.trim()) {
        qb.andWhere(`p.title ILIKE :search ESCAPE '\\'`, { search: `%${likeEscape(f.search.trim())}%` });
      }
      return qb;
    };
    const qb = base();
    if (cursor) qb.andWhere('p.id < :cid', { cid: Number(cursor[0]) });
    const rows = await qb.orderBy('p.id', 'DESC').limit(limit + 1).getMany();
    return toConnection(rows, limit, (p) => [p.id], Boolean(cursor), () => base().getCount());
  },

  async byId(ctx: Context, id: string | number): Promise<Plan> {
    requireReader(ctx);
    const planId = parseId(id, 'planId');
    const plan = await ctx.loaders.planById.load(planId);
    if (!plan || !(await isPlanVisible(ctx, planId))) throw notFound(`方案 ${id}`);
    return plan;
  },

  async create(ctx: Context, input: CreatePlanInput): Promise<Plan> {
    const user = requireAuthor(ctx);
    const hasRegion = input.regionCode !== undefined && input.regionCode !== null && input.regionCode !== '';
    const hasUnit = input.unitId !== undefined && input.unitId !== null;
    if (hasRegion === hasUnit) {
      throw badInput('方案范围须为一个行政区划或一个单位（二选一）(give exactly one of regionCode, unitId)',
        [{ field: hasRegion ? 'unitId' : 'regionCode', message: '行政区划与单位二选一' }]);
    }
    return transaction(ctx, async (tx) => {
      let scope: { scopeUnitId: number | null; scopeRegionCode: string | null };
      if (hasRegion) {
        const region = await tx.em.getRepository(Region).findOneBy({ code: input.regionCode! });
        if (!region) throw notFound(`行政区划 ${input.regionCode}`);
        scope = { scopeRegionCode: region.code, scopeUnitId: null };
      } else {
        const unit = await tx.em.getRepository(Unit).findOneBy({ id: parseId(input.unitId, 'unitId') });
        if (!unit || !tx.scope.contains(unit.path)) throw notFound(`单位 ${input.unitId}`);
        scope = { scopeRegionCode: null, scopeUnitId: unit.id };
      }
      if (!(await scopeWithinUser(tx, scope))) {
        throw forbiddenScope();
      }
      const plan = await tx.em.getRepository(Plan).save(tx.em.getRepository(Plan).create({
        title: input.title.trim(), description: trimOrNull(input.description) ?? null, status: PlanStatus.DRAFT,
        ...scope, authorId: user.id, authorName: user.username, revision: 1, version: 1,
        noticeWorkingDays: getPlanPolicy().noticeWorkingDays,
      }));
      await recordAudit(tx, { action: 'PLAN_CREATED', entityType: 'plan', entityId: plan.id, planId: plan.id, unitId: await anchorUnitId(tx, plan),
        after: { title: plan.title, scopeRegionCode: plan.scopeRegionCode, scopeUnitId: plan.scopeUnitId } });
      return plan;
    });
  },

  async update(ctx: Context, id: string, input: UpdatePlanInput, expectedVersion?: number | null): Promise<Plan> {
    const planId = parseId(id, 'planId');
    return transaction(ctx, async (tx) => {
      const plan = await lockForEdit(tx, planId, expectedVersion, '修改');
      const before = { title: plan.title, description: plan.description };
      if (input.title !== undefined && input.title !== null) plan.title = input.title.trim();
      if (input.description !== undefined) plan.description = trimOrNull(input.description) ?? null;
      if (!plan.title) throw badInput('标题不能为空 (title must not be blank)', [{ field: 'title', message: '不能为空' }]);
      await tx.em.query(`UPDATE plans SET title = $2, description = $3 WHERE id = $1`, [plan.id, plan.title, plan.description]);
      await bumpVersion(tx, plan);
      await recordAudit(tx, { action: 'PLAN_UPDATED', entityType: 'plan', entityId: plan.id, planId: plan.id, unitId: await anchorUnitId(tx, plan), before,
        after: { title: plan.title, description: plan.description } });
      return plan;
    });
  },

  async addAction(ctx: Context, planIdRaw: string, input: AddActionInput, expectedVersion?: number | null): Promise<PlanAction> {
    const planId = parseId(planIdRaw, 'planId');
    const accountId = parseId(input.accountId, 'accountId');
    const fields = {
      accountId,
      targetAccountId: optId(input.targetAccountId, 'targetAccountId') ?? null,
      serviceTargetAccountId: optId(input.serviceTargetAccountId, 'serviceTargetAccountId') ?? null,
      contentTargetAccountId: optId(input.contentTargetAccountId, 'contentTargetAccountId') ?? null,
      newName: trimOrNull(input.newName) ?? null,
      rectification: trimOrNull(input.rectification) ?? null,
    };
    checkTypeFields(input.type, fields);
    return transaction(ctx, async (tx) => {
      const plan = await lockForEdit(tx, planId, expectedVersion, '新增动作');
      await requireAccounts(tx, [fields.accountId, fields.targetAccountId, fields.serviceTargetAccountId, fields.contentTargetAccountId], accountId);
      const findingIds = (await parseFindingIds(tx, input.findingIds)) ?? [];
      if (input.type === PlanActionType.SHUTDOWN && fields.contentTargetAccountId === null) {
        fields.contentTargetAccountId = (await portalsFor(tx.em, [accountId])).get(accountId) ?? null;
      }
      const repo = tx.em.getRepository(PlanAction);
      const action = await repo.save(repo.create({ planId, type: input.type, ...fields, note: trimOrNull(input.note) ?? null,
        overrideReason: trimOrNull(input.overrideReason) ?? null, servicesMode: input.servicesMode ?? ServicesMode.MERGE, claimed: false, removedAt: null }));
      await setCitations(tx, action.id, findingIds);
      await bumpVersion(tx, plan);
      await recordAudit(tx, { action: 'PLAN_ACTION_ADDED', entityType: 'plan_action', entityId: action.id, planId, accountId,
        after: actionSnapshot(action, findingIds) });
      return action;
    });
  },

  async updateAction(ctx: Context, actionIdRaw: string, input: UpdateActionInput, expectedVersion?: number | null): Promise<PlanAction> {
    const actionId = parseId(actionIdRaw, 'actionId');
    return transaction(ctx, async (tx) => {
      const { plan, action } = await loadActionForEdit(tx, actionId, expectedVersion, '修改动作');
      const before = actionSnapshot(action, (await citationsOf(tx, [action.id])).get(action.id) ?? []);
      const next = {
        accountId: action.accountId,
        targetAccountId: optId(input.targetAccountId, 'targetAccountId') === undefined ? action.targetAccountId : optId(input.targetAccountId, 'targetAccountId')!,
        serviceTargetAccountId: input.serviceTargetAccountId === undefined ? action.serviceTargetAccountId : optId(input.serviceTargetAccountId, 'serviceTargetAccountId')!,
        contentTargetAccountId: input.contentTargetAccountId === undefined ? action.contentTargetAccountId : optId(input.contentTargetAccountId, 'contentTargetAccountId')!,
        newName: input.newName === undefined ? action.newName : trimOrNull(input.newName)!,
        rectification: input.rectification === undefined ? action.rectification : trimOrNull(input.rectification)!,
      };
      checkTypeFields(action.type, next);
      await requireAccounts(tx, [next.accountId, next.targetAccountId, next.serviceTargetAccountId, next.contentTargetAccountId], action.accountId);
      const findingIds = await parseFindingIds(tx, input.findingIds);
      Object.assign(action, next);
      if (input.note !== undefined) action.note = trimOrNull(input.note) ?? null;
      if (input.overrideReason !== undefined) action.overrideReason = trimOrNull(input.overrideReason) ?? null;
      if (input.servicesMode !== undefined && input.servicesMode !== null) action.servicesMode = input.servicesMode;
      // An edited action loses its claim until the plan is (re)submitted.
      await tx.em.query(
        `UPDATE plan_actions SET target_account_id = $2, service_target_account_id = $3, content_target_account_id = $4,
                new_name = $5, rectification = $6, note = $7, override_reason = $8, services_mode = $9, claimed = false, updated_at = now() WHERE id = $1`,
        [action.id, action.targetAccountId, action.serviceTargetAccountId, action.contentTargetAccountId, action.newName, action.rectification, action.note,
          action.overrideReason, action.servicesMode]);
      if (findingIds) await setCitations(tx, action.id, findingIds);
      await bumpVersion(tx, plan);
      await recordAudit(tx, { action: 'PLAN_ACTION_UPDATED', entityType: 'plan_action', entityId: action.id, planId: plan.id,
        accountId: action.accountId, before, after: actionSnapshot(action, findingIds ?? before.findingIds) });
      return action;
    });
  },

  async removeAction(ctx: Context, actionIdRaw: string, expectedVersion?: number | null): Promise<Plan> {
    const actionId = parseId(actionIdRaw, 'actionId');
    return transaction(ctx, async (tx) => {
      const { plan, action } = await loadActionForEdit(tx, actionId, expectedVersion, '删除动作');
      await tx.em.query(`UPDATE plan_actions SET removed_at = now(), claimed = false WHERE id = $1`, [action.id]);
      await bumpVersion(tx, plan);
      await recordAudit(tx, { action: 'PLAN_ACTION_REMOVED', entityType: 'plan_action', entityId: action.id, planId: plan.id,
        accountId: action.accountId, before: actionSnapshot(action) });
      return plan;
    });
  },

  /** Inserts many actions at once (draft from findings): one statement for actions, one for citations, one audit batch. */
  async insertActions(tx: Context, plan: Plan, actions: (Omit<PlanAction, 'id' | 'planId' | 'claimed' | 'removedAt' | 'createdAt' | 'updatedAt' | 'overrideReason' | 'servicesMode'> & { findingIds: number[] })[]): Promise<PlanAction[]> {
    if (!actions.length) return [];
    const rows: { id: number; ord: number }[] = await tx.em.query(
      `INSERT INTO plan_actions (plan_id, type, account_id, target_account_id, service_target_account_id, content_target_account_id, new_name, rectification, note)
       SELECT $1, x.type, x.account_id, x.target, x.service_target, x.content_target, x.new_name, x.rectification, x.note
         FROM jsonb_to_recordset($2::jsonb) AS x(ord int, type text, account_id int, target int, service_target int, content_target int,
                new_name text, rectification text, note text)
        ORDER BY x.ord
       RETURNING id`,
      [plan.id, JSON.stringify(actions.map((a, ord) => ({ ord, type: a.type, account_id: a.accountId, target: a.targetAccountId,
        service_target: a.serviceTargetAccountId, content_target: a.contentTargetAccountId, new_name: a.newName, rectification: a.rectification, note: a.note })))],
    );
    const cites = rows.flatMap((r, i) => actions[i].findingIds.map((f) => [r.id, f]));
    if (cites.length) {
      await tx.em.query(`INSERT INTO plan_action_findings (action_id, finding_id) SELECT * FROM unnest($1::int[], $2::int[]) ON CONFLICT DO NOTHING`,
        [cites.map((c) => c[0]), cites.map((c) => c[1])]);
    }
    const saved = await tx.em.getRepository(PlanAction).createQueryBuilder('a').where('a.id = ANY(:ids)', { ids: rows.map((r) => r.id) }).orderBy('a.id').getMany();
    await recordAuditMany(tx, saved.map((a, i) => ({ action: 'PLAN_ACTION_ADDED', entityType: 'plan_action', entityId: a.id, planId: plan.id,
      accountId: a.accountId, after: actionSnapshot(a, actions[i].findingIds), comment: '由检查发现生成' })));
    return saved;
  },

  /** Plans (visible to the user) that touch an account, for the account explorer and auditors. */
  async ofAccount(ctx: Context, accountId: number): Promise<Plan[]> {
    return this.visibleAmong(ctx, await ctx.loaders.planIdsByAccount.load(accountId));
  },

  /** Plans (visible to the user) whose actions cite a finding. */
  async ofFinding(ctx: Context, findingId: number): Promise<Plan[]> {
    return this.visibleAmong(ctx, await ctx.loaders.planIdsByFinding.load(findingId));
  },

  async visibleAmong(ctx: Context, ids: number[]): Promise<Plan[]> {
    if (!ctx.user || !ids.length) return [];
    const v = visibleCondition(ctx);
    return ctx.em.getRepository(Plan).createQueryBuilder('p').where('p.id = ANY(:ids)', { ids }).andWhere(v.sql, v.params)
      .orderBy('p.id', 'DESC').getMany();
  },

  canEdit(ctx: Context, plan: Plan): Promise<boolean> {
    return mayEdit(ctx, plan);
  },

  isOpen(plan: Plan): boolean {
    return OPEN_PLAN_STATUSES.includes(plan.status);
  },
};

/**
 * Names people read for the audit trail's codes: actions, object types and roles, in Chinese (the CSV export; the
 * client has its own copies in both languages under auditAction.* / entityType.*). An unknown code shows as itself.
 */
export const ACTION_NAMES_ZH: Record<string, string> = {
  PLAN_CREATED: '新建方案', PLAN_DRAFTED_FROM_FINDINGS: '由问题生成方案', PLAN_UPDATED: '修改方案',
  PLAN_ACTION_ADDED: '新增动作', PLAN_ACTION_UPDATED: '修改动作', PLAN_ACTION_REMOVED: '删除动作',
  PLAN_SUBMITTED: '提交审批', PLAN_RESUBMITTED: '重新提交', APPROVAL_REQUESTED: '送交审批',
  ACTION_APPROVED: '同意动作', ACTION_REJECTED: '驳回动作', ACTION_CHANGES_REQUESTED: '退回修改动作',
  PLAN_APPROVED: '方案获批', PLAN_REJECTED: '方案被驳回', PLAN_CHANGES_REQUESTED: '方案被退回', PLAN_WITHDRAWN: '撤回方案',
  PLAN_EXECUTION_STARTED: '开始执行', STEP_CONFIRMED: '确认执行步骤', POSTS_MIGRATED: '迁移内容', SERVICES_MIGRATED: '迁移服务',
  PLAN_COMPLETED: '方案完成', ACCOUNT_STATUS_CHANGED: '账号状态变更', ACCOUNT_RENAMED: '账号更名',
  APPROVAL_DELEGATED: '授权审批', APPROVAL_DELEGATION_REVOKED: '撤销审批授权',
  LOGIN: '登录', LOGIN_FAILED: '登录失败', LOGIN_THROTTLED: '登录受限', LOGOUT: '退出登录',
  USER_CREATED: '新建用户', USER_UPDATED: '修改用户',
  DETECTION_RUN: '运行检查', FINDING_DISMISSED: '忽略问题', FINDING_REOPENED: '重新打开问题',
  POLICY_UPDATED: '修改检查规则', CSV_IMPORTED: '导入数据', UNIT_MOVED: '单位调整隶属', UNIT_RENAMED: '单位更名',
  INSPECTION_CREATED: '新建检查', BULLETIN_CREATED: '生成通报',
  WORK_ORDERS_SYNCED: '整改工单同步', WORK_ORDER_ANSWERED: '反馈整改情况', NOTIFICATION_READ: '通知标为已读', JOB_RUN_REQUESTED: '立即运行任务',
};

export const ENTITY_NAMES_ZH: Record<string, string> = {
  plan: '方案', plan_action: '整合动作', approval: '审批', approval_request: '审批请求', approval_delegation: '审批授权',
  plan_step: '执行步骤', account: '账号', unit: '单位', user: '用户', session: '会话', finding: '检查问题',
  detection_run: '检查运行', policy: '检查规则', import: '数据导入', inspection: '检查', bulletin: '通报',
  work_order: '整改工单', notification: '通知', job_run: '定时任务',
};

export const ROLE_NAMES_ZH: Record<string, string> = { PLANNER: '规划人员', APPROVER: '审批人', AUDITOR: '审计员', ADMIN: '管理员' };

/** `2024-05-01 08:03:09` in Beijing time (UTC+8 all year: China has no daylight saving time). */
export function beijingDateTime(at: Date | string): string {
  const t = new Date(at).getTime();
  return new Date(t + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
}

import { registerEnumType } from 'type-graphql';

/** The one home of every domain enum: entities, GraphQL schema, CSV import and (through the schema) the client. */

export enum Level {
  NATIONAL = 'national',
  PROVINCE = 'province',
  CITY = 'city',
  COUNTY = 'county',
  TOWNSHIP = 'township',
}

export enum UnitKind {
  GOVERNMENT = 'government',
  DEPARTMENT = 'department',
  INSTITUTION = 'institution',
  MEDIA_CENTER = 'media_center',
  INTERNAL = 'internal',
}

export enum Platform {
  WECHAT = 'wechat',
  WEIBO = 'weibo',
  DOUYIN = 'douyin',
  TOUTIAO = 'toutiao',
  KUAISHOU = 'kuaishou',
  BILIBILI = 'bilibili',
  XIAOHONGSHU = 'xiaohongshu',
  APP = 'app',
  MINIPROGRAM = 'miniprogram',
  WEBSITE = 'website',
}

export enum AccountType {
  PUBLISHING = 'publishing',
  SERVICE = 'service',
  BOTH = 'both',
}

export enum AccountStatus {
  ACTIVE = 'active',
  SUSPENDED = 'suspended',
  CLOSED = 'closed',
}

export const LEVEL_ORDER: Level[] = [Level.NATIONAL, Level.PROVINCE, Level.CITY, Level.COUNTY, Level.TOWNSHIP];

export const LEVEL_NAMES_ZH: Record<Level, string> = {
  [Level.NATIONAL]: '国家级',
  [Level.PROVINCE]: '省级',
  [Level.CITY]: '市级',
  [Level.COUNTY]: '县级',
  [Level.TOWNSHIP]: '乡镇（街道）',
};

export const UNIT_KIND_NAMES_ZH: Record<UnitKind, string> = {
  [UnitKind.GOVERNMENT]: '政府',
  [UnitKind.DEPARTMENT]: '部门',
  [UnitKind.INSTITUTION]: '事业单位',
  [UnitKind.MEDIA_CENTER]: '融媒体中心',
  [UnitKind.INTERNAL]: '内设机构',
};

export const PLATFORM_NAMES_ZH: Record<Platform, string> = {
  [Platform.WECHAT]: '微信公众号',
  [Platform.WEIBO]: '微博',
  [Platform.DOUYIN]: '抖音',
  [Platform.TOUTIAO]: '头条号',
  [Platform.KUAISHOU]: '快手',
  [Platform.BILIBILI]: '哔哩哔哩',
  [Platform.XIAOHONGSHU]: '小红书',
  [Platform.APP]: '移动客户端',
  [Platform.MINIPROGRAM]: '小程序',
  [Platform.WEBSITE]: '门户网站',
};

/** SQL `CHECK (col IN (...))` list for an enum, used by migrations. */
export function sqlIn(values: Record<string, string>): string {
  return Object.values(values).map((v) => `'${v}'`).join(', ');
}

registerEnumType(Level, { name: 'Level', description: '行政层级 (administrative level)' });
registerEnumType(UnitKind, { name: 'UnitKind', description: '单位类型 (kind of unit)' });
registerEnumType(Platform, { name: 'Platform', description: '平台 (platform)' });
registerEnumType(AccountType, { name: 'AccountType', description: '账号类型：发布类 / 服务类 / 兼有' });
/** 备案状态 (filing status): filed, filing changed, filed as deregistered. */
export enum FilingStatus {
  FILED = 'filed',
  CHANGED = 'changed',
  DEREGISTERED = 'deregistered',
}

registerEnumType(FilingStatus, { name: 'FilingStatus', description: '备案状态：已备案 / 已变更 / 已注销' });
registerEnumType(AccountStatus, { name: 'AccountStatus', description: '账号状态：正常 / 暂停更新 / 已注销' });

/** 用户角色 (user role). Values equal the names: stored as-is in `users.role` and carried in `SessionUser.role`. */
export enum Role {
  PLANNER = 'PLANNER',
  APPROVER = 'APPROVER',
  AUDITOR = 'AUDITOR',
  ADMIN = 'ADMIN',
}

export const ROLE_NAMES_ZH: Record<Role, string> = {
  [Role.PLANNER]: '规划员',
  [Role.APPROVER]: '审批人',
  [Role.AUDITOR]: '审计员',
  [Role.ADMIN]: '管理员',
};

registerEnumType(Role, { name: 'Role', description: '用户角色：规划员 / 审批人 / 审计员 / 管理员' });

/** 检查规则 (detection rule). Stable codes: stored in `findings.rule`, policy keys and the API. */
export enum DetectionRule {
  NO_UPDATE_14D = 'NO_UPDATE_14D',
  ZOMBIE = 'ZOMBIE',
  NO_INTERACTION = 'NO_INTERACTION',
  STOPPED_NOT_DEREGISTERED = 'STOPPED_NOT_DEREGISTERED',
  REDUNDANT_SAME_PLATFORM = 'REDUNDANT_SAME_PLATFORM',
  NAME_INCONSISTENT = 'NAME_INCONSISTENT',
  UNFILED = 'UNFILED',
  LEVEL_NOT_ALLOWED = 'LEVEL_NOT_ALLOWED',
  LOW_VALUE = 'LOW_VALUE',
  /** 严重错误表述（错敏, serious: a veto item of the 2019 indicators). */
  WRONG_EXPRESSION_SERIOUS = 'WRONG_EXPRESSION_SERIOUS',
  /** 一般错误表述（错别字、过时名称等, deduction). */
  WRONG_EXPRESSION = 'WRONG_EXPRESSION',
  /** 内容偏离职能（娱乐化、广告、诱导点赞、卖萌卖惨等）. */
  OFF_MISSION = 'OFF_MISSION',
  /** 注销后仍在发布，或备案为已注销但仍在运营. */
  CLOSED_BUT_LIVE = 'CLOSED_BUT_LIVE',
}

/** 问题严重程度: veto (一票否决), major, minor. */
export enum Severity {
  VETO = 'veto',
  MAJOR = 'major',
  MINOR = 'minor',
}

export enum FindingStatus {
  OPEN = 'open',
  DISMISSED = 'dismissed',
  RESOLVED = 'resolved',
}

/** How an account takes part in a finding. */
export enum FindingAccountRole {
  MEMBER = 'member',
  SUGGESTED_MAIN = 'suggested_main',
}

/** 检查结论: fails (veto or score below the pass mark), passes, good (score above the good mark). */
export enum InspectionGrade {
  FAIL = 'fail',
  PASS = 'pass',
  GOOD = 'good',
}

export const RULE_NAMES_ZH: Record<DetectionRule, string> = {
  [DetectionRule.NO_UPDATE_14D]: '两周未更新（否决项）',
  [DetectionRule.ZOMBIE]: '僵尸账号',
  [DetectionRule.NO_INTERACTION]: '无互动或留言未回复（否决项）',
  [DetectionRule.STOPPED_NOT_DEREGISTERED]: '停更未注销',
  [DetectionRule.REDUNDANT_SAME_PLATFORM]: '同平台重复开设',
  [DetectionRule.NAME_INCONSISTENT]: '跨平台名称不一致',
  [DetectionRule.UNFILED]: '未备案',
  [DetectionRule.LEVEL_NOT_ALLOWED]: '层级不允许开设',
  [DetectionRule.LOW_VALUE]: '基层低效账号',
  [DetectionRule.WRONG_EXPRESSION_SERIOUS]: '严重错误表述（否决项）',
  [DetectionRule.WRONG_EXPRESSION]: '错误表述',
  [DetectionRule.OFF_MISSION]: '内容偏离职能',
  [DetectionRule.CLOSED_BUT_LIVE]: '注销后仍在运营',
};

registerEnumType(DetectionRule, { name: 'DetectionRule', description: '检查规则 (detection rule)' });
registerEnumType(Severity, { name: 'Severity', description: '严重程度：否决 / 严重 / 一般' });
registerEnumType(FindingStatus, { name: 'FindingStatus', description: '问题状态：待处理 / 已忽略 / 已解决' });
registerEnumType(FindingAccountRole, { name: 'FindingAccountRole', description: '账号在问题中的角色：成员 / 建议主账号' });
registerEnumType(InspectionGrade, { name: 'InspectionGrade', description: '检查结论：不合格 / 合格 / 良好' });

/** 整合方案状态 (plan status). Open plans: every status but REJECTED, WITHDRAWN and COMPLETED. */
export enum PlanStatus {
  DRAFT = 'draft',
  SUBMITTED = 'submitted',
  CHANGES_REQUESTED = 'changes_requested',
  APPROVED = 'approved',
  REJECTED = 'rejected',
  WITHDRAWN = 'withdrawn',
  EXECUTING = 'executing',
  COMPLETED = 'completed',
}

export const OPEN_PLAN_STATUSES: PlanStatus[] = [PlanStatus.DRAFT, PlanStatus.SUBMITTED, PlanStatus.CHANGES_REQUESTED,
  PlanStatus.APPROVED, PlanStatus.EXECUTING];

/** 整合动作 (plan action): merge into a main account, shut down, keep and rectify, rename. */
export enum PlanActionType {
  MERGE = 'merge',
  SHUTDOWN = 'shutdown',
  KEEP = 'keep',
  RENAME = 'rename',
}

/** 审批决定 (approval decision). */
export enum ApprovalDecision {
  APPROVE = 'approve',
  REJECT = 'reject',
  REQUEST_CHANGES = 'request_changes',
}

/** 审批请求状态: one required approval of one unit for one action in one revision. */
export enum ApprovalRequestStatus {
  PENDING = 'pending',
  APPROVED = 'approved',
  REJECTED = 'rejected',
  CHANGES_REQUESTED = 'changes_requested',
  CANCELLED = 'cancelled',
}

/** 执行步骤 (execution step kinds). */
export enum StepKind {
  NOTICE_PUBLISHED = 'notice_published',
  CONTENT_MIGRATED = 'content_migrated',
  SERVICES_MIGRATED = 'services_migrated',
  FOLLOWERS_NOTIFIED = 'followers_notified',
  DEREGISTERED = 'deregistered',
  FILING_UPDATED = 'filing_updated',
  RECTIFIED = 'rectified',
  RENAMED = 'renamed',
}

export enum StepStatus {
  PENDING = 'pending',
  DONE = 'done',
}

/** 校验问题级别 (validation issue severity). */
export enum IssueSeverity {
  ERROR = 'error',
  WARNING = 'warning',
}

export const PLAN_STATUS_NAMES_ZH: Record<PlanStatus, string> = {
  [PlanStatus.DRAFT]: '草稿',
  [PlanStatus.SUBMITTED]: '审批中',
  [PlanStatus.CHANGES_REQUESTED]: '退回修改',
  [PlanStatus.APPROVED]: '已批准',
  [PlanStatus.REJECTED]: '已驳回',
  [PlanStatus.WITHDRAWN]: '已撤回',
  [PlanStatus.EXECUTING]: '执行中',
  [PlanStatus.COMPLETED]: '已完成',
};

export const STEP_NAMES_ZH: Record<StepKind, string> = {
  [StepKind.NOTICE_PUBLISHED]: '发布停更公告',
  [StepKind.CONTENT_MIGRATED]: '内容迁移',
  [StepKind.SERVICES_MIGRATED]: '服务迁移',
  [StepKind.FOLLOWERS_NOTIFIED]: '告知关注者',
  [StepKind.DEREGISTERED]: '平台注销',
  [StepKind.FILING_UPDATED]: '备案变更',
  [StepKind.RECTIFIED]: '整改确认',
  [StepKind.RENAMED]: '平台更名',
};

registerEnumType(PlanStatus, { name: 'PlanStatus', description: '方案状态：草稿 / 审批中 / 退回修改 / 已批准 / 已驳回 / 已撤回 / 执行中 / 已完成' });
registerEnumType(PlanActionType, { name: 'PlanActionType', description: '整合动作：合并 / 关停 / 保留整改 / 更名' });
registerEnumType(ApprovalDecision, { name: 'ApprovalDecision', description: '审批决定：同意 / 驳回 / 退回修改' });
registerEnumType(ApprovalRequestStatus, { name: 'ApprovalRequestStatus', description: '审批请求状态：待审批 / 已同意 / 已驳回 / 已退回 / 已取消' });
registerEnumType(StepKind, { name: 'StepKind', description: '执行步骤类型' });
registerEnumType(StepStatus, { name: 'StepStatus', description: '步骤状态：待确认 / 已确认' });
registerEnumType(IssueSeverity, { name: 'IssueSeverity', description: '校验问题级别：错误 / 警告' });

/** 方案校验问题代码 (plan validation issue codes): errors block submission, warnings do not. */
export enum PlanIssueCode {
  EMPTY_PLAN = 'EMPTY_PLAN',
  SOURCE_CLOSED = 'SOURCE_CLOSED',
  DUPLICATE_ACCOUNT = 'DUPLICATE_ACCOUNT',
  ACCOUNT_IN_OTHER_PLAN = 'ACCOUNT_IN_OTHER_PLAN',
  OUT_OF_SCOPE = 'OUT_OF_SCOPE',
  TARGET_INACTIVE = 'TARGET_INACTIVE',
  TARGET_CLOSING = 'TARGET_CLOSING',
  TARGET_MERGING_AWAY = 'TARGET_MERGING_AWAY',
  TARGET_CYCLE = 'TARGET_CYCLE',
  SERVICE_NO_DESTINATION = 'SERVICE_NO_DESTINATION',
  CONTENT_NO_DESTINATION = 'CONTENT_NO_DESTINATION',
  LAST_ACCOUNT = 'LAST_ACCOUNT',
  CROSS_PLATFORM = 'CROSS_PLATFORM',
  TARGET_NOT_MAIN = 'TARGET_NOT_MAIN',
  MANY_FOLLOWERS = 'MANY_FOLLOWERS',
  MANY_SERVICES = 'MANY_SERVICES',
  SERVICE_NAME_CLASH = 'SERVICE_NAME_CLASH',
  NAME_UNCHANGED = 'NAME_UNCHANGED',
  /** Closing or merging a protected account without an override reason (error); with one (warning). */
  PROTECTED_ACCOUNT = 'PROTECTED_ACCOUNT',
  PROTECTED_OVERRIDDEN = 'PROTECTED_OVERRIDDEN',
  /** Merge target / service destination outside the source's unit chain (横向合并). */
  MERGE_SIDEWAYS = 'MERGE_SIDEWAYS',
  /** Content destination that is not a government portal website of the account's region or a region above it. */
  CONTENT_NOT_PORTAL = 'CONTENT_NOT_PORTAL',
}

registerEnumType(PlanIssueCode, { name: 'PlanIssueCode', description: '方案校验问题代码' });

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
registerEnumType(AccountStatus, { name: 'AccountStatus', description: '账号状态：正常 / 暂停更新 / 已注销' });

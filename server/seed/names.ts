import { UnitKind } from '../common/enums';

/**
 * Names of the demo world: departments and their unit/account names, province abbreviations (for filing
 * numbers), short region names (福州市 → 福州) and the service catalogue. Titles of posts live in titles.ts.
 */

export type UnitTier = 'province' | 'city' | 'county' | 'township';

export interface DeptDef {
  /** Code suffix of the unit (`3501-GA`) and key of the department. */
  key: string;
  /** Short name used in account names and titles (公安, 司法 …). */
  short: string;
  kind: UnitKind;
  /** Unit name by tier, appended to the full region name; `null` = no such unit at that tier. */
  unit: Partial<Record<UnitTier, string>>;
  /** How likely the unit runs accounts at all (0–1), multiplied by the tier's rate. */
  weight: number;
  /** Main account name, `{r}` = short region name. Index 0 is the name used on every platform. */
  names: string[];
  /** Names of the extra accounts a unit opens on the same platform (redundancy plants). */
  extras: string[];
  services: string[];
  /** Topics for post titles. */
  topics: string[];
}

const D = (key: string, short: string, unit: DeptDef['unit'], weight: number, names: string[], extras: string[], services: string[], topics: string[], kind = UnitKind.DEPARTMENT): DeptDef =>
  ({ key, short, kind, unit, weight, names, extras, services, topics });

export const DEPARTMENTS: DeptDef[] = [
  D('GA', '公安', { province: '公安厅', city: '公安局', county: '公安局' }, 1, ['{r}公安', '平安{r}', '{r}警方'], ['{r}交警', '{r}出入境', '{r}户政', '{r}网警', '{r}反诈'],
    ['交通违法查询', '出入境证件预约', '户籍业务办理', '身份证办理进度查询', '居住证申领', '无犯罪记录证明申请', '驾驶证业务预约'],
    ['反诈宣传', '夏季治安打击整治', '交通安全整治', '户籍便民服务', '出入境证件办理', '禁毒宣传', '校园周边安全']),
  D('SF', '司法', { province: '司法厅', city: '司法局', county: '司法局' }, 0.9, ['{r}司法', '法治{r}'], ['{r}掌上12348', '{r}普法', '{r}法律援助'],
    ['法律援助申请', '公证预约', '人民调解申请', '律师事务所查询', '法律咨询'],
    ['法律援助', '普法宣传', '人民调解', '公证服务', '“八五”普法', '法治政府建设']),
  D('JY', '教育', { province: '教育厅', city: '教育局', county: '教育局' }, 0.9, ['{r}教育', '{r}教育发布'], ['{r}招考', '{r}教育招生', '{r}学前教育'],
    ['招生入学查询', '学籍查询', '教师资格认定', '中考成绩查询', '学生资助申请'],
    ['秋季学期开学', '中考招生', '义务教育招生', '校园安全', '“双减”工作', '教师招聘']),
  D('WJ', '卫健', { province: '卫生健康委员会', city: '卫生健康委员会', county: '卫生健康局' }, 0.9, ['{r}卫健', '健康{r}'], ['{r}疾控', '{r}计生协', '{r}家庭医生'],
    ['预约挂号', '疫苗接种预约', '出生医学证明办理', '医疗机构查询', '健康档案查询'],
    ['健康义诊', '疫苗接种', '家庭医生签约', '流感防控', '基层医疗服务', '爱国卫生运动']),
  D('RS', '人社', { province: '人力资源和社会保障厅', city: '人力资源和社会保障局', county: '人力资源和社会保障局' }, 0.9, ['{r}人社', '{r}人力资源和社会保障'], ['{r}就业', '{r}社保', '{r}人才'],
    ['社保查询', '养老金查询', '失业保险金申领', '职业资格证书查询', '就业登记', '社保卡申领'],
    ['稳就业', '社保参保扩面', '职业技能培训', '春风行动招聘会', '高校毕业生就业', '根治欠薪']),
  D('SJ', '市场监管', { province: '市场监督管理局', city: '市场监督管理局', county: '市场监督管理局' }, 0.8, ['{r}市场监管', '{r}市场监督管理'], ['{r}食安', '{r}消保', '{r}知识产权'],
    ['企业信息查询', '消费投诉举报', '个体工商户开办', '食品经营许可办理'],
    ['食品安全', '消费维权', '特种设备安全', '价格监督检查', '“3·15”消费者权益日', '电梯安全']),
  D('HB', '生态环境', { province: '生态环境厅', city: '生态环境局', county: '生态环境局' }, 0.7, ['{r}生态环境', '{r}环保'], ['{r}环境监测'],
    ['环境质量查询', '环保投诉举报'], ['蓝天保卫战', '河湖长制', '环境执法检查', '六五环境日', '生态文明建设']),
  D('YJ', '应急管理', { province: '应急管理厅', city: '应急管理局', county: '应急管理局' }, 0.8, ['{r}应急管理', '{r}应急'], ['{r}防汛', '{r}安全生产'],
    ['隐患举报'], ['安全生产大检查', '防汛防台风', '森林防火', '防灾减灾', '应急演练']),
  D('WL', '文旅', { province: '文化和旅游厅', city: '文化体育和旅游局', county: '文化体育和旅游局' }, 0.9, ['{r}文旅', '游{r}'], ['{r}旅游', '{r}图书馆', '{r}文化馆'],
    ['景区预约', '图书馆借阅查询', '文化场馆预约'], ['文旅惠民', '非遗展示', '乡村旅游', '假日旅游市场', '公共文化服务']),
  D('JT', '交通', { province: '交通运输厅', city: '交通运输局', county: '交通运输局' }, 0.6, ['{r}交通', '{r}交通运输'], ['{r}公路', '{r}运管'],
    ['公交线路查询', '道路运输证办理', 'ETC办理'], ['农村公路建设', '春运保障', '交通项目建设', '公交线路优化']),
  D('ZJ', '住建', { province: '住房和城乡建设厅', city: '住房和城乡建设局', county: '住房和城乡建设局' }, 0.6, ['{r}住建', '{r}住房和城乡建设'], ['{r}城管'],
    ['商品房预售查询', '房屋交易查询', '施工许可办理'], ['老旧小区改造', '保障性住房', '建筑施工安全', '城市更新']),
  D('NY', '农业农村', { province: '农业农村厅', city: '农业农村局', county: '农业农村局' }, 0.6, ['{r}农业农村', '{r}三农'], ['{r}农技'],
    ['农产品价格查询', '农机购置补贴申请'], ['乡村振兴', '春耕备耕', '粮食安全', '高标准农田建设', '农产品质量安全']),
  D('MZ', '民政', { province: '民政厅', city: '民政局', county: '民政局' }, 0.6, ['{r}民政'], ['{r}婚姻登记', '{r}养老服务'],
    ['婚姻登记预约', '低保查询', '养老服务补贴申请', '殡葬服务查询'], ['社会救助', '养老服务', '婚姻登记', '社区治理', '儿童福利']),
  D('SW', '税务', { province: '税务局', city: '税务局', county: '税务局' }, 0.8, ['{r}税务', '{r}税务发布'], ['{r}税务服务'],
    ['发票查验', '个人所得税申报', '纳税信用查询', '社保费缴纳'], ['减税降费', '个税汇算', '便民办税春风行动', '纳税服务']),
  D('YB', '医保', { province: '医疗保障局', city: '医疗保障局', county: '医疗保障局' }, 0.7, ['{r}医保'], ['{r}医保服务'],
    ['医保缴费查询', '异地就医备案', '医保电子凭证申领', '门诊慢特病申请'], ['医保参保缴费', '打击欺诈骗保', '集中带量采购', '医保便民服务']),
  D('FGW', '发改', { province: '发展和改革委员会', city: '发展和改革委员会', county: '发展和改革局' }, 0.4, ['{r}发改'], [],
    [], ['重点项目建设', '营商环境优化', '价格监测', '节能降碳']),
  D('TJ', '统计', { province: '统计局', city: '统计局', county: '统计局' }, 0.4, ['{r}统计'], [], [], ['经济运行', '统计调查', '经济普查']),
  D('ZRZY', '自然资源', { province: '自然资源厅', city: '自然资源和规划局', county: '自然资源局' }, 0.5, ['{r}自然资源'], [],
    ['不动产登记查询'], ['耕地保护', '地质灾害防治', '国土空间规划', '不动产登记']),
  D('SL', '水利', { province: '水利厅', city: '水利局', county: '水利局' }, 0.4, ['{r}水利'], [], [], ['防汛抗旱', '河湖治理', '水资源保护']),
  D('CZ', '财政', { province: '财政厅', city: '财政局', county: '财政局' }, 0.3, ['{r}财政'], [], [], ['预算管理', '惠民惠农资金', '政府采购']),
  D('KJ', '科技', { province: '科学技术厅', city: '科学技术局', county: '科学技术局' }, 0.4, ['{r}科技'], [], [], ['科技创新', '科技特派员', '高新技术企业认定']),
  D('SWU', '商务', { province: '商务厅', city: '商务局', county: '商务局' }, 0.4, ['{r}商务'], [], [], ['促消费', '外贸稳增长', '招商引资']),
  D('TYJR', '退役军人', { province: '退役军人事务厅', city: '退役军人事务局', county: '退役军人事务局' }, 0.5, ['{r}退役军人'], [],
    ['优待证申领'], ['拥军优属', '退役军人就业', '烈士纪念日']),
  D('XF', '消防', { province: '消防救援总队', city: '消防救援支队', county: '消防救援大队' }, 0.8, ['{r}消防', '{r}119'], ['{r}消防宣传'],
    [], ['消防安全检查', '119消防宣传月', '高层建筑消防', '电动自行车安全']),
  D('GJJ', '公积金', { province: '住房公积金中心', city: '住房公积金中心' }, 0.9, ['{r}公积金'], [],
    ['公积金查询', '公积金提取', '公积金贷款办理', '缴存证明打印'], ['公积金政策调整', '公积金惠民'], UnitKind.INSTITUTION),
  D('QX', '气象', { province: '气象局', city: '气象局', county: '气象局' }, 0.6, ['{r}气象'], [], ['天气预报查询'],
    ['天气预报', '台风预警', '暴雨预警', '高温预警'], UnitKind.INSTITUTION),
  D('ZWFW', '政务服务', { province: '政务服务中心', city: '行政服务中心', county: '行政服务中心' }, 0.6, ['{r}政务服务', '{r}行政服务'], [],
    ['办件进度查询', '预约办事', '政务服务事项查询', '证照办理', '水电气报装'], ['一趟不用跑', '政务服务改革', '“高效办成一件事”'], UnitKind.INSTITUTION),
  D('RMT', '融媒', { county: '融媒体中心' }, 1, ['{r}融媒', '{r}新闻'], ['{r}电视台', '看{r}'], [],
    ['本地新闻', '民生关注', '文明创建', '乡村振兴'], UnitKind.MEDIA_CENTER),
];

/** Township level: the government itself plus (sometimes) a justice office and a service centre. */
export const TOWNSHIP_DEPTS: DeptDef[] = [
  D('SFS', '司法所', { township: '司法所' }, 0.3, ['{t}司法所'], [], ['法律咨询'], ['人民调解', '普法宣传']),
  D('BMFW', '便民服务中心', { township: '便民服务中心' }, 0.4, ['{t}便民服务'], [], ['社保业务办理', '预约办事', '证明开具'], ['便民服务'], UnitKind.INSTITUTION),
];

/** Topics for government (not department) accounts. */
export const GOV_TOPICS = ['营商环境优化', '乡村振兴', '重点项目建设', '安全生产', '防汛防台风', '文明城市创建', '为民办实事', '高质量发展',
  '森林防火', '人居环境整治', '招商引资', '民生工程', '城乡环境整治', '基层治理', '就业创业', '数字政府建设'];

export const PROVINCE_ABBR: Record<string, string> = {
  11: '京', 12: '津', 13: '冀', 14: '晋', 15: '蒙', 21: '辽', 22: '吉', 23: '黑', 31: '沪', 32: '苏', 33: '浙', 34: '皖', 35: '闽', 36: '赣',
  37: '鲁', 41: '豫', 42: '鄂', 43: '湘', 44: '粤', 45: '桂', 46: '琼', 50: '渝', 51: '川', 52: '贵', 53: '云', 54: '藏', 61: '陕', 62: '甘',
  63: '青', 64: '宁', 65: '新',
};

export const MUNICIPALITIES = new Set(['11', '12', '31', '50']);

/** 福建省 → 福建, 福州市 → 福州, 恩施土家族苗族自治州 → 恩施, 鼓楼区 → 鼓楼, 和县 → 和县 (one character is too short). */
export function shortRegionName(name: string): string {
  let s = name.replace(/(维吾尔|壮族|回族)?自治区$/, '').replace(/(自治州|自治县|自治旗|地区|林区|特区|省|市|盟|县|区|旗|街道|镇|乡)$/, '');
  s = s.replace(/(?:[\u4e00-\u9fa5]{1,3}?族)+$/, '');
  return s.length >= 2 ? s : name;
}

/** Township government name: 鼓东街道 → 鼓东街道办事处, 洪塘镇 → 洪塘镇人民政府. */
export function townshipGovName(name: string): string {
  if (name.endsWith('街道')) return `${name}办事处`;
  if (/[镇乡]$/.test(name)) return `${name}人民政府`;
  return `${name}管理委员会`;
}

/** Government name of a city-tier region: 福州市 → 福州市人民政府, XX地区 → XX地区行政公署. */
export function cityGovName(name: string): string {
  return /(地区|盟)$/.test(name) ? `${name}行政公署` : `${name}人民政府`;
}

export function serviceCategory(name: string): string {
  if (/查询|查验|打印/.test(name)) return '查询';
  if (/预约|挂号/.test(name)) return '预约';
  return '办理';
}

export const GOV_SERVICES = ['社保查询', '公积金查询', '交通违法查询', '出入境证件预约', '不动产登记查询', '水电气缴费', '预约办事', '办件进度查询',
  '医保查询', '企业开办', '12345热线诉求', '政策文件查询', '民生诉求反映', '法律援助申请', '婚姻登记预约', '健康码申领', '电子证照查询', '个税申报',
  '养老金资格认证', '失业保险金申领', '公租房申请', '居住证申领', '新生儿出生一件事', '残疾人补贴申请', '中小学入学报名', '住房租赁备案',
  '车辆年检预约', '老年人优待证办理', '营业执照办理', '投诉举报'];

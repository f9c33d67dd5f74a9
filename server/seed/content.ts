import { AccountStatus } from '../common/enums';
import { unitField } from '../content/lexicon';
import type { SeedAccount } from './accounts';
import { rngFor, type Rng } from './random';

/**
 * Post bodies of the demo data (posts.csv `content`): routine government text for a share of posts — notices, policy
 * explainers, service guides, work news — plus planted content problems at realistic rates and look-alikes that the
 * content rules must not flag. Drawn from its own random stream per account (`content`), so the rest of the demo data
 * (titles, times, reads) is the same with or without bodies.
 *
 * Planted (judged over the content window, 90 days before the check date, like the national default policy):
 *   - WRONG_EXPRESSION_SERIOUS: one post of ~1 % of accounts carries a misspelt standard formulation;
 *   - WRONG_EXPRESSION: one post of ~1 % of accounts carries an outdated body or law name, a wrong title or a typo;
 *   - OFF_MISSION: ~0.3 % of accounts post celebrity, sales, like-begging, baiting or lottery content.
 * Decoys: right forms that contain a wrong term (文化和旅游局 ⊃ 旅游局) and the right forms of the planted ones;
 * anti-fraud warnings quoting scam bait; culture-and-tourism bureaus promoting their scenic spots and tickets;
 * education bureaus on exam registration.
 */

export const CONTENT_RULES = ['WRONG_EXPRESSION_SERIOUS', 'WRONG_EXPRESSION', 'OFF_MISSION'] as const;
export type ContentRule = (typeof CONTENT_RULES)[number];
/** Days before the check date the content rules look at (policy content.windowDays, national default). */
export const CONTENT_WINDOW_DAYS = 90;
/** Share of posts that carry a body. */
const BODY_SHARE = 0.12;

interface Fill {
  R: string;
  r: string;
  T: string;
}

export const OPEN = [
  '近日，{R}围绕{T}工作召开专题会议，听取各相关单位工作进展汇报，研究部署下一阶段重点任务。',
  '为进一步做好{T}工作，切实保障群众合法权益，{R}结合本地实际，制定了具体实施办法。',
  '{m}月以来，{R}坚持问题导向，聚焦{T}中的难点堵点，扎实推进各项工作落地见效。',
  '根据上级有关工作部署，现将{r}{T}有关事项通知如下。',
  '为方便群众办事，{R}对{T}的办理流程进行了优化，现将有关情况说明如下。',
  '{T}事关群众切身利益。{R}近期出台若干措施，推动相关政策更好惠及群众。',
];
export const MIDDLE = [
  '会议要求，各单位要提高思想认识，压实工作责任，确保各项措施落实到位。',
  '一是明确责任分工，建立工作台账；二是强化督促检查，定期通报进展；三是加强宣传引导，营造良好氛围。',
  '群众可通过政务服务网、政务服务大厅窗口或“一网通办”移动端提交申请，材料齐全的当场受理。',
  '办理所需材料包括本人有效身份证件、申请表及相关证明材料，承诺办结时限为5个工作日。',
  '据统计，今年以来共受理相关事项{n}件，办结率达到{p}%，群众满意度持续提升。',
  '下一步，将持续完善长效机制，推动工作常态化、制度化、规范化。',
  '此次调整后，符合条件的群众无需重复提交材料，可享受“免申即享”服务。',
  '各乡镇（街道）要对照任务清单，逐项抓好落实，于{m}月底前报送工作进展情况。',
  '政策实施以来，已惠及企业{n}家，减轻各类负担约{p}00万元。',
  '工作中要坚持依法依规，做到程序规范、过程公开、结果公正，主动接受群众监督。',
];
export const CLOSE = [
  '如有疑问，请拨打咨询电话0591-{tel}（工作日9:00—17:00）。',
  '特此通知。',
  '欢迎广大群众积极参与，共同推动{T}工作取得更大成效。',
  '具体内容以正式文件为准，相关政策解读可登录{R}门户网站查询。',
  '让我们携手努力，把好事办好、实事办实。',
];

/** Serious wrong formulations, each in a sentence as a careless editor would write it (wrong term → right form). */
export const SERIOUS_PLANTS: [string, string][] = [
  ['会议强调，要深入学习贯彻二十大三中全会精神，结合实际抓好落实。', '二十大三中全会'],
  ['全体党员干部要不忘出心、牢记使命，把群众的事放在心上。', '不忘出心'],
  ['坚持以人名为中心的发展思想，持续改善民生福祉。', '以人名为中心'],
  ['扎实推进全面从严至党，驰而不息纠治“四风”。', '全面从严至党'],
  ['奋力谱写中国式现代华建设的崭新篇章。', '中国式现代华'],
  ['持续巩固拓展脱贫功坚成果，全面推进乡村振兴。', '脱贫功坚'],
  ['大力培育和践行社会主义核心价值关。', '社会主义核心价值关'],
  ['牢固树立总体国家安全现，守牢安全底线。', '总体国家安全现'],
  ['加快构建新发展格居，推动高质量发展。', '新发展格居'],
  ['深入开展党史学习教肓，学党史、悟思想、办实事。', '党史学习教肓'],
];
/** General wrong expressions: outdated bodies and laws, wrong titles, discriminatory words, typos. */
export const GENERAL_PLANTS: [string, string][] = [
  ['依据《中华人民共和国合同法》有关规定，双方应当依约履行义务。', '《中华人民共和国合同法》'],
  ['县旅游局工作人员深入景区开展安全检查。', '旅游局'],
  ['区残废人联合会为困难群众发放慰问金。', '残废人'],
  ['部分人大代表、政协代表应邀参加座谈。', '政协代表'],
  ['此项工作由国家工商行政管理总局统一部署。', '国家工商行政管理总局'],
  ['依照《中华人民共和国婚姻法》，登记应当双方亲自到场。', '《中华人民共和国婚姻法》'],
  ['县人大常委会主席出席会议并讲话。', '人大常委会主席'],
  ['对下一阶段工作进行了安排布署。', '布署'],
];
/** Right forms that contain a wrong term, and the right forms of the planted ones: never flagged. */
export const RIGHT_FORMS = [
  '会议传达学习了党的二十届三中全会精神，要求不忘初心、牢记使命，坚持以人民为中心的发展思想。',
  '市文化和旅游局、县自然资源和规划局联合开展专项检查。',
  '国家发展和改革委员会印发通知，部署做好相关工作。',
  '全国人民代表大会常务委员会审议通过了相关法律修正案。',
  '依据《中华人民共和国民法典》合同编有关规定，双方应当依约履行义务。',
  '县残疾人联合会为困难残疾人发放慰问金，县人大常委会主任出席活动。',
  '全面从严治党永远在路上，要持续巩固拓展脱贫攻坚成果，加快构建新发展格局。',
];

/** Off-mission posts by category (the unit's own field does not cover them). */
export const OFF_MISSION = [
  '家人们，今天小编给大家带来一波福利！本地特产限时抢购，全场包邮，扫码领券下单立减二十元，手慢无！',
  '某顶流明星新歌上线，粉丝们快来打榜应援，超话签到做数据，冲鸭！',
  '小编哭晕在厕所，宝宝们求点赞求转发，点个在看支持一下吧，么么哒！',
  '本期双色球中奖号码揭晓，快来看看你中奖了吗？转发抽奖送好礼！',
  '震惊！某网红离婚内幕曝光，真相竟然是这样，吃瓜群众都惊呆了。',
  '直播带货今晚八点开始，爆款好物买一送一，关注有礼，私信下单。',
];
/** Warnings that quote scam bait (police and any government account reposting them): not off-mission. */
export const WARNINGS = [
  '警方提醒：近期出现以“限时抢购”“扫码领券”为名的网购诈骗，切勿点击陌生链接，谨防上当受骗。如遇可疑情况请拨打110或96110。',
  '反诈宣传：所谓“打榜应援”“集资应援”实为非法集资套路，请广大群众提高警惕，不要轻信。',
  '以案说法：有人以“转发抽奖”“稳赚不赔”“内部消息”诱导投注，涉嫌诈骗，已被依法查处。',
  '谨防网络赌博：“时时彩”“百家乐”等网赌平台均为骗局，参与网赌违法，举报电话110。',
];
/** A culture-and-tourism bureau's own offers. */
export const TOURISM = [
  '暑期文旅惠民活动启动！全市A级景区推出景区门票优惠，部分景区门票半价优惠，限时优惠至8月31日，欢迎广大游客前来打卡。',
  '文旅消费券今日发放，可用于景区门票、演出票和住宿消费，名额有限，先到先得。',
];
/** An education bureau on exams and enrolment. */
export const EDUCATION = [
  '2024年成人高考报名即将开始，报名从速，名额有限，考生可登录省教育考试院网站报名，报名时间为9月1日至9月7日。',
  '今年暑期托管服务开始报名，各校托管名额有限，报名从速，托管时间、收费标准等具体安排请咨询所在学校。',
];

function fill(rng: Rng, tpl: string, f: Fill, month: number): string {
  return tpl.replace(/\{R\}/g, f.R).replace(/\{r\}/g, f.r).replace(/\{T\}/g, f.T).replace(/\{m\}/g, String(month))
    .replace(/\{n\}/g, () => String(rng.int(30, 2400))).replace(/\{p\}/g, () => String(rng.int(86, 99)))
    .replace(/\{tel\}/g, () => String(rng.int(1000000, 9999999)));
}

/** A routine body of 100–400 characters. */
function routine(rng: Rng, f: Fill, month: number): string {
  const parts = [rng.pick(OPEN), ...rng.sample(MIDDLE, rng.int(1, 3)), rng.pick(CLOSE)];
  let text = parts.map((p) => fill(rng, p, f, month)).join('');
  while (text.length < 100) text = text.replace(/[^。]*。$/, (last) => fill(rng, rng.pick(MIDDLE), f, month) + last);
  return text;
}

type Role = ContentRule | 'decoy-right' | 'decoy-warning' | 'decoy-field' | null;

/** Writes the bodies of one account's posts and says what it planted. */
export class ContentWriter {
  private readonly rng: Rng;
  private readonly role: Role;
  private readonly since: number;
  private readonly field: ReturnType<typeof unitField>;
  /** Posts with a body in the window, and those of them carrying the role's text. */
  private inWindow = 0;
  private special = 0;

  constructor(seed: number, private readonly acc: SeedAccount, private readonly asOfDay: number, private readonly f: Omit<Fill, 'T'>) {
    this.rng = rngFor(seed, 'content', acc.platform, acc.handle);
    this.since = asOfDay - CONTENT_WINDOW_DAYS;
    this.field = unitField(acc.unit.name);
    const r = this.rng.next();
    const checked = acc.status !== AccountStatus.CLOSED;
    const field = this.field;
    if (!checked) this.role = null;
    else if (field === 'tourism' || field === 'education') this.role = r < 0.35 ? 'decoy-field' : null;
    else if (field === 'police') this.role = r < 0.3 ? 'decoy-warning' : null;
    else if (r < 0.01) this.role = 'WRONG_EXPRESSION_SERIOUS';
    else if (r < 0.02) this.role = 'WRONG_EXPRESSION';
    else if (r < 0.023 && field === null) this.role = 'OFF_MISSION';
    else if (r < 0.033) this.role = 'decoy-right';
    else if (r < 0.036) this.role = 'decoy-warning';
    else this.role = null;
  }

  /** The body of the next post (null: title only). Call once per post, in order. */
  body(day: number, topics: readonly string[]): string | null {
    const rng = this.rng;
    const inWindow = day >= this.since && day < this.asOfDay;
    const role = inWindow ? this.role : null;
    // Accounts with a role write more bodies in the window, so that the planted text lands there.
    if (!rng.chance(role && role !== 'WRONG_EXPRESSION' && role !== 'WRONG_EXPRESSION_SERIOUS' ? 0.6 : role ? 0.35 : BODY_SHARE)) return null;
    const month = new Date(day * 86_400_000).getUTCMonth() + 1;
    const f: Fill = { ...this.f, T: rng.pick(topics) };
    const text = routine(rng, f, month);
    if (inWindow) this.inWindow++;
    if (!role) return text;
    const once = role === 'WRONG_EXPRESSION' || role === 'WRONG_EXPRESSION_SERIOUS' || role === 'decoy-right';
    if (once && this.special > 0) return text;
    const take = once ? true : rng.chance(0.6);
    if (!take) return text;
    this.special++;
    switch (role) {
      case 'WRONG_EXPRESSION_SERIOUS': return text + rng.pick(SERIOUS_PLANTS)[0];
      case 'WRONG_EXPRESSION': return text + rng.pick(GENERAL_PLANTS)[0];
      case 'decoy-right': return text + rng.pick(RIGHT_FORMS);
      case 'OFF_MISSION': return rng.pick(OFF_MISSION);
      case 'decoy-warning': return rng.pick(WARNINGS);
      case 'decoy-field': return rng.pick(this.field === 'tourism' ? TOURISM : EDUCATION);
    }
  }

  /** What the account is for the content rules (planted rule, and the rules it is a look-alike for). */
  result(): { planted: ContentRule | null; decoys: ContentRule[] } {
    const role = this.role;
    if (!role || this.special === 0) return { planted: null, decoys: [] };
    if (role === 'decoy-right') return { planted: null, decoys: ['WRONG_EXPRESSION_SERIOUS', 'WRONG_EXPRESSION'] };
    if (role === 'decoy-warning' || role === 'decoy-field') return { planted: null, decoys: this.special >= 2 ? ['OFF_MISSION'] : [] };
    if (role === 'OFF_MISSION') return { planted: this.special >= 2 ? 'OFF_MISSION' : null, decoys: [] };
    return { planted: role, decoys: [] };
  }
}

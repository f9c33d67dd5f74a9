import type { Rng } from './random';

/**
 * Titles of posts, the way government accounts write them: 工作动态, 通知公告, 便民提示, 政策解读, plus reposts from
 * the provincial/national level. `{R}` full unit/region name, `{r}` short region name, `{T}` topic, `{m}` month,
 * `{y}` year, `{h}` the holiday of that month.
 */

const ORIGINAL = [
  '{R}召开{T}工作推进会',
  '{R}部署{T}工作',
  '{r}：{T}取得阶段性成效',
  '{R}主要负责同志带队督导{T}工作',
  '【工作动态】{R}扎实推进{T}',
  '{R}召开{y}年{T}专题会议',
  '关于做好{m}月份{T}工作的通知',
  '关于{T}有关事项的公告',
  '{R}关于开展{T}专项行动的通告',
  '【公示】{y}年度{T}拟入选名单公示',
  '【提醒】{h}期间{T}温馨提示',
  '【便民】{T}办理指南来了！',
  '这些{T}新规，{m}月起施行',
  '@{r}市民，{T}这样办更方便',
  '【图解】一图读懂{r}{T}实施方案',
  '【政策解读】{r}{T}若干措施解读',
  '问答｜关于{T}，你关心的都在这里',
  '{r}{T}“成绩单”出炉',
  '{m}月{r}{T}工作简报',
  '聚焦{T}｜{r}在行动',
  '{R}举办{T}主题宣传活动',
  '{R}开展{T}“回头看”',
  '{r}这个做法入选全省{T}典型案例',
  '权威发布｜{r}{y}年{T}情况通报',
  '速看！{r}{T}最新消息',
  '{h}将至，{R}提醒您注意{T}',
  '{R}召开{T}新闻发布会',
  '【视频】{r}：{T}一线见闻',
];

const REPOST = [
  '国务院常务会议部署{T}工作',
  '国务院办公厅印发关于{T}的意见',
  '新华社：多地推进{T}',
  '{P}召开全省{T}电视电话会议',
  '{P}出台{T}十条措施',
  '人民日报评论：把{T}抓紧抓实',
  '一图读懂{P}{T}实施方案',
  '权威解读｜{P}{T}新政',
  '{P}{y}年{T}工作要点发布',
  '央视新闻：{T}有了新进展',
];

const HOLIDAYS = ['元旦', '春节', '元宵', '清明', '清明', '端午', '暑假', '暑假', '中秋', '国庆', '冬季', '元旦'];

export interface TitleContext {
  R: string;
  r: string;
  topics: readonly string[];
}

function fill(tpl: string, ctx: TitleContext & { P?: string }, rng: Rng, month: number, year: number): string {
  return tpl.replace(/\{([RrTmyhP])\}/g, (_, k: string) => {
    switch (k) {
      case 'R': return ctx.R;
      case 'r': return ctx.r;
      case 'T': return rng.pick(ctx.topics);
      case 'm': return String(month);
      case 'y': return String(year);
      case 'h': return HOLIDAYS[month - 1];
      default: return ctx.P ?? ctx.R;
    }
  });
}

export function originalTitle(rng: Rng, ctx: TitleContext, month: number, year: number): string {
  return fill(rng.pick(ORIGINAL), ctx, rng, month, year);
}

/** A pool of repost titles for one province (what grassroots accounts forward from above). */
export function repostPool(rng: Rng, provinceFull: string, provinceShort: string, topics: readonly string[], year: number, size: number): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (let i = 0; out.length < size && i < size * 20; i++) {
    const t = fill(rng.pick(REPOST), { R: provinceShort, r: provinceShort, topics, P: provinceFull }, rng, 1 + (i % 12), year);
    if (!seen.has(t)) {
      seen.add(t);
      out.push(t);
    }
  }
  return out;
}

export function stopNoticeTitle(name: string, platformZh: string): string {
  return `关于「${name}」${platformZh}停止更新的公告`;
}

export function closeNoticeTitle(name: string, platformZh: string): string {
  return `关于「${name}」${platformZh}注销的公告`;
}

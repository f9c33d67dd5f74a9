import { describe, expect, it } from 'vitest';
import { buildLexicon, shippedSize, unitField, type LexiconEdit } from '../../server/content/lexicon';
import { checkPost } from '../../server/content/matcher';

/** The matcher on its own (no database): positives, right forms that contain a wrong one, context rules. */
const lex = buildLexicon([], '35');
const check = (title: string, content: string | null = null, unitName = '某县人民政府办公室') => checkPost(lex, title, content, unitField(unitName));
const terms = (title: string, content: string | null = null, unitName?: string) => check(title, content, unitName).wrong.map((w) => w.term);

describe('content matcher', () => {
  it('ships several hundred entries', () => {
    const n = shippedSize();
    console.log(`[content] lexicon: ${n.expressions} expressions + ${n.markers} markers`);
    expect(n.expressions + n.markers).toBeGreaterThanOrEqual(400);
  });

  it('finds wrong formulations with their correct form, severity and span', () => {
    const r = check('认真学习十九大四中全会精神', '深入学习贯彻习近平新时代中国特色社会主义理论。');
    expect(r.wrong.map((w) => [w.term, w.correct, w.severity, w.field])).toEqual([
      ['十九大四中全会', '十九届四中全会', 'serious', 'title'],
      ['习近平新时代中国特色社会主义理论', '习近平新时代中国特色社会主义思想', 'serious', 'content'],
    ]);
    expect('认真学习十九大四中全会精神'.slice(r.wrong[0].start, r.wrong[0].end)).toBe('十九大四中全会');
    expect(r.serious).toBe(true);
    expect(terms('县环保局开展执法检查')).toEqual(['环保局']);
    expect(terms('依据《物权法》规定')).toEqual(['《物权法》']);
    expect(terms('香港政府宣布')).toEqual(['香港政府']);
  });

  it('never flags a right form that contains a wrong one', () => {
    expect(terms('县文化和旅游局发布通知', '市文化广电和旅游局、县文化和旅游局联合开展检查')).toEqual([]);
    expect(terms('县旅游局发布通知')).toEqual(['旅游局']);
    expect(terms('市自然资源和规划局公示')).toEqual([]);
    expect(terms('市人大常委会主任带队调研')).toEqual([]);
    expect(terms('县人民检察院检察长列席会议')).toEqual([]);
    expect(terms('香港特别行政区政府宣布')).toEqual([]);
  });

  it('respects word boundaries for short words (jieba)', () => {
    expect(terms('推动农村长期稳定发展')).toEqual([]);
    expect(terms('村长带头清理垃圾')).toEqual(['村长']);
    expect(terms('做好学习总结')).toEqual([]);
    expect(terms('各级文化部门')).toEqual([]);
    expect(terms('原文化部发布')).toEqual(['文化部']);
  });

  it('keeps the longest wrong term only', () => {
    expect(terms('国家旅游局发布')).toEqual(['国家旅游局']);
  });

  it('flags off-mission markers by category', () => {
    expect(check('限时抢购！全场包邮').categories).toEqual(['advertising']);
    expect(check('为爱豆打榜应援').categories).toEqual(['celebrity']);
    expect(check('转发集赞送好礼', '点个在看').categories).toEqual(['likes']);
    expect(check('小编哭晕在厕所', '宝宝们萌萌哒').categories).toEqual(['baiting']);
    expect(check('本期双色球中奖号码').categories).toEqual(['gambling']);
  });

  it('does not count markers quoted in a warning, or within the unit’s own field', () => {
    expect(check('警方提醒：谨防“限时抢购”骗局', '所谓集资应援实为诈骗').categories).toEqual([]);
    expect(check('警方提醒：谨防“限时抢购”骗局').markers.every((m) => m.exempt === 'warning')).toBe(true);
    expect(check('宝宝们，谨防诈骗哦').categories).toEqual(['baiting']);
    expect(check('暑期景区门票优惠来了', null, '某县文化和旅游局').categories).toEqual([]);
    expect(check('暑期景区门票优惠来了', null, '某县农业农村局').categories).toEqual(['advertising']);
    expect(check('中考报名从速，名额有限', null, '某县教育局').categories).toEqual([]);
    expect(check('体育彩票公益金助力全民健身', null, '某市体育局').categories).toEqual([]);
  });

  it('applies province edits: added entries match, disabled ones do not', () => {
    const edits: LexiconEdit[] = [
      { regionCode: '35', version: 1, op: 'add', term: '闽政通办', entry: { type: 'expression', correct: '闽政通', kind: 'body', severity: 'general' } },
      { regionCode: '35', version: 2, op: 'disable', term: '旅游局', entry: null },
      { regionCode: '0', version: 1, op: 'add', term: '盲盒抽奖', entry: { type: 'marker', category: 'gambling' } },
    ];
    const fj = buildLexicon(edits, '35');
    const other = buildLexicon(edits, '36');
    expect(fj.key).toBe('v1.n1.p2@35');
    expect(other.key).toBe('v1.n1.p0');
    expect(checkPost(fj, '闽政通办上线', null, null).wrong.map((w) => w.term)).toEqual(['闽政通办']);
    expect(checkPost(other, '闽政通办上线', null, null).wrong).toEqual([]);
    expect(checkPost(fj, '县旅游局发布', null, null).wrong).toEqual([]);
    expect(checkPost(other, '县旅游局发布', null, null).wrong.length).toBe(1);
    expect(checkPost(other, '盲盒抽奖活动', null, null).categories).toEqual(['gambling']);
  });

  it('two provinces at the same edit version are each checked with their own edits', () => {
    const edits: LexiconEdit[] = [
      { regionCode: '35', version: 1, op: 'add', term: '闽政通办', entry: { type: 'expression', correct: '闽政通', kind: 'body', severity: 'general' } },
      { regionCode: '36', version: 1, op: 'add', term: '赣服通办', entry: { type: 'expression', correct: '赣服通', kind: 'body', severity: 'general' } },
    ];
    const fj = buildLexicon(edits, '35');
    const jx = buildLexicon(edits, '36');
    expect(fj.key).not.toBe(jx.key);
    for (const [lex, own, other] of [[fj, '闽政通办', '赣服通办'], [jx, '赣服通办', '闽政通办']] as const) {
      expect(checkPost(lex, `${own}上线`, null, null).wrong.map((w) => w.term)).toEqual([own]);
      expect(checkPost(lex, `${other}上线`, null, null).wrong).toEqual([]);
    }
  });

  it('scans fast', () => {
    const body = '为深入学习贯彻党的二十大精神，县委召开专题会议，部署乡村振兴和营商环境优化工作，要求各乡镇压实责任，确保各项任务落地见效。村长说要干。';
    const t0 = performance.now();
    const n = 20_000;
    for (let i = 0; i < n; i++) checkPost(lex, `县委召开专题会议第${i}次`, body, null);
    const ms = performance.now() - t0;
    console.log(`[content] matcher: ${Math.round((n / ms) * 1000)} posts/s, ${Math.round(((n * (body.length + 12)) / ms) * 1000)} chars/s`);
    expect(n / ms * 1000).toBeGreaterThan(5_000);
  });
});

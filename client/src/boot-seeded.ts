/**
 * Answers client/src/boot.ts put into the cache before the first render: the first query of each reads them instead
 * of asking again. (Its own module without imports, so the session and the overview can ask without a cycle.)
 */
export const seeded = { me: false, overview: null as string | null };

/** True once, when the session's answer came with the page: the session query may then read the cache. */
export function takeSeededMe(): boolean {
  const s = seeded.me;
  seeded.me = false;
  return s;
}

/** True once, for the region whose matrix came with the page. */
export function takeSeededOverview(regionCode: string): boolean {
  if (seeded.overview !== regionCode) return false;
  seeded.overview = null;
  return true;
}

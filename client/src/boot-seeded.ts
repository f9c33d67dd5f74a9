/**
 * Answers client/src/boot.ts put into the cache before the first render: the first query of each reads them instead
 * of asking again. (Its own module without runtime imports, so the session and the overview can ask without a cycle.)
 */
import type { OverviewMatrixQuery } from './graphql/generated/graphql';

/** The overview's early answer (or null when it failed), for the region it was asked for. */
export type BootOverview = { regionCode: string; data: OverviewMatrixQuery } | null;

export const seeded = {
  me: false,
  /** The region whose matrix is in the cache. */
  overview: null as string | null,
  /** The overview's answer still on its way when the app first rendered. */
  pendingOverview: null as Promise<BootOverview> | null,
};

// Read without being used up: React may render a component, discard that render and render it again (a lazy screen,
// an interrupted concurrent render), and the second render must see the same answer. The component forgets it once
// mounted (an effect).

/** Whether the session's answer came with the page: the session query may then read the cache. */
export function seededMe(): boolean {
  return seeded.me;
}

export function forgetSeededMe(): void {
  seeded.me = false;
}

/**
 * 'seeded' when the region's matrix came with the page (in the cache), the answer's promise when it is still on its
 * way (the screen waits for it instead of asking again), null otherwise.
 */
export function seededOverview(regionCode: string): 'seeded' | Promise<BootOverview> | null {
  return seeded.overview === regionCode ? 'seeded' : seeded.pendingOverview;
}

export function forgetSeededOverview(): void {
  seeded.overview = null;
  seeded.pendingOverview = null;
}

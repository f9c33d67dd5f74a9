import type { ApolloClient } from '@apollo/client';
import { MeDocument } from './auth/session';
import { OverviewMatrixQuery } from './pages/overview/overview-query';
import { seeded } from './boot-seeded';
import type { MeQuery, OverviewMatrixQuery as OverviewMatrixData } from './graphql/generated/graphql';

/** What the inline script of index.html (client/scripts/boot-prefetch.ts) asked the server before the scripts ran. */
interface BootAnswers {
  me?: Promise<MeQuery | null>;
  overview?: Promise<{ regionCode: string; data: OverviewMatrixData } | null>;
}

declare global {
  interface Window {
    __boot?: BootAnswers;
  }
}

/** How long the first render waits for the session's answer (then it renders without, and the session asks again). */
const ME_WAIT_MS = 1500;
/**
 * How long it then waits for the overview's answer: one render with the matrix costs less than the layout first and
 * the matrix after. Past it the app renders, and the overview screen takes the answer when it comes (pendingOverview).
 */
const OVERVIEW_WAIT_MS = 150;

const within = <T>(p: Promise<T | null>, ms: number): Promise<T | null> =>
  Promise.race([p.catch(() => null), new Promise<null>((r) => setTimeout(() => r(null), ms))]);

/**
 * Puts the early answers into Apollo's cache before the first render. A missing or failed answer is simply not
 * seeded, and the screens ask the server as before.
 */
export async function seedFromBoot(client: ApolloClient): Promise<void> {
  const boot = typeof window === 'undefined' ? undefined : window.__boot;
  if (!boot) return;
  delete window.__boot;
  const me = boot.me ? await within(boot.me, ME_WAIT_MS) : null;
  if (me?.me) {
    client.writeQuery({ query: MeDocument, data: me });
    seeded.me = true;
  }
  if (!boot.overview) return;
  const answer = boot.overview.catch(() => null);
  const overview = await within(answer, OVERVIEW_WAIT_MS);
  if (overview) {
    client.writeQuery({ query: OverviewMatrixQuery, variables: { regionCode: overview.regionCode }, data: overview.data });
    seeded.overview = overview.regionCode;
  } else if (me?.me) {
    seeded.pendingOverview = answer;
  }
}

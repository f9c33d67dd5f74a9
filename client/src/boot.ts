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

/** How long the first render waits for the overview's answer once the session is known (then it renders without). */
const OVERVIEW_WAIT_MS = 400;

/**
 * Puts the early answers into Apollo's cache before the first render. Waits for the session's answer (the app could
 * show nothing but a spinner without it) and briefly for the overview's; a missing or failed answer is simply not
 * seeded, and the screens ask the server as before.
 */
export async function seedFromBoot(client: ApolloClient): Promise<void> {
  const boot = typeof window === 'undefined' ? undefined : window.__boot;
  if (!boot) return;
  delete window.__boot;
  const me = await boot.me?.catch(() => null);
  if (me?.me) {
    client.writeQuery({ query: MeDocument, data: me });
    seeded.me = true;
  }
  if (!boot.overview) return;
  const overview = await Promise.race([boot.overview.catch(() => null), new Promise<null>((r) => setTimeout(() => r(null), OVERVIEW_WAIT_MS))]);
  if (overview) {
    client.writeQuery({ query: OverviewMatrixQuery, variables: { regionCode: overview.regionCode }, data: overview.data });
    seeded.overview = overview.regionCode;
  }
}

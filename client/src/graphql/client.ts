import { ApolloClient, ApolloLink, CombinedGraphQLErrors, HttpLink, InMemoryCache } from '@apollo/client';
import { ErrorLink } from '@apollo/client/link/error';
import { emitUnauthenticated } from '../auth/session-events';

/**
 * Apollo Client for the cookie session: same origin `/graphql` (Vite proxies it in dev), cookies always sent.
 * An UNAUTHENTICATED error from any operation except the login itself sends the user to the login page.
 */
export function createApolloClient(uri = '/graphql'): ApolloClient {
  const errorLink = new ErrorLink(({ error, operation }) => {
    if (!CombinedGraphQLErrors.is(error)) return;
    const unauthenticated = error.errors.some((e) => e.extensions?.code === 'UNAUTHENTICATED');
    if (unauthenticated && operation.operationName !== 'Login' && operation.operationName !== 'Me') emitUnauthenticated();
  });
  const httpLink = new HttpLink({ uri, credentials: 'include' });
  return new ApolloClient({
    link: ApolloLink.from([errorLink, httpLink]),
    cache: new InMemoryCache({
      typePolicies: {
        Region: { keyFields: ['code'] },
        Account: { fields: { stats: { merge: true } } },
        Matrix: { keyFields: false },
      },
    }),
    defaultOptions: {
      watchQuery: { fetchPolicy: 'cache-and-network', nextFetchPolicy: 'cache-first' },
    },
  });
}

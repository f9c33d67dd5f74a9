import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { createApolloClient } from './graphql/client';
import { seedFromBoot } from './boot';
import './styles.css';

// The session (and on the overview the matrix) were asked for by index.html's inline script while the scripts loaded:
// their answers go into the cache first, so the first render already shows the screen.
const client = createApolloClient();
void seedFromBoot(client).finally(() => {
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <App client={client} />
    </StrictMode>,
  );
});

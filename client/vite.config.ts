import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { antdDirectImports } from './scripts/antd-imports';
import { inlineGraphqlDocuments } from './scripts/graphql-inline';
import { bootPrefetch } from './scripts/boot-prefetch';
import { antdUsedCss } from './scripts/antd-css';
import { precompressAssets } from './scripts/precompress';

const root = path.dirname(fileURLToPath(import.meta.url));
const apiTarget = process.env.API_URL ?? `http://localhost:${process.env.PORT ?? 4000}`;

/**
 * Client build: root `client/`, output `client/dist` (served by server/app.ts from the same port as /graphql).
 * Screens are split by route (React.lazy); the libraries every screen needs get stable vendor chunks so they cache
 * across deploys, and ECharts (only the chart screens use it) stays in its own lazily loaded chunk.
 */
export default defineConfig({
  root,
  plugins: [antdDirectImports(), antdUsedCss(), inlineGraphqlDocuments(path.join(root, 'src', 'graphql', 'generated')), bootPrefetch(path.join(root, 'src', 'graphql', 'generated')), react(), precompressAssets()],
  server: {
    port: Number(process.env.CLIENT_PORT ?? 5173),
    proxy: { '/graphql': { target: apiTarget, changeOrigin: false } },
  },
  preview: { proxy: { '/graphql': { target: apiTarget } } },
  build: {
    outDir: path.join(root, 'dist'),
    // The end-to-end tests rebuild in place while other test runs may have pages open on the previous build: they keep
    // the old chunks (E2E_KEEP_CHUNKS=1) so a page never loses a chunk mid-run; every other build starts empty.
    emptyOutDir: !process.env.E2E_KEEP_CHUNKS,
    chunkSizeWarningLimit: 800,
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            { name: 'vendor-react', test: /node_modules[\\/](react|react-dom|scheduler|react-router|react-router-dom)[\\/]/, priority: 30 },
            { name: 'vendor-apollo', test: /node_modules[\\/](@apollo[\\/]client|graphql|@wry|optimism|@graphql-typed-document-node|rxjs|tslib)[\\/]/, priority: 20 },
            { name: 'vendor-echarts', test: /node_modules[\\/](echarts|zrender)[\\/]/, priority: 10 },
          ],
        },
      },
    },
  },
});

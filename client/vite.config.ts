import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import solid from 'vite-plugin-solid';

const root = fileURLToPath(new URL('.', import.meta.url));

// `npm run dev:client` proxies the API (npm start, port 4000) so the app and /graphql share an
// origin, exactly as when the server serves client/dist: cookies stay same-origin.
export default defineConfig({
  root,
  plugins: [solid()],
  // No source maps in the production build: they would publish the app's source as written.
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: false },
  server: {
    proxy: { '/graphql': { target: process.env.API_URL ?? 'http://localhost:4000', ws: true, changeOrigin: false } },
  },
});

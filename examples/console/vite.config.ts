// The console is served by Vite; `/graphql` is proxied to envgate (HTTP and
// WebSocket), so the browser talks to one origin and envgate needs no CORS setting.
// ENVGATE_URL names the envgate to proxy to (default: `cargo run -- serve`'s address).
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const target = process.env.ENVGATE_URL ?? 'http://127.0.0.1:8080';
const proxy = { '/graphql': { target, changeOrigin: true, ws: true } };

export default defineConfig({
  plugins: [react()],
  server: { host: '127.0.0.1', port: 5173, proxy },
  preview: { host: '127.0.0.1', port: 4173, proxy },
  // React, Apollo Client, graphql and graphql-ws make one chunk of about 520 kB
  // (140 kB gzipped), fine for a console loaded once; warn well above that.
  build: { chunkSizeWarningLimit: 700 },
});

import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The site server serves `dist/` at `/` on the admin listener (SPA fallback) and the API at
// `/api/v1`; in development Vite proxies the API to a local server.
export default defineConfig({
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    rollupOptions: {
      output: {
        manualChunks(id: string): string | undefined {
          if (!id.includes('node_modules')) return undefined;
          if (id.includes('recharts') || id.includes('d3-') || id.includes('@mantine/charts')) {
            return 'charts';
          }
          if (id.includes('@mantine') || id.includes('@floating-ui')) return 'mantine';
          if (id.includes('@tabler')) return 'icons';
          if (id.includes('@sinclair/typebox')) return 'protocol';
          return 'vendor';
        },
      },
    },
  },
  server: {
    port: 5173,
    proxy: { '/api': { target: 'http://127.0.0.1:8080', changeOrigin: false } },
  },
});

import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import type { Plugin } from 'vite';
import react from '@vitejs/plugin-react';

const reactIsCompat = fileURLToPath(new URL('./src/lib/react-is-compat.ts', import.meta.url));

/** recharts' react-is 18 cannot see React 19 fragments; see src/lib/react-is-compat.ts. */
function rechartsReactIs(): Plugin {
  return {
    name: 'steward-recharts-react-is',
    enforce: 'pre',
    resolveId(source, importer) {
      if (source === 'react-is' && importer?.includes('/node_modules/recharts/'))
        return reactIsCompat;
      return null;
    },
  };
}

// The site server serves `dist/` at `/` on the admin listener (SPA fallback) and the API at
// `/api/v1`; in development Vite proxies the API to a local server.
export default defineConfig({
  base: '/',
  plugins: [rechartsReactIs(), react()],
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
  optimizeDeps: {
    esbuildOptions: {
      plugins: [
        {
          name: 'steward-recharts-react-is',
          setup(build) {
            build.onResolve({ filter: /^react-is$/ }, (args) =>
              args.importer.includes('/node_modules/recharts/')
                ? { path: reactIsCompat }
                : undefined,
            );
          },
        },
      ],
    },
  },
  server: {
    port: 5173,
    proxy: { '/api': { target: 'http://127.0.0.1:8080', changeOrigin: false } },
  },
});

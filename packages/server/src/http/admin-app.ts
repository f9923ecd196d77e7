import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { Logger } from 'pino';
import fastifyCookie from '@fastify/cookie';
import type { RouteOptions } from 'fastify';
import type { App } from './types.js';
import { createFastify } from './fastify.js';
import { installErrorHandler } from './errors.js';
import { installSecurityHeaders, swaggerCsrfInterceptor } from './security-headers.js';

/** Where the built console lives (packages/console/dist), unless STEWARD_CONSOLE_DIR says otherwise. */
export function consoleDir(): string {
  return (
    process.env.STEWARD_CONSOLE_DIR ??
    fileURLToPath(new URL('../../../console/dist', import.meta.url))
  );
}

export async function createAdminApp(log: Logger, version: string): Promise<App> {
  const app = createFastify(log, { bodyLimit: 2 * 1024 * 1024 });
  await installSecurityHeaders(app);
  await app.register(fastifyCookie);
  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'Steward admin API',
        version,
        description:
          'Everything the console and the CLI do. Authenticate with POST /api/v1/auth/login and send `Authorization: Bearer <token>`; signed in to the console, this page uses its session.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  const dir = consoleDir();
  const index = `${dir}/index.html`;
  const hasConsole = existsSync(index);
  installErrorHandler(app, hasConsole ? { spaIndex: () => readFileSync(index, 'utf8') } : {});
  // The console's files and the Swagger UI page hold no data: public by being registered in
  // this scope. What they show comes from API routes, which need a session.
  await app.register(async (files) => {
    files.addHook('onRoute', markPublic);
    await files.register(fastifySwaggerUi, {
      routePrefix: '/api/docs',
      uiConfig: { requestInterceptor: swaggerCsrfInterceptor() },
    });
    // wildcard: files are looked up per request, so a rebuilt console is served without a restart.
    if (hasConsole)
      await files.register(fastifyStatic, { root: dir, wildcard: true, index: 'index.html' });
  });
  app.get('/api/openapi.json', { config: { public: true }, schema: { hide: true } }, () =>
    app.swagger(),
  );
  return app;
}

function markPublic(route: RouteOptions): void {
  route.config = { ...route.config, public: true };
}

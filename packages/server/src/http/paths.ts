/**
 * The path a request names once decoded and normalised (`/%61pi//v1/../v1/site` is
 * `/api/v1/site`), lower-cased: for deciding what kind of answer an unmatched URL gets. Never
 * used to decide authentication, which follows the route that matched (auth.ts).
 * Undefined when the path is not valid percent-encoding.
 */
export function canonicalPath(url: string): string | undefined {
  const raw = url.split('?')[0] ?? '';
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return undefined;
  }
  const collapsed = decoded.replace(/\\/g, '/').replace(/\/{2,}/g, '/');
  // The WHATWG URL parser resolves "." and ".." segments the way browsers and proxies do.
  return new URL(
    collapsed.startsWith('/') ? collapsed : `/${collapsed}`,
    'http://site',
  ).pathname.toLowerCase();
}

/** True for paths the console's single-page app may answer (its deep links). */
export function isConsoleDeepLink(url: string): boolean {
  const path = canonicalPath(url);
  return (
    path !== undefined &&
    // A missing file (anything with an extension, e.g. an old /assets/*.js) is a real 404.
    !/\.[a-z0-9]+$/.test(path) &&
    !/^\/(api|agent)(\/|$)/.test(path)
  );
}

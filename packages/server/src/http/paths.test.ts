import { describe, expect, it } from 'vitest';
import { canonicalPath, isConsoleDeepLink } from './paths.js';

describe('canonicalPath', () => {
  it.each([
    ['/%61pi/v1/site', '/api/v1/site'],
    ['/api/v1/../v1/site', '/api/v1/site'],
    ['//api/v1/site', '/api/v1/site'],
    ['/API/v1/site', '/api/v1/site'],
    ['/api/v1/site%2f', '/api/v1/site/'],
    ['/api%2fv1%2fsite', '/api/v1/site'],
    ['/%2e%2e/api/v1/site?x=1', '/api/v1/site'],
    ['\\api\\v1', '/api/v1'],
  ])('%s is %s', (url, path) => {
    expect(canonicalPath(url)).toBe(path);
  });

  it('refuses broken percent-encoding', () => {
    expect(canonicalPath('/api/%zz')).toBeUndefined();
    expect(isConsoleDeepLink('/devices/%zz')).toBe(false);
  });

  it('gives console deep links, not API or agent paths or files, to the console', () => {
    expect(isConsoleDeepLink('/devices/abc')).toBe(true);
    expect(isConsoleDeepLink('/')).toBe(true);
    for (const url of ['/%61pi/v1/nothing', '//api/x', '/API', '/agent/v1/x', '/assets/old.js'])
      expect(isConsoleDeepLink(url)).toBe(false);
  });
});

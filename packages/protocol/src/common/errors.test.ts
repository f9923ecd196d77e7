import { describe, expect, it } from 'vitest';
import {
  AppError,
  ConflictError,
  ErrorCode,
  InputError,
  NotAllowedError,
  NotFoundError,
  RateLimitedError,
  UnauthenticatedError,
  UnavailableError,
} from './errors.js';

describe('ErrorCode', () => {
  it('is one list whose strings are their own names (a public contract)', () => {
    for (const [name, code] of Object.entries(ErrorCode)) expect(code).toBe(name);
  });
});

describe('error classes', () => {
  it('carry the code, message and the HTTP status the error handler sends', () => {
    const cases: [AppError, number, string][] = [
      [new InputError(ErrorCode.INVALID_INPUT, 'bad'), 400, 'INVALID_INPUT'],
      [new UnauthenticatedError(), 401, 'UNAUTHENTICATED'],
      [new NotAllowedError('no'), 403, 'FORBIDDEN'],
      [new NotFoundError('package', 'p1', ErrorCode.PACKAGE_NOT_FOUND), 404, 'PACKAGE_NOT_FOUND'],
      [new ConflictError(ErrorCode.DP_NAME_TAKEN, 'taken'), 409, 'DP_NAME_TAKEN'],
      [new RateLimitedError(ErrorCode.LOGIN_RATE_LIMITED, 'slow', 30), 429, 'LOGIN_RATE_LIMITED'],
      [new UnavailableError(ErrorCode.UNAVAILABLE, 'later'), 503, 'UNAVAILABLE'],
    ];
    for (const [error, status, code] of cases) {
      expect(error).toBeInstanceOf(AppError);
      expect(error).toBeInstanceOf(Error);
      expect([error.status, error.code]).toEqual([status, code]);
    }
    expect(new NotFoundError('package', 'p1').message).toBe('package "p1" does not exist');
  });
});

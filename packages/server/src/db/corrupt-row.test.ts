import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { CorruptRowError, storedSettings } from './corrupt-row.js';

const Settings = Type.Object({
  intervalSeconds: Type.Integer({ minimum: 30 }),
  paths: Type.Array(Type.String()),
});
const DEFAULTS = { intervalSeconds: 60, paths: ['/opt'] };

describe('storedSettings', () => {
  it('fills fields added since the value was stored from the defaults', () => {
    expect(storedSettings(Settings, DEFAULTS, '{"intervalSeconds":300}', 'k')).toEqual({
      intervalSeconds: 300,
      paths: ['/opt'],
    });
  });

  it('raises CorruptRowError for a stored value that is not valid, never the defaults', () => {
    for (const stored of ['{"intervalSeconds":5}', '[1,2]', '{not json']) {
      expect(() => storedSettings(Settings, DEFAULTS, stored, 'client_settings')).toThrow(
        CorruptRowError,
      );
    }
    expect(() => storedSettings(Settings, DEFAULTS, '{"intervalSeconds":5}', 'k')).toThrow(
      /corrupt row in site_setting \(id k\), column value: not valid settings/,
    );
  });
});

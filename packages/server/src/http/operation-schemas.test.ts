import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import { describe, expect, it } from 'vitest';
import { allAgentOperations, allOperations, type Operation } from '@steward/protocol';
import { validatorCompiler } from './validation.js';

/*
 * Route schemas are compiled at their first request, not at start-up (ADR 0080), so a server
 * that starts no longer proves they compile. This does, for every operation of the admin and
 * agent API, with the compilers the server uses.
 */
const operations: Operation[] = [...allOperations(), ...allAgentOperations()];

describe('operation schemas', () => {
  it('every request schema compiles with the validators the server uses', () => {
    expect(operations.length).toBeGreaterThan(300);
    const compile = validatorCompiler();
    for (const op of operations) {
      const parts = [
        ['params', op.params],
        ['querystring', op.query],
        ['body', op.body],
      ] as const;
      for (const [httpPart, schema] of parts) {
        if (schema === undefined) continue;
        const validate = compile({ schema, method: op.method, url: op.path, httpPart });
        // The first call compiles; compiling a bad schema throws.
        expect(() => validate({}), `${op.method} ${op.path} ${httpPart}`).not.toThrow();
      }
    }
  });

  it('every response schema builds a serialiser', () => {
    const build = SerializerSelector()(undefined, {});
    let built = 0;
    for (const op of operations) {
      if (op.binaryResponse) continue;
      for (const [httpStatus, schema] of Object.entries(op.responses)) {
        const serialize = build({ schema, method: op.method, url: op.path, httpStatus });
        expect(typeof serialize, `${op.method} ${op.path} ${httpStatus}`).toBe('function');
        built++;
      }
    }
    expect(built).toBeGreaterThan(300);
  });
});

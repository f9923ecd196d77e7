import { describe, expect, it } from 'vitest';
import { evaluateCondition } from './conditions.js';
import { inventoryFacts, machineFacts } from './facts.js';

describe('task-sequence facts', () => {
  it('names inventory properties <class>.<property>, several instances as a list', () => {
    const facts = inventoryFacts({
      os: [{ name: 'Debian GNU/Linux', version: '12', codename: null }],
      cpu: [{ model: 'A' }, { model: 'B' }, { model: 'A' }],
    });
    expect(facts).toEqual({
      'os.name': 'Debian GNU/Linux',
      'os.version': '12',
      'cpu.model': ['A', 'B'],
    });
  });

  it("reads this machine's facts, which conditions then test", async () => {
    const facts = await machineFacts();
    const arch = process.arch === 'x64' ? 'amd64' : process.arch;
    expect(facts.hardware['architecture']).toBe(arch);
    expect(Number(facts.hardware['cpuCount'])).toBeGreaterThan(0);
    const test = (name: string, value: string) =>
      evaluateCondition({ type: 'fact', source: 'hardware', name, op: 'equals', value }, {}, facts);
    expect(test('architecture', arch)).toBe(true);
    expect(test('architecture', 'sparc64')).toBe(false);
  });
});

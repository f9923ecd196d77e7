import { describe, expect, it } from 'vitest';
import { SettledDecisions, type PxeBootDecision, type PxeClientId } from './boot-decision.js';

/** A site whose answer the test changes, counting the questions it gets. */
function fakeSite() {
  const site = {
    asked: [] as PxeClientId[],
    answer: { action: 'exit', reason: 'nothing' } as PxeBootDecision,
    ask: (client: PxeClientId) => {
      site.asked.push(client);
      return Promise.resolve(site.answer);
    },
  };
  return site;
}

describe('SettledDecisions', () => {
  it('asks the site once per machine and settle time, and again after it', async () => {
    const site = fakeSite();
    let now = 1_000;
    const settled = new SettledDecisions(site.ask, 5_000, () => now);
    const a = { mac: '52:54:00:00:00:01', uuid: '1b4e28ba-2fa1-11d2-883f-0016d3cca427' };
    expect(await settled.decide(a)).toEqual({ action: 'exit', reason: 'nothing' });
    site.answer = { action: 'boot', image: 'x64', required: true, reason: 'deployed' };
    now += 4_999;
    expect((await settled.decide(a)).action).toBe('exit');
    expect(settled.siteCalls).toBe(1);
    // Another machine (or the same MAC with another UUID) is a question of its own.
    expect((await settled.decide({ mac: a.mac })).action).toBe('boot');
    expect(settled.siteCalls).toBe(2);
    now += 1;
    expect((await settled.decide(a)).action).toBe('boot');
    expect(settled.siteCalls).toBe(3);
    expect(site.asked).toHaveLength(3);
  });

  it('keeps nothing when the site fails', async () => {
    let fail = true;
    const settled = new SettledDecisions(
      () =>
        fail
          ? Promise.reject(new Error('site down'))
          : Promise.resolve<PxeBootDecision>({ action: 'exit', reason: 'ok' }),
      5_000,
      () => 0,
    );
    const a = { mac: '52:54:00:00:00:02' };
    await expect(settled.decide(a)).rejects.toThrow('site down');
    fail = false;
    expect(await settled.decide(a)).toEqual({ action: 'exit', reason: 'ok' });
    expect(settled.siteCalls).toBe(2);
  });
});

import { FhirError, parseSearchRequest } from '@continuum/fhir';
import { accessContextFrom } from './access-context';
import { isExpensiveSearch, SearchConcurrencyLimiter } from './search-concurrency';

const request = (type: string, query: string) => parseSearchRequest(type, new URLSearchParams(query));
const caller = (sub: string) => accessContextFrom({ sub, scope: 'user/*.rs', role: 'clinician' });

describe('expensive searches, capped per caller', () => {
  it('tells expensive searches from those that cost what they answer', () => {
    for (const [type, query] of [
      ['Observation', 'patient.identifier=x|y'],
      ['Patient', '_has:Observation:patient:code=x'],
      ['Patient', 'name:contains=ann'],
      ['Observation', 'code:text=glucose'],
      ['Observation', 'code=x&_summary=count'],
      ['Observation', 'code=x&_total=accurate'],
      ['Observation', 'code=x&_sort=-date'],
      ['Observation', '_include:iterate=Observation:encounter'],
    ])
      expect([query, isExpensiveSearch(request(type, query))]).toEqual([query, true]);
    for (const [type, query] of [
      ['Patient', 'identifier=x|y'],
      ['Observation', 'patient=123&code=x&date=ge2020'],
      ['Observation', 'code=x&_sort=-_lastUpdated&_total=estimate'],
      ['Observation', '_include=Observation:subject'],
    ])
      expect([query, isExpensiveSearch(request(type, query))]).toEqual([query, false]);
  });

  it('refuses one more than the cap with 429 and Retry-After, per caller, and frees the slot when done', async () => {
    const limiter = new SearchConcurrencyLimiter(1);
    const count = request('Observation', 'code=x&_summary=count');
    let finish = () => undefined as void;
    const running = limiter.run(caller('a'), count, () => new Promise<void>((resolve) => (finish = resolve)));
    const refused = await limiter.run(caller('a'), count, async () => 'ran').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(FhirError);
    expect(refused).toMatchObject({ status: 429, retryAfterSeconds: 2 });
    await expect(limiter.run(caller('b'), count, async () => 'other caller')).resolves.toBe('other caller');
    await expect(
      limiter.run(caller('a'), request('Patient', 'identifier=x|y'), async () => 'cheap'),
    ).resolves.toBe('cheap');
    finish();
    await running;
    await expect(limiter.run(caller('a'), count, async () => 'again')).resolves.toBe('again');
    await expect(
      limiter.run(caller('a'), count, async () => Promise.reject(new Error('failed'))),
    ).rejects.toThrow('failed');
    await expect(limiter.run(caller('a'), count, async () => 'after a failure')).resolves.toBe(
      'after a failure',
    );
  });
});

import { createServer, get, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { holdAnswerUntilDurable } from './answer-gate';

/** A commit the test settles when it chooses. */
function commit() {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  return { promise, resolve, reject };
}

/**
 * The answer gate over a real HTTP server and client: nothing reaches the client while a commit handed to the gate
 * is pending; what was written meanwhile arrives in order once it is durable, and later writes go straight through;
 * a failed commit turns the answer into a 503 OperationOutcome, or cuts a stream whose headers had left.
 */
describe('the answer gate holds a response until its audit commits are durable', () => {
  let server: Server;
  let handle: (response: ServerResponse, hold: (durable: Promise<void>) => Promise<void>) => void;
  const failures: unknown[] = [];

  beforeAll(async () => {
    server = createServer((_request, response) => {
      response.setHeader('X-Correlation-Id', 'c-1');
      handle(response, holdAnswerUntilDurable(response, (error) => failures.push(error)));
    });
    await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  });
  afterAll(() => new Promise<void>((closed) => server.close(() => closed())));

  /** Requests the server, recording when each chunk and the end arrive. */
  const fetchTimed = () =>
    new Promise<{ status?: number; headers: Record<string, unknown>; chunks: string[]; body: Promise<string> }>(
      (answered, failed) => {
        const { port } = server.address() as AddressInfo;
        const request = get({ host: '127.0.0.1', port, path: '/' }, (response) => {
          const chunks: string[] = [];
          const body = new Promise<string>((ended, cut) => {
            response.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
            response.on('end', () => ended(chunks.join('')));
            response.on('error', cut);
            response.on('aborted', () => cut(new Error('aborted')));
          });
          answered({ status: response.statusCode, headers: response.headers, chunks, body });
        });
        request.on('error', failed);
      },
    );
  const tick = (ms = 30) => new Promise((resolve) => setTimeout(resolve, ms));

  it('sends nothing, not even the status, until the pending commit is durable, then everything in order', async () => {
    const audit = commit();
    let responded = false;
    handle = (response, hold) => {
      hold(audit.promise);
      response.statusCode = 200;
      response.write('first,');
      response.end('second');
    };
    const answer = fetchTimed().then((value) => ((responded = true), value));
    await tick(100);
    expect(responded).toBe(false);
    audit.resolve();
    const { status, body } = await answer;
    expect(status).toBe(200);
    expect(await body).toBe('first,second');
  });

  it('lets writes through at once when nothing is pending, and holds only those made while a commit is', async () => {
    const second = commit();
    const client = { chunks: [] as string[] };
    let seenWhileHeld = '';
    handle = (response, hold) => {
      response.write('page 1;'); // nothing pending: straight through
      void tick().then(async () => {
        hold(second.promise);
        response.write('page 2;');
        await tick(100);
        seenWhileHeld = client.chunks.join('');
        second.resolve();
        await tick();
        response.end('end');
      });
    };
    const answer = await fetchTimed();
    client.chunks = answer.chunks;
    expect(await answer.body).toBe('page 1;page 2;end');
    expect(seenWhileHeld).toBe('page 1;'); // page 2 was held while its commit was pending
  });

  it('keeps at most two commits in flight: handing one over answers when the one before it is durable', async () => {
    const first = commit();
    const second = commit();
    const turns: string[] = [];
    handle = (response, hold) => {
      void hold(first.promise).then(() => turns.push('first handed over'));
      void hold(second.promise).then(() => turns.push('second may go on'));
      void tick().then(async () => {
        turns.push('first commit durable');
        first.resolve();
        await tick();
        second.resolve();
        await tick();
        response.end('done');
      });
    };
    const answer = await fetchTimed();
    expect(await answer.body).toBe('done');
    expect(turns).toEqual(['first handed over', 'first commit durable', 'second may go on']);
  });

  it('answers 503 with an OperationOutcome, and none of the held body, when a commit fails before anything left', async () => {
    const audit = commit();
    handle = (response, hold) => {
      hold(audit.promise);
      response.statusCode = 200;
      response.setHeader('Content-Type', 'application/fhir+json');
      response.setHeader('ETag', 'W/"3"');
      response.end('{"resourceType":"Patient","id":"secret"}');
      audit.reject(new Error('audit store down'));
    };
    const { status, headers, body } = await fetchTimed();
    expect(status).toBe(503);
    expect(headers['etag']).toBeUndefined();
    expect(headers['x-correlation-id']).toBe('c-1');
    const text = await body;
    expect(text).not.toContain('secret');
    expect(JSON.parse(text)).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ code: 'transient' }] });
    expect(failures.pop()).toEqual(new Error('audit store down'));
  });

  it('cuts a stream whose headers had already left when a later commit fails', async () => {
    const later = commit();
    handle = (response, hold) => {
      response.write('page 1;');
      void tick().then(() => {
        hold(later.promise);
        response.write('page 2 (never sent);');
        later.reject(new Error('audit store down'));
      });
    };
    const answer = await fetchTimed();
    await expect(answer.body).rejects.toThrow();
    expect(answer.chunks.join('')).toBe('page 1;');
  });
});

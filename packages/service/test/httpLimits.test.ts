// Answers Node's HTTP parser gives before any route runs (over-long headers) come in the one error shape,
// over a real socket (app.inject bypasses the parser).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestService, type TestService } from './helpers.ts';

function get(port: number, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/healthz', headers }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('HTTP limits over a socket', () => {
  let s: TestService;
  let port: number;
  before(async () => {
    s = await startTestService('sqlite');
    await s.app.listen({ host: '127.0.0.1', port: 0 });
    port = (s.app.server.address() as AddressInfo).port;
  });
  after(async () => {
    await s?.close();
  });

  it('answers headers over 16 KiB with 431 in the one error shape', async () => {
    const res = await get(port, { 'x-padding': 'p'.repeat(20_000) });
    assert.equal(res.status, 431, res.body);
    assert.deepEqual(JSON.parse(res.body), {
      error: 'request headers are larger than the limit of 16 KiB',
      code: 'invalid_request',
    });
    assert.equal((await get(port, {})).status, 200, 'the server still answers');
  });
});

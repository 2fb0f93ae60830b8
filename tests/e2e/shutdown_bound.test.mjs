// Shutdown is bounded even when an actor is blocked in a call that cannot be interrupted: the drain gives up after
// MEMORY_MCP_SHUTDOWN_TIMEOUT_MS, the actors get 3 s, the actor system 2 s, then the process exits with status 1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RawServer, serverEnv, pollUntil, withTimeout } from './helpers.mjs';

test('SIGTERM with the store blocked for 60 s exits within the documented bound, status 1', async () => {
  const s = new RawServer({ env: serverEnv({ MEMORY_MCP_SHUTDOWN_TIMEOUT_MS: '200' }) });
  try {
    await s.initialize();
    s.send({ jsonrpc: '2.0', id: 'slow', method: 'tools/call', params: { name: 'debug_sleep', arguments: { ms: 60000 } } });
    await pollUntil(async () => (await s.request('ping')).result, { what: 'server answering while the store sleeps' });
    const started = Date.now();
    s.child.kill('SIGTERM');
    const exit = await withTimeout(s.exited, 15000, 'bounded exit');
    const seconds = (Date.now() - started) / 1000;
    assert.equal(exit.code, 1);
    assert.ok(seconds < 8, `exited after ${seconds} s`);
    assert.match(s.stderr, /in-flight requests did not finish in time/);
    assert.match(s.stderr, /actors did not stop within 3000 ms: episode_store/);
  } finally {
    await s.dispose();
  }
});

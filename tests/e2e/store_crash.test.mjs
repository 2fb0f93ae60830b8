// A crash of the episode store while calls wait for their group commit: every waiting caller gets an answer
// promptly ("unavailable, nothing was written") instead of waiting forever, and the store comes back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectSdk, serverEnv, sleep, withTimeout, pollUntil, byName } from './helpers.mjs';

test('calls in flight when the store crashes are answered, then the store serves again', async () => {
  const h = await connectSdk({ env: serverEnv({ MCP_RATE_LIMIT_ENABLED: 'false' }) });
  try {
    // The sleep holds the store; the creates queue behind it in the same commit group.
    const slow = h.client.callTool({ name: 'debug_sleep', arguments: { ms: 600, steps: 6 } });
    const creates = [];
    for (let i = 0; i < 5; i++)
      creates.push(h.client.callTool({ name: 'create_episode', arguments: { task_description: `t${i}`, domain: 'd', task_type: 'testing' } }));
    await sleep(100);
    const crash = await h.client.callTool({ name: 'debug_crash', arguments: { actor: 'episode_store' } });
    assert.deepEqual(crash.structuredContent, { crashed: 'episode_store' });

    const results = await withTimeout(Promise.all([slow, ...creates]), 5000, 'answers after the store crashed');
    const created = [];
    for (const r of results) {
      if (r.isError) assert.match(r.content[0].text, /unavailable|nothing was (done|written)/);
      else if (r.structuredContent.episode_id) created.push(r.structuredContent.episode_id);
    }
    // Whatever was acknowledged is stored; whatever was refused is not.
    await pollUntil(async () => {
      const hc = await h.client.callTool({ name: 'health_check', arguments: {} });
      const c = byName(hc.structuredContent.components).episode_store;
      return c.state === 'running' && c.restarts === 1;
    }, { what: 'episode_store restarted' });
    const listed = await h.client.callTool({ name: 'list_episodes', arguments: { limit: 50 } });
    assert.deepEqual(listed.structuredContent.episodes.map((e) => e.episode_id).sort(), created.sort());
    const after = await h.client.callTool({ name: 'create_episode', arguments: { task_description: 'after', domain: 'd', task_type: 'testing' } });
    assert.notEqual(after.isError, true);
  } finally {
    await h.dispose();
  }
});

// query_memory through the official SDK client: multi-word and partial queries, context ranking vs filtering,
// deletes leave the index, results survive a restart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectSdk, serverEnv, tempDir } from './helpers.mjs';

async function call(client, name, args) {
  const r = await client.callTool({ name, arguments: args });
  assert.notEqual(r.isError, true, r.content?.[0]?.text);
  return r.structuredContent;
}

async function record(client, { description, domain, task_type, language, steps, outcome }) {
  const { episode_id } = await call(client, 'create_episode', { task_description: description, domain, task_type, ...(language ? { language } : {}) });
  for (const [i, [tool, action, result]] of steps.entries())
    await call(client, 'add_episode_step', { episode_id, step_number: i + 1, tool, action, result });
  const extra = outcome === 'failure' ? { reason: 'gave up' } : { verdict: 'done' };
  await call(client, 'complete_episode', { episode_id, outcome_type: outcome, ...extra });
  return episode_id;
}

test('query_memory finds relevant completed episodes and ranks them', async () => {
  const dir = tempDir('mm-query-');
  const env = serverEnv({ MEMORY_DATA_DIR: dir, MCP_RATE_LIMIT_ENABLED: 'false' });
  let h = await connectSdk({ env });
  const ids = {};
  try {
    const c = h.client;
    ids.flaky = await record(c, { description: 'Fix flaky login test in CI', domain: 'web', task_type: 'debugging', language: 'python',
      steps: [['pytest', 'run the login tests', { type: 'error', message: 'TimeoutError waiting for element' }],
              ['editor', 'add an explicit wait for the login button', { type: 'success', output: 'patched' }]], outcome: 'success' });
    ids.pagination = await record(c, { description: 'Add pagination to the users API', domain: 'web', task_type: 'code_generation', language: 'rust',
      steps: [['cargo', 'build the users endpoint', { type: 'success' }]], outcome: 'success' });
    ids.leak = await record(c, { description: 'Investigate memory leak in the worker', domain: 'backend', task_type: 'debugging', language: 'go',
      steps: [['pprof', 'heap profile of the worker', { type: 'success', output: 'leak in the cache map' }]], outcome: 'failure' });
    ids.docs = await record(c, { description: 'Document the login flow', domain: 'docs', task_type: 'documentation',
      steps: [['editor', 'write login.md', { type: 'success' }]], outcome: 'success' });
    // In progress: never returned.
    await call(c, 'create_episode', { task_description: 'Fix the login page layout', domain: 'web', task_type: 'debugging' });

    // Multi-word: every episode mentioning any term is a candidate; the one matching most terms ranks first.
    let r = await call(c, 'query_memory', { query: 'flaky login test timeout' });
    assert.equal(r.episodes[0].episode_id, ids.flaky);
    assert.ok(r.episodes.some((e) => e.episode_id === ids.docs), 'a partial match is still returned');
    assert.ok(!r.episodes.some((e) => e.episode_id === ids.pagination));
    assert.ok(r.episodes[0].score > r.episodes[1].score);
    assert.deepEqual(Object.keys(r.episodes[0].score_breakdown).sort(), ['context', 'outcome', 'recency', 'text']);
    assert.equal(r.insights.returned, r.episodes.length);

    // Partial words match by prefix; step results and reflections are searchable.
    r = await call(c, 'query_memory', { query: 'paginat' });
    assert.deepEqual(r.episodes.map((e) => e.episode_id), [ids.pagination]);
    r = await call(c, 'query_memory', { query: 'cache map' });
    assert.deepEqual(r.episodes.map((e) => e.episode_id), [ids.leak]);

    // Domain ranks by default and filters only when asked.
    r = await call(c, 'query_memory', { query: 'login', domain: 'docs' });
    assert.equal(r.episodes[0].episode_id, ids.docs);
    assert.equal(r.episodes.length, 2);
    r = await call(c, 'query_memory', { query: 'login', domain: 'docs', filter_by_domain: true });
    assert.deepEqual(r.episodes.map((e) => e.episode_id), [ids.docs]);

    // No terms: the most recent completed episodes; limit and full episodes.
    r = await call(c, 'query_memory', { query: '', limit: 2, sort: 'newest', full: true });
    assert.deepEqual(r.episodes.map((e) => e.episode_id), [ids.docs, ids.leak]);
    assert.equal(r.episodes[0].episode.steps.length, 1);

    r = await call(c, 'query_memory', { query: 'xyzzy plugh' });
    assert.deepEqual(r.episodes, []);
    assert.match(r.message, /no completed episode mentions/);

    const bad = await c.callTool({ name: 'query_memory', arguments: { query: 'x', filter_by_domain: true } });
    assert.equal(bad.isError, true);
    assert.match(bad.content[0].text, /arguments\.filter_by_domain: needs arguments\.domain/);

    // A deleted episode leaves the index.
    await call(c, 'delete_episode', { episode_id: ids.docs, confirm: true });
    r = await call(c, 'query_memory', { query: 'login' });
    assert.ok(!r.episodes.some((e) => e.episode_id === ids.docs));
  } finally {
    await h.dispose();
  }
  // The index is durable: a new process answers the same query.
  h = await connectSdk({ env });
  try {
    const r = await call(h.client, 'query_memory', { query: 'flaky login' });
    assert.equal(r.episodes[0].episode_id, ids.flaky);
  } finally {
    await h.dispose();
  }
});

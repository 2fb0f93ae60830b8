// Replication to a real Turso server (tursodb --sync-server) behind nginx terminating TLS with a CA made here
// and checking the bearer token: every kind of change arrives and the remote rows equal the local rows; the
// remote stopped under write load (clients see no error, the outbox grows, then drains); SIGKILL mid-sync;
// two servers on one remote; token rotation with SIGHUP; http:// refused; a wrong CA or host name refused;
// mTLS.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

import { RawServer, pollUntil, runToExit, serverEnv, tempDir } from './helpers.mjs';
import { compareWithRemote, localRows, remoteStack } from './turso_helpers.mjs';

// A server replicating to `stack`, with HTTP (metrics, readiness) on a free port and a file audit log.
async function replicaServer(stack, { dataDir = path.join(tempDir('mm-replica-'), 'data'), extra = {} } = {}) {
  const audit = path.join(path.dirname(dataDir), 'audit.log');
  const env = serverEnv({
    MEMORY_DATA_DIR: dataDir,
    MEMORY_MCP_HTTP_ADDR: '127.0.0.1:0',
    MCP_RATE_LIMIT_ENABLED: 'false',
    AUDIT_LOG_ENABLED: 'true',
    AUDIT_LOG_DESTINATION: 'file',
    AUDIT_LOG_FILE_PATH: audit,
    TURSO_DATABASE_URL: stack.url,
    TURSO_AUTH_TOKEN: stack.token,
    TURSO_CA_CERT_PATH: stack.certs.ca,
    MEMORY_MCP_SYNC_INTERVAL_MS: '100',
    ...extra,
  });
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  const s = new RawServer({ env });
  await s.initialize();
  const port = await s.httpPort();
  return { s, port, dataDir, db: path.join(dataDir, 'memory.db'), audit };
}

async function tool(s, name, args) {
  const r = await s.callTool(name, args, { timeoutMs: 20000 });
  assert.ok(r.result && !r.result.isError, `${name}: ${JSON.stringify(r.error ?? r.result)}`);
  return r.result.structuredContent;
}

async function metric(port, name, labels = '') {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return line === undefined ? undefined : Number(line.split(' ')[1]);
}

// The outbox is empty: read from the database itself (the metric is as fresh as the syncer's last report,
// which may predate the last write).
const drained = (db) => pollUntil(async () => (await localRows(db, 'SELECT COUNT(*) AS n FROM sync_outbox'))[0].n === 0,
  { timeoutMs: 30000, what: 'the outbox to drain' });

async function assertReplicated(db, turso) {
  const tables = await compareWithRemote(db, turso);
  for (const [table, { local, remote }] of Object.entries(tables)) assert.deepEqual(remote, local, `table ${table}`);
  return tables;
}

// An episode with `steps` successful steps, completed.
async function episode(s, description, steps = 3, domain = 'web') {
  const { episode_id } = await tool(s, 'create_episode', { task_description: description, domain, task_type: 'debugging' });
  for (let i = 1; i <= steps; i++)
    await tool(s, 'add_episode_step', { episode_id, step_number: i, tool: ['grep', 'edit_file', 'run_tests'][i % 3], action: `step ${i}`,
      result: { type: 'success', output: 'ok' } });
  await tool(s, 'complete_episode', { episode_id, outcome_type: 'success', verdict: 'done' });
  return episode_id;
}

test('every kind of change reaches Turso and the remote rows equal the local rows', async () => {
  const stack = await remoteStack();
  const { s, port, db } = await replicaServer(stack);
  try {
    const a = await episode(s, 'fix the login redirect');
    const b = await episode(s, 'add pagination to users', 2);
    const c = await episode(s, 'to be deleted', 1);
    await tool(s, 'update_episode', { episode_id: a, description: 'fix the login redirect loop', metadata: { ticket: 'T-1' } });
    await tool(s, 'add_episode_tags', { episode_id: a, tags: ['auth', 'bug', 'urgent'] });
    await tool(s, 'remove_episode_tags', { episode_id: a, tags: ['urgent'] });
    await tool(s, 'set_episode_tags', { episode_id: b, tags: ['api'] });
    const rel = await tool(s, 'add_episode_relationship', { from_episode_id: a, to_episode_id: b, relationship_type: 'depends_on' });
    const rel2 = await tool(s, 'add_episode_relationship', { from_episode_id: b, to_episode_id: c, relationship_type: 'related_to' });
    await tool(s, 'remove_episode_relationship', { relationship_id: rel2.relationship_id });
    const rec = await tool(s, 'recommend_patterns', { task_description: 'fix login', domain: 'web', episode_id: b });
    await tool(s, 'record_recommendation_feedback', { session_id: rec.attribution.session_id, outcome: { type: 'success' },
      applied_pattern_ids: rec.results.slice(0, 1).map((p) => p.pattern_id) });
    await tool(s, 'delete_episode', { episode_id: c, confirm: true });
    await drained(db);
    const tables = await assertReplicated(db, stack.turso);
    assert.equal(tables.episodes.local.length, 2);
    assert.equal(tables.steps.local.length, 5);
    assert.deepEqual(tables.episode_tags.local.length, 3);
    assert.equal(tables.episode_relationships.local.length, 1);
    assert.ok(tables.episode_relationships.local[0].includes(rel.relationship_id));
    assert.equal(tables.recommendation_sessions.local.length, 1);
    assert.equal(tables.recommendation_feedback.local.length, 1);
    assert.ok(tables.pattern_feedback.local.length >= 1);
    // The deleted episode is gone remotely and stays deleted (tombstone).
    assert.deepEqual(await stack.turso.sql('SELECT COUNT(*) FROM episodes WHERE episode_id = ?', [c]), [[0]]);
    assert.deepEqual(await stack.turso.sql("SELECT COUNT(*) FROM mm_tombstones WHERE tbl = 'episodes'"), [[1]]);
    assert.ok(await metric(port, 'memory_mcp_sync_pushed_changes_total') > 0);
    assert.ok(await metric(port, 'memory_mcp_sync_last_success_timestamp_seconds') > Date.now() / 1000 - 60);
    const ready = await (await fetch(`http://127.0.0.1:${port}/ready`)).json();
    assert.deepEqual(ready, { status: 'ready', sync: 'running' });
    assert.equal((await s.closeStdin(10000)).code, 0);
  } finally {
    await s.dispose();
    await stack.stop();
  }
});

test('Turso stopped under write load: no client error, the outbox grows, then drains and converges', async () => {
  const stack = await remoteStack();
  const { s, port, db } = await replicaServer(stack);
  try {
    await episode(s, 'before the outage');
    await drained(db);
    await stack.turso.stop();
    // Writes keep succeeding while the remote is down.
    const ids = [];
    for (let i = 0; i < 40; i++) ids.push(await episode(s, `during the outage ${i}`, 3));
    await pollUntil(async () => (await metric(port, 'memory_mcp_sync_outbox_depth')) > 100, { what: 'the outbox to grow' });
    await pollUntil(async () => (await (await fetch(`http://127.0.0.1:${port}/ready`)).json()).sync === 'degraded',
      { timeoutMs: 15000, what: '/ready to report sync degraded' });
    const ready = await fetch(`http://127.0.0.1:${port}/ready`);
    assert.equal(ready.status, 200, 'the server stays ready: agents keep working locally');
    assert.ok(await metric(port, 'memory_mcp_sync_errors_total', '{kind="http"}') > 0, 'nginx answers 502 while Turso is down');
    assert.ok(await metric(port, 'memory_mcp_sync_lag_seconds') > 0);
    await pollUntil(async () => (await metric(port, 'memory_mcp_sync_circuit_open')) === 1,
      { timeoutMs: 15000, what: 'the circuit to open after three failed cycles' });
    const health = await s.health();
    assert.equal(health.components.find((c) => c.name === 'turso_syncer').state, 'degraded');
    await stack.turso.start();
    await drained(db);
    await pollUntil(async () => (await (await fetch(`http://127.0.0.1:${port}/ready`)).json()).sync === 'running',
      { timeoutMs: 15000, what: 'sync to recover' });
    assert.equal(await metric(port, 'memory_mcp_sync_circuit_open'), 0, 'a successful probe closed the circuit');
    const tables = await assertReplicated(db, stack.turso);
    assert.equal(tables.episodes.local.length, 41);
    assert.equal(tables.steps.local.length, 123);
  } finally {
    await s.dispose();
    await stack.stop();
  }
});

test('SIGKILL in the middle of syncing: after a restart everything still converges', async () => {
  const stack = await remoteStack();
  const dataDir = path.join(tempDir('mm-replica-'), 'data');
  let { s, port, db } = await replicaServer(stack, { dataDir, extra: { MEMORY_MCP_SYNC_BATCH_ROWS: '20' } });
  try {
    // Enough acknowledged writes that shipping them takes many batches.
    const pending = [];
    for (let i = 0; i < 30; i++) {
      const { episode_id } = await tool(s, 'create_episode', { task_description: `load ${i}`, domain: 'data', task_type: 'analysis' });
      for (let n = 1; n <= 10; n++)
        pending.push(s.callTool('add_episode_step', { episode_id, step_number: n, tool: 'sql', action: `query ${n}` }));
    }
    for (const r of await Promise.all(pending)) assert.ok(r.result && !r.result.isError);
    await pollUntil(async () => (await metric(port, 'memory_mcp_sync_pushed_changes_total')) > 0, { what: 'the first batch' });
    s.child.kill('SIGKILL');
    await s.exited;
    ({ s, port, db } = await replicaServer(stack, { dataDir, extra: { MEMORY_MCP_SYNC_BATCH_ROWS: '20' } }));
    await drained(db);
    const tables = await assertReplicated(db, stack.turso);
    assert.equal(tables.episodes.local.length, 30);
    assert.equal(tables.steps.local.length, 300);
  } finally {
    await s.dispose();
    await stack.stop();
  }
});

test('two servers on one Turso database see each other\'s episodes and patterns within seconds', async () => {
  const stack = await remoteStack();
  const one = await replicaServer(stack);
  const two = await replicaServer(stack);
  try {
    const a = await episode(one.s, 'fix the flaky checkout test', 3, 'shop');
    const got = await pollUntil(async () => {
      const r = await two.s.callTool('get_episode', { episode_id: a });
      return !r.result.isError && r.result.structuredContent;
    }, { timeoutMs: 10000, what: 'server two to see server one\'s episode' });
    assert.equal(got.episode.status, 'completed');
    assert.equal(got.episode.steps.length, 3);
    const b = await episode(two.s, 'speed up the checkout page', 3, 'shop');
    await pollUntil(async () => !(await one.s.callTool('get_episode', { episode_id: b })).result.isError,
      { timeoutMs: 10000, what: 'server one to see server two\'s episode' });
    // Patterns are derived locally from the replicated episodes: both servers hold the same evidence.
    const rec = async (s) => (await tool(s, 'analyze_patterns', { domain: 'shop', min_success_rate: 0 })).patterns
      .map((p) => `${p.pattern_id}:${p.occurrences}`).sort();
    await pollUntil(async () => JSON.stringify(await rec(one.s)) === JSON.stringify(await rec(two.s)) && (await rec(one.s)).length > 0,
      { timeoutMs: 10000, what: 'the same patterns on both servers' });
    const q = await tool(two.s, 'query_memory', { query: 'checkout', domain: 'shop' });
    assert.deepEqual(q.episodes.map((e) => e.episode_id).sort(), [a, b].sort());
    // A deletion on one server is final on the other.
    await tool(two.s, 'delete_episode', { episode_id: a, confirm: true });
    await pollUntil(async () => (await one.s.callTool('get_episode', { episode_id: a })).result.isError,
      { timeoutMs: 10000, what: 'the deletion to reach server one' });
    await drained(one.db);
    await drained(two.db);
    const t1 = await compareWithRemote(one.db, stack.turso);
    const t2 = await compareWithRemote(two.db, stack.turso);
    for (const table of Object.keys(t1)) {
      assert.deepEqual(t1[table].local, t1[table].remote, `server one, ${table}`);
      assert.deepEqual(t2[table].local, t2[table].remote, `server two, ${table}`);
    }
  } finally {
    await one.s.dispose();
    await two.s.dispose();
    await stack.stop();
  }
});

test('token rotation: refused tokens are audited and counted, nothing is lost, SIGHUP with the new token drains', async () => {
  const stack = await remoteStack('first-token-aaaaaaaaaaaaaaaa');
  const dir = tempDir('mm-rotate-');
  const tokenFile = path.join(dir, 'token');
  fs.writeFileSync(tokenFile, 'first-token-aaaaaaaaaaaaaaaa\n', { mode: 0o600 });
  const envFile = path.join(dir, 'server.env');
  fs.writeFileSync(envFile, `TURSO_AUTH_TOKEN_FILE=${tokenFile}\n`, { mode: 0o600 });
  const { s, port, db, audit } = await replicaServer(stack, {
    dataDir: path.join(dir, 'data'), extra: { TURSO_AUTH_TOKEN: undefined, MEMORY_MCP_ENV_FILE: envFile },
  });
  try {
    await episode(s, 'with the first token');
    await drained(db);
    await stack.nginx.setToken('second-token-bbbbbbbbbbbbbbbb');
    const refused = await episode(s, 'written while the token is refused');
    await pollUntil(async () => (await metric(port, 'memory_mcp_sync_errors_total', '{kind="auth"}')) > 0,
      { timeoutMs: 15000, what: 'an auth error' });
    await pollUntil(async () => (await metric(port, 'memory_mcp_sync_outbox_depth')) > 0, { what: 'the changes to wait in the outbox' });
    await pollUntil(() => fs.readFileSync(audit, 'utf8').includes('"operation":"sync_authentication"'), { what: 'the audit line' });
    const line = fs.readFileSync(audit, 'utf8').split('\n').find((l) => l.includes('sync_authentication'));
    assert.match(line, /"client_id":"turso_syncer".*"operation":"sync_authentication".*"result":"failure"/);
    fs.writeFileSync(tokenFile, 'second-token-bbbbbbbbbbbbbbbb\n');
    s.child.kill('SIGHUP');
    await drained(db);
    await assertReplicated(db, stack.turso);
    assert.deepEqual(await stack.turso.sql('SELECT COUNT(*) FROM episodes WHERE episode_id = ?', [refused]), [[1]]);
    // The tokens never appear in logs or audit lines.
    for (const text of [s.stderr, fs.readFileSync(audit, 'utf8')]) {
      assert.ok(!text.includes('first-token'), 'first token leaked');
      assert.ok(!text.includes('second-token'), 'second token leaked');
    }
  } finally {
    await s.dispose();
    await stack.stop();
  }
});

test('only libsql:// is accepted; a wrong CA or a certificate for another host is refused', async () => {
  for (const url of ['http://localhost:8080', 'https://localhost', 'ws://localhost', 'libsql://', 'libsql://host/path']) {
    const r = await runToExit([], { env: serverEnv({ TURSO_DATABASE_URL: url, TURSO_AUTH_TOKEN: 'x' }) });
    assert.equal(r.code, 2, url);
    assert.match(r.stderr, /TURSO_DATABASE_URL: only libsql:\/\/host\[:port\] is accepted/);
  }
  const stack = await remoteStack();
  const wrongCa = await replicaServer(stack, { extra: { TURSO_CA_CERT_PATH: stack.certs.otherCa } });
  const wrongHost = await replicaServer({ ...stack, url: `libsql://localhost:${stack.nginx.wrongPort}` });
  try {
    await episode(wrongCa.s, 'must not leave over an untrusted connection');
    await episode(wrongHost.s, 'must not leave to the wrong host');
    for (const { port } of [wrongCa, wrongHost])
      await pollUntil(async () => (await metric(port, 'memory_mcp_sync_errors_total', '{kind="tls"}')) > 0,
        { timeoutMs: 15000, what: 'a TLS error' });
    for (const { port } of [wrongCa, wrongHost])
      await pollUntil(async () => (await metric(port, 'memory_mcp_sync_outbox_depth')) > 0, { what: 'the writes to wait in the outbox' });
    assert.deepEqual(await stack.turso.sql("SELECT COUNT(*) FROM sqlite_schema WHERE name = 'episodes'"), [[0]],
      'nothing reached the remote, not even the schema');
  } finally {
    await wrongCa.s.dispose();
    await wrongHost.s.dispose();
    await stack.stop();
  }
});

test('mTLS: with the client certificate the remote accepts the connection, without it refuses', async () => {
  const stack = await remoteStack();
  const url = `libsql://localhost:${stack.nginx.mtlsPort}`;
  const withCert = await replicaServer({ ...stack, url }, {
    extra: { TURSO_TLS_CERT_PATH: stack.certs.client, TURSO_TLS_KEY_PATH: stack.certs.clientKey },
  });
  const without = await replicaServer({ ...stack, url });
  try {
    await episode(withCert.s, 'shipped over mutual TLS');
    await episode(without.s, 'refused without a client certificate');
    await drained(withCert.db);
    await assertReplicated(withCert.db, stack.turso);
    await pollUntil(async () => (await metric(without.port, 'memory_mcp_sync_errors_total', '{kind="http"}')) > 0,
      { timeoutMs: 15000, what: 'nginx to refuse the connection without a client certificate (400)' });
    await pollUntil(async () => (await metric(without.port, 'memory_mcp_sync_outbox_depth')) > 0, { what: 'the writes to wait' });
  } finally {
    await withCert.s.dispose();
    await without.s.dispose();
    await stack.stop();
  }
});

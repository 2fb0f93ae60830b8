// Durability of episode writes against the real binary over raw stdio:
//  (a) SIGKILL mid-load: every write the server acknowledged is present after a restart on the same data dir;
//  (b) two processes on one database file write concurrently without losing or refusing writes, and each reads
//      everything the other wrote;
//  (c) complete_episode works after a restart on an episode (with steps) created before it.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { acked, dataDir, Raw } from './episode_helpers.mjs';

const servers = [];
function start(dir, extra) {
  const s = new Raw(dir, extra);
  servers.push(s);
  return s;
}

test.afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.kill()));
});

// Reads episodes by id in chunks of 100 (the bulk limit); returns Map id -> episode. Fails on any missing id.
async function readAll(server, ids) {
  const out = new Map();
  for (let i = 0; i < ids.length; i += 100) {
    const chunk = ids.slice(i, i + 100);
    const r = await server.tool('bulk_episodes', { episode_ids: chunk });
    assert.deepEqual(r.missing_ids, [], `missing after restart: ${r.missing_ids.join(', ')}`);
    for (const e of r.episodes) out.set(e.episode_id, e);
  }
  return out;
}

// Every episode summary the server lists, through all pages.
async function listAll(server, args = {}) {
  const out = [];
  let cursor = null;
  do {
    const r = await server.tool('list_episodes', { ...args, limit: 200, ...(cursor ? { cursor } : {}) });
    out.push(...r.episodes);
    cursor = r.next_cursor;
  } while (cursor);
  return out;
}

// One crash round: load until `killAfterAcks` writes were acknowledged, SIGKILL, restart, verify.
async function crashRound(t, killAfterAcks) {
  const dir = dataDir();
  const s1 = start(dir);
  await s1.initialize();

  // Episodes that receive steps during the load.
  const base = [];
  for (let i = 0; i < 10; i++) {
    base.push((await s1.tool('create_episode', { task_description: `base ${i}`, domain: 'crash', task_type: 'testing' })).episode_id);
  }

  const sent = new Map();           // request id -> { kind, episode_id?, step_number? }
  const ackedCreates = [];          // episode ids
  const ackedSteps = [];            // [episode_id, step_number]
  const nextStep = new Map(base.map((id) => [id, 1]));
  let inflight = 0;
  const failures = [];
  let killed = false;
  let fired = 0;
  const MAX_INFLIGHT = 300;

  const pump = () => {
    while (!killed && inflight < MAX_INFLIGHT) {
      let id;
      if (fired % 4 === 0) {
        id = s1.fire('tools/call', { name: 'create_episode', arguments: { task_description: `load ${fired}`, domain: 'crash', task_type: 'testing' } });
        sent.set(id, { kind: 'create' });
      } else {
        const ep = base[fired % base.length];
        const n = nextStep.get(ep);
        nextStep.set(ep, n + 1);
        id = s1.fire('tools/call', { name: 'add_episode_step', arguments: { episode_id: ep, step_number: n, tool: 'load', action: `a${n}`, result: { type: 'success', output: 'x'.repeat(200) } } });
        sent.set(id, { kind: 'step', episode_id: ep, step_number: n });
      }
      fired++;
      inflight++;
    }
  };

  const killedAt = new Promise((resolve) => {
    s1.onResponse = (msg) => {
      const req = sent.get(msg.id);
      if (!req || killed) return;
      inflight--;
      if (acked(msg)) {
        if (req.kind === 'create') ackedCreates.push(msg.result.structuredContent.episode_id);
        else ackedSteps.push([req.episode_id, req.step_number]);
      } else {
        failures.push(msg);
      }
      if (ackedCreates.length + ackedSteps.length >= killAfterAcks) {
        killed = true;  // no acknowledgement after this point is counted
        s1.child.kill('SIGKILL');
        resolve();
        return;
      }
      pump();
    };
  });
  pump();
  await Promise.race([killedAt, s1.exited.then(() => { throw new Error(`server exited early; stderr:\n${s1.stderr}`); })]);
  const { signal } = await s1.exited;
  assert.equal(signal, 'SIGKILL');
  assert.deepEqual(failures, [], 'no write failed during the load');
  assert.ok(inflight > 0, 'the kill happened with requests still in flight');

  const s2 = start(dir);
  await s2.initialize();
  const episodes = await readAll(s2, [...base, ...ackedCreates]);
  for (const [ep, n] of ackedSteps) {
    const e = episodes.get(ep);
    assert.ok(e.steps.some((st) => st.step_number === n), `acknowledged step ${n} of ${ep} is missing`);
  }
  // Whatever committed is consistent: no step that was never sent, and each episode's step_count (kept in the
  // episodes row) matches its stored step rows.
  const summaries = new Map((await listAll(s2, { domain: 'crash' })).map((e) => [e.episode_id, e]));
  for (const id of base) {
    const numbers = episodes.get(id).steps.map((st) => st.step_number);
    assert.ok(numbers.every((n) => n < nextStep.get(id)), `${id} has a step that was never sent`);
    assert.equal(summaries.get(id).step_count, numbers.length, `step_count of ${id}`);
  }
  // The restarted server keeps accepting writes on the recovered database.
  const more = await s2.tool('add_episode_step', { episode_id: base[0], step_number: nextStep.get(base[0]), tool: 't', action: 'after restart' });
  assert.equal(more.success, true);
  const stored = [...episodes.values()].reduce((n, e) => n + e.steps.length, 0);
  t.diagnostic(`kill after ${killAfterAcks} acks: ${fired} sent, ${inflight} in flight at the kill, ` +
    `${ackedCreates.length} creates + ${ackedSteps.length} steps acknowledged, ${stored} steps stored`);
  await s2.kill();
}

test('(a) every acknowledged write survives SIGKILL in the middle of a pipelined load', async (t) => {
  for (const n of [300, 900, 1700]) await crashRound(t, n);
});

test('(b) two processes on one database write concurrently; nothing is lost or refused; each reads the other', async () => {
  const dir = dataDir();
  // Create the database first so both processes open an existing WAL file (see the fresh-start test below).
  const init = start(dir);
  await init.initialize();
  await init.closeStdin();

  const [p1, p2] = [start(dir), start(dir)];
  await Promise.all([p1.initialize(), p2.initialize()]);

  const PER_PROCESS = 200;
  async function writeMany(server, label) {
    const errors = [];
    const ids = [];
    const creates = await Promise.all(Array.from({ length: PER_PROCESS }, (_, i) => server.request('tools/call', {
      name: 'create_episode', arguments: { task_description: `${label} ${i}`, domain: `two-${label}`, task_type: 'testing' },
    }, { timeoutMs: 60000 })));
    for (const r of creates) {
      if (acked(r)) ids.push(r.result.structuredContent.episode_id);
      else errors.push(r);
    }
    const steps = await Promise.all(ids.flatMap((id) => [1, 2].map((n) => server.request('tools/call', {
      name: 'add_episode_step', arguments: { episode_id: id, step_number: n, tool: label, action: `step ${n}` },
    }, { timeoutMs: 60000 }))));
    for (const r of steps) if (!acked(r)) errors.push(r);
    return { ids, errors };
  }
  const [w1, w2] = await Promise.all([writeMany(p1, 'one'), writeMany(p2, 'two')]);
  assert.deepEqual(w1.errors, [], 'process 1 had refused writes');
  assert.deepEqual(w2.errors, [], 'process 2 had refused writes');
  assert.equal(w1.ids.length, PER_PROCESS);
  assert.equal(w2.ids.length, PER_PROCESS);

  for (const [reader, ids, label] of [[p1, w2.ids, 'two'], [p2, w1.ids, 'one']]) {
    const seen = await readAll(reader, ids);
    for (const id of ids) {
      assert.deepEqual(seen.get(id).steps.map((st) => [st.step_number, st.tool]), [[1, label], [2, label]]);
    }
    const listed = (await listAll(reader, { domain: `two-${label}` })).map((e) => e.episode_id);
    assert.deepEqual(new Set(listed), new Set(ids));
  }
  for (const p of [p1, p2]) assert.doesNotMatch(p.stderr, /database is locked|restarted episode_store/);
});

// Processes opening a brand-new data directory at the same moment race on "PRAGMA journal_mode=WAL" (SQLite answers
// SQLITE_BUSY without the busy timeout); open_database retries it, so every process starts.
test('(b2) processes starting together on a fresh data directory all start', async () => {
  for (let round = 0; round < 20; round++) {
    const dir = dataDir();
    const group = [start(dir), start(dir), start(dir)];
    await Promise.all(group.map((p) => p.initialize()));
    const made = await Promise.all(group.map((p, i) => p.tool('create_episode', { task_description: `p${i}`, domain: 'fresh', task_type: 'other' })));
    assert.ok(made.every((m) => m.episode_id));
    for (const p of group) assert.doesNotMatch(p.stderr, /database is locked|restarted episode_store/, p.stderr);
    await Promise.all(group.map((p) => p.kill()));
  }
});

test('(c) complete_episode after a restart scores the steps recorded before it', async () => {
  const dir = dataDir();
  const s1 = start(dir);
  await s1.initialize();
  const { episode_id: id } = await s1.tool('create_episode', { task_description: 'survives restarts', domain: 'restart', task_type: 'debugging', language: 'rust' });
  await s1.tool('add_episode_step', { episode_id: id, step_number: 1, tool: 'cargo', action: 'build', result: { type: 'error', message: 'E0308' } });
  await s1.tool('add_episode_step', { episode_id: id, step_number: 2, tool: 'editor', action: 'fix types', result: { type: 'success', output: 'ok' } });
  await s1.kill('SIGKILL');

  const s2 = start(dir);
  await s2.initialize();
  await s2.tool('add_episode_step', { episode_id: id, step_number: 3, tool: 'cargo', action: 'test', result: { type: 'success', output: 'ok' } });
  const done = await s2.tool('complete_episode', { episode_id: id, outcome_type: 'success', verdict: 'builds and passes' });
  assert.equal(done.reward.base, 1);
  assert.ok(done.reflection.successes.includes('Recovered from 1 failed step(s)'), JSON.stringify(done.reflection));
  assert.ok(done.reflection.insights.some((s) => s.includes('took 3 step(s)')));
  assert.ok(done.reflection.insights.includes('Language: rust'));
  await s2.closeStdin();  // a clean shutdown this time

  const s3 = start(dir);
  await s3.initialize();
  const { episode } = await s3.tool('get_episode', { episode_id: id });
  assert.equal(episode.status, 'completed');
  assert.deepEqual(episode.reward, done.reward);
  assert.equal(episode.steps.length, 3);
  const again = await s3.request('tools/call', { name: 'complete_episode', arguments: { episode_id: id, outcome_type: 'failure', reason: 'x' } });
  assert.equal(again.result?.isError, true);
  assert.match(again.result.content[0].text, /already completed/);
});

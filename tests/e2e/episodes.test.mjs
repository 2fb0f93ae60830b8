// End-to-end tests of the episodic-memory capability through the official MCP SDK client over stdio: every
// episode, tag and relationship tool's happy path and error paths, list pagination, MCP resources, and the write
// rate limit. Every successful call is checked against the tool's outputSchema by the SDK (see connect()).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { ListResourcesResultSchema } from '@modelcontextprotocol/sdk/types.js';

import { connect, dataDir, fails, ok, pollUntil, Raw } from './episode_helpers.mjs';

const UNKNOWN = '00000000-0000-4000-8000-000000000000';

const EPISODE_TOOLS = [
  'create_episode', 'add_episode_step', 'complete_episode', 'get_episode', 'update_episode', 'delete_episode',
  'get_episode_timeline', 'bulk_episodes', 'list_episodes', 'add_episode_tags', 'remove_episode_tags',
  'set_episode_tags', 'get_episode_tags', 'search_episodes_by_tags', 'add_episode_relationship',
  'remove_episode_relationship', 'get_episode_relationships', 'find_related_episodes', 'check_relationship_exists',
  'get_dependency_graph', 'validate_no_cycles', 'get_topological_order',
];

let srv;
let client;
let seq = 0;

// A new episode in its own domain unless one is given; returns its id.
async function create(extra = {}) {
  const r = await ok(client, 'create_episode', {
    task_description: `task ${++seq}`, domain: 'e2e', task_type: 'debugging', ...extra,
  });
  assert.match(r.episode_id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  return r.episode_id;
}

const step = (episode_id, step_number, extra = {}) =>
  ok(client, 'add_episode_step', { episode_id, step_number, tool: 'shell', action: `step ${step_number}`, ...extra });

before(async () => {
  srv = await connect(dataDir());
  client = srv.client;
});

after(async () => {
  await srv?.close();
});

describe('catalog', () => {
  test('every episode tool is listed with an input and an output schema', () => {
    const byName = new Map(srv.tools.map((t) => [t.name, t]));
    for (const name of EPISODE_TOOLS) {
      const t = byName.get(name);
      assert.ok(t, `tool ${name} is missing`);
      assert.equal(t.inputSchema.type, 'object', name);
      assert.equal(t.outputSchema?.type, 'object', `${name} has no outputSchema`);
      assert.ok(t.description.length > 10, name);
    }
    assert.equal(byName.get('delete_episode').annotations?.destructiveHint, true);
    assert.equal(byName.get('get_episode').annotations?.readOnlyHint, true);
  });
});

describe('episode lifecycle', () => {
  test('create, add steps of every result kind, read, timeline, complete with reward and reflection', async () => {
    const created = await ok(client, 'create_episode', {
      task_description: 'Fix flaky login test', domain: 'web', task_type: 'debugging', language: 'python',
      framework: 'pytest', complexity: 'complex', tags: ['Auth', ' ci ', 'auth'], metadata: { ticket: 'T-1' },
    });
    const id = created.episode_id;
    assert.equal(created.success, true);
    assert.equal(created.task_description, 'Fix flaky login test');
    assert.ok(!Number.isNaN(Date.parse(created.start_time)));

    const s1 = await step(id, 1, { tool: 'pytest', result: { type: 'error', message: 'timeout in login' }, latency_ms: 1500 });
    assert.equal(s1.step_count, 1);
    await step(id, 2, { tool: 'editor', parameters: { file: 'test_login.py', line: 42 }, result: { type: 'success', output: 'edited' }, tokens_used: 300 });
    await step(id, 3, { tool: 'pytest', result: { type: 'timeout' } });
    const s4 = await step(id, 4, { tool: 'pytest' });  // no result recorded
    assert.equal(s4.step_count, 4);

    const { episode: e } = await ok(client, 'get_episode', { episode_id: id });
    assert.equal(e.status, 'in_progress');
    assert.equal(e.end_time, null);
    assert.deepEqual(e.context, { domain: 'web', language: 'python', framework: 'pytest', complexity: 'complex', tags: ['auth', 'ci'] });
    assert.deepEqual(e.metadata, { ticket: 'T-1' });
    assert.deepEqual(e.steps.map((s) => s.step_number), [1, 2, 3, 4]);
    assert.deepEqual(e.steps[0].result, { type: 'error', message: 'timeout in login' });
    assert.deepEqual(e.steps[1].result, { type: 'success', output: 'edited' });
    assert.deepEqual(e.steps[1].parameters, { file: 'test_login.py', line: 42 });
    assert.equal(e.steps[1].tokens_used, 300);
    assert.deepEqual(e.steps[2].result, { type: 'timeout' });
    assert.equal(e.steps[3].result, null);
    assert.equal(e.steps[0].latency_ms, 1500);

    const t1 = await ok(client, 'get_episode_timeline', { episode_id: id });
    assert.deepEqual(t1.timeline.map((s) => s.result_type), ['error', 'success', 'timeout', 'pending']);
    assert.equal(t1.duration_seconds, null);
    assert.equal(t1.outcome, null);
    assert.equal(t1.step_count, 4);

    const done = await ok(client, 'complete_episode', {
      episode_id: id, outcome_type: 'success', verdict: 'login test is stable', artifacts: ['test_login.py'],
    });
    assert.equal(done.outcome_type, 'success');
    assert.equal(done.reward.base, 1);
    assert.equal(done.reward.complexity_bonus, 1.2);
    assert.ok(done.reward.total > 0);
    const r = done.reward;
    assert.ok(Math.abs(r.total - (Math.max(0, r.base + r.abstention) * r.efficiency * r.complexity_bonus * r.quality_multiplier + r.learning_bonus)) < 1e-9);
    assert.equal(done.reflection.successes[0], 'Completed the task: login test is stable');
    assert.ok(done.reflection.improvements.some((s) => s.includes('3 of 4 steps did not succeed')), JSON.stringify(done.reflection));
    for (const list of ['successes', 'improvements', 'insights']) assert.ok(done.reflection[list].length <= 5);

    const { episode: after } = await ok(client, 'get_episode', { episode_id: id });
    assert.equal(after.status, 'completed');
    assert.equal(after.end_time, done.end_time);
    assert.deepEqual(after.reward, done.reward);
    assert.deepEqual(after.reflection, done.reflection);
    assert.deepEqual(after.outcome, { type: 'success', verdict: 'login test is stable', artifacts: ['test_login.py'] });

    const t2 = await ok(client, 'get_episode_timeline', { episode_id: id });
    assert.equal(t2.outcome, 'success');
    assert.ok(t2.duration_seconds >= 0);
    assert.equal(t2.end_time, done.end_time);
  });

  test('create_episode refuses missing and invalid fields, naming them', async () => {
    await fails(client, 'create_episode', { task_description: 'x', task_type: 'debugging' }, /arguments\.domain/);
    await fails(client, 'create_episode', { task_description: 'x', domain: 'd', task_type: 'cooking' }, /arguments\.task_type/);
    await fails(client, 'create_episode', { task_description: '', domain: 'd', task_type: 'other' }, /arguments\.task_description/);
    await fails(client, 'create_episode', { task_description: 'x'.repeat(10001), domain: 'd', task_type: 'other' }, /task_description.*10000/);
    await fails(client, 'create_episode', { task_description: 'x', domain: 'd', task_type: 'other', complexity: 'huge' }, /arguments\.complexity/);
    await fails(client, 'create_episode', { task_description: 'x', domain: 'd', task_type: 'other', tags: ['ok', 'bad tag'] }, /arguments\.tags\[1\]/);
    await fails(client, 'create_episode', { task_description: 'x', domain: 'd', task_type: 'other', metadata: { n: 1 } }, /arguments\.metadata/);
  });

  test('add_episode_step errors: unknown episode, bad id, duplicate step, completed episode, bad values', async () => {
    const id = await create();
    await step(id, 1);
    await fails(client, 'add_episode_step', { episode_id: UNKNOWN, step_number: 1, tool: 't', action: 'a' }, new RegExp(`no episode with id ${UNKNOWN}`));
    await fails(client, 'add_episode_step', { episode_id: 'not-a-uuid', step_number: 1, tool: 't', action: 'a' }, /arguments\.episode_id.*UUID/);
    await fails(client, 'add_episode_step', { episode_id: id, step_number: 1, tool: 't', action: 'again' }, /arguments\.step_number.*already has step 1/);
    await fails(client, 'add_episode_step', { episode_id: id, step_number: 0, tool: 't', action: 'a' }, /arguments\.step_number/);
    await fails(client, 'add_episode_step', { episode_id: id, step_number: 1001, tool: 't', action: 'a' }, /arguments\.step_number.*1000/);
    await fails(client, 'add_episode_step', { episode_id: id, step_number: 2, tool: 't', action: 'a', result: { type: 'maybe' } }, /arguments\.result\.type/);
    await fails(client, 'add_episode_step', { episode_id: id, step_number: 2, tool: 't', action: 'a', latency_ms: -1 }, /arguments\.latency_ms/);
    await fails(client, 'add_episode_step', { episode_id: id, step_number: 2, tool: '', action: 'a' }, /arguments\.tool/);
    const { episode } = await ok(client, 'get_episode', { episode_id: id });
    assert.equal(episode.steps.length, 1, 'refused steps left nothing behind');
    assert.equal(episode.steps[0].action, 'step 1');

    await ok(client, 'complete_episode', { episode_id: id, outcome_type: 'failure', reason: 'gave up' });
    await fails(client, 'add_episode_step', { episode_id: id, step_number: 2, tool: 't', action: 'a' }, /was completed at .*steps can no longer be added/);
  });

  test('an episode takes 1000 steps and refuses the next (pipelined)', async () => {
    const id = await create();
    for (let start = 1; start <= 1000; start += 200) {
      const chunk = [];
      for (let n = start; n < start + 200; n++) chunk.push(step(id, n, { tool: `t${n % 7}`, result: { type: 'success', output: '' } }));
      await Promise.all(chunk);
    }
    const t = await ok(client, 'get_episode_timeline', { episode_id: id });
    assert.equal(t.step_count, 1000);
    assert.deepEqual(t.timeline.map((s) => s.step_number), Array.from({ length: 1000 }, (_, i) => i + 1));
    await fails(client, 'add_episode_step', { episode_id: id, step_number: 1000, tool: 't', action: 'a' }, /maximum of 1000 steps/);
    const done = await ok(client, 'complete_episode', { episode_id: id, outcome_type: 'success', verdict: 'long run' });
    assert.ok(done.reflection.improvements.some((s) => s.includes('Many steps (1000)')));
  });

  test('complete_episode: every outcome type, required fields, unknown and completed episodes', async () => {
    const partial = await create();
    const p = await ok(client, 'complete_episode', { episode_id: partial, outcome_type: 'partial_success', verdict: 'half', completed: ['a', 'b', 'c'], failed: ['d'] });
    assert.equal(p.reward.base, 0.75);
    assert.ok(p.reflection.improvements.includes('Unfinished subtasks: d'));

    const failure = await create();
    const f = await ok(client, 'complete_episode', { episode_id: failure, outcome_type: 'failure', reason: 'permission denied', error_details: 'EACCES' });
    assert.equal(f.reward.base, 0);
    assert.equal(f.reflection.improvements[0], 'Failure cause to address: permission denied');
    const { episode: fe } = await ok(client, 'get_episode', { episode_id: failure, fields: ['outcome'] });
    assert.deepEqual(fe.outcome, { type: 'failure', reason: 'permission denied', error_details: 'EACCES' });

    const abstained = await create({ complexity: 'simple' });
    const a = await ok(client, 'complete_episode', { episode_id: abstained, outcome_type: 'abstained', reason: 'infeasible', stopped_at_step: 1, infeasibility_signals: ['no credentials'] });
    assert.equal(a.reward.base, 0.3);
    assert.equal(a.reward.abstention, 0.5);
    assert.ok(Math.abs(a.reward.total - 0.8) < 1e-3, JSON.stringify(a.reward));  // efficiency ~1 for a ms-long episode

    const id = await create();
    await fails(client, 'complete_episode', { episode_id: id, outcome_type: 'success' }, /arguments\.verdict: required when outcome_type is success/);
    await fails(client, 'complete_episode', { episode_id: id, outcome_type: 'partial_success', verdict: '' }, /arguments\.verdict/);
    await fails(client, 'complete_episode', { episode_id: id, outcome_type: 'failure' }, /arguments\.reason/);
    await fails(client, 'complete_episode', { episode_id: id, outcome_type: 'abstained' }, /arguments\.reason/);
    await fails(client, 'complete_episode', { episode_id: id, outcome_type: 'won' }, /arguments\.outcome_type/);
    await fails(client, 'complete_episode', { episode_id: UNKNOWN, outcome_type: 'failure', reason: 'r' }, /no episode with id/);
    const { episode } = await ok(client, 'get_episode', { episode_id: id });
    assert.equal(episode.status, 'in_progress', 'refused completions changed nothing');

    const first = await ok(client, 'complete_episode', { episode_id: id, outcome_type: 'success', verdict: 'v' });
    await fails(client, 'complete_episode', { episode_id: id, outcome_type: 'failure', reason: 'r' }, /already completed/);
    const { episode: still } = await ok(client, 'get_episode', { episode_id: id });
    assert.equal(still.outcome.type, 'success');
    assert.equal(still.end_time, first.end_time);
  });

  test('concurrent completions of one episode: exactly one wins', async () => {
    const id = await create();
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) =>
      client.callTool({ name: 'complete_episode', arguments: { episode_id: id, outcome_type: 'failure', reason: `r${i}` } })));
    assert.equal(results.filter((r) => !r.isError).length, 1);
    const { episode } = await ok(client, 'get_episode', { episode_id: id });
    const winner = results.find((r) => !r.isError).structuredContent;
    assert.equal(episode.end_time, winner.end_time);
  });

  test('multi-byte text cut by the reflection does not break complete_episode; resource titles stay valid', async () => {
    const text = 'x' + 'é'.repeat(70);
    const id = await create({ task_description: 'a' + '漢'.repeat(60) });
    await step(id, 1, { tool: 't', action: text, result: { type: 'error', message: text } });
    await step(id, 2, { tool: 't', action: text, result: { type: 'error', message: text } });
    await step(id, 3, { tool: 'u', action: text, result: { type: 'success', output: 'ok' } });
    const done = await ok(client, 'complete_episode', { episode_id: id, outcome_type: 'success', verdict: 'ok' });
    assert.ok(done.reflection.improvements.some((s) => s.startsWith('Repeated error (2x): x')));
    for (const s of [...done.reflection.improvements, ...done.reflection.insights]) assert.ok(!s.includes('\uFFFD'), s);
    const list = await client.listResources();
    const mine = list.resources.find((r) => r.uri === `memory://episodes/${id}`);
    if (mine) assert.ok(!mine.title.includes('\uFFFD'), mine.title);
  });
});

describe('reading episodes', () => {
  test('get_episode: unknown id, projection by dotted paths, episode. prefix, unknown and odd paths', async () => {
    const id = await create({ metadata: { 'a~b': 'tilde', plain: 'p' } });
    await step(id, 1, { tool: 'grep' });
    await fails(client, 'get_episode', { episode_id: UNKNOWN }, /no episode with id/);
    const { episode: p } = await ok(client, 'get_episode', { episode_id: id, fields: ['context.domain', 'episode.task_type', 'steps', 'no.such.path'] });
    assert.deepEqual(Object.keys(p).sort(), ['context', 'episode_id', 'steps', 'task_type']);
    assert.deepEqual(p.context, { domain: 'e2e' });
    assert.equal(p.task_type, 'debugging');
    assert.equal(p.steps[0].tool, 'grep');
    const { episode: odd } = await ok(client, 'get_episode', { episode_id: id, fields: ['steps.x', 'steps.01', 'steps.0.tool', 'metadata.plain'] });
    assert.deepEqual(odd.metadata, { plain: 'p' });
    assert.deepEqual(odd.steps, [{ tool: 'grep' }]);
    await fails(client, 'get_episode', { episode_id: id, fields: ['metadata.a~b'] }, /arguments\.fields\[0\]/);
    await fails(client, 'get_episode', { episode_id: id, fields: Array(21).fill('outcome') }, /arguments\.fields/);
  });

  test('bulk_episodes: array or comma-separated string, missing ids listed, limits', async () => {
    const a = await create();
    const b = await create();
    const arr = await ok(client, 'bulk_episodes', { episode_ids: [a, UNKNOWN, b] });
    assert.equal(arr.requested_count, 3);
    assert.equal(arr.found_count, 2);
    assert.equal(arr.missing_count, 1);
    assert.deepEqual(arr.missing_ids, [UNKNOWN]);
    assert.deepEqual(arr.episodes.map((e) => e.episode_id), [a, b]);
    const str = await ok(client, 'bulk_episodes', { episode_ids: ` ${a} ,${b},, ` });
    assert.equal(str.found_count, 2);
    assert.equal(str.requested_count, 2);
    await fails(client, 'bulk_episodes', { episode_ids: ' , ' }, /arguments\.episode_ids/);
    await fails(client, 'bulk_episodes', { episode_ids: Array(101).fill(a) }, /arguments\.episode_ids/);
    await fails(client, 'bulk_episodes', { episode_ids: Array(101).fill('x').join(',') }, /arguments\.episode_ids.*100/);
  });

  test('list_episodes pages across many pages with no duplicates and no gaps, both sort orders', async () => {
    const domain = `paging-${Date.now()}`;
    const ids = [];
    const made = await Promise.all(Array.from({ length: 23 }, (_, i) => ok(client, 'create_episode', {
      task_description: `page ${i}`, domain, task_type: 'testing',
    })));
    for (const m of made) ids.push(m.episode_id);
    for (const sort of ['newest', 'oldest']) {
      const seen = [];
      let cursor;
      let pages = 0;
      do {
        const r = await ok(client, 'list_episodes', { domain, sort, limit: 5, ...(cursor ? { cursor } : {}) });
        assert.equal(r.count, r.episodes.length);
        assert.ok(r.episodes.length <= 5);
        seen.push(...r.episodes);
        cursor = r.next_cursor;
        pages++;
      } while (cursor && pages < 20);
      assert.equal(pages, 5, `${sort}: 23 episodes in pages of 5`);
      assert.equal(seen.length, 23);
      assert.deepEqual(new Set(seen.map((e) => e.episode_id)), new Set(ids));
      const keys = seen.map((e) => `${e.start_time} ${e.episode_id}`);
      const sorted = [...keys].sort();
      assert.deepEqual(keys, sort === 'oldest' ? sorted : sorted.reverse(), `${sort} order`);
    }
    // A page size that divides the total: the last page has no next_cursor and no empty extra page is needed.
    const all = await ok(client, 'list_episodes', { domain, limit: 23 });
    assert.equal(all.count, 23);
    assert.equal(all.next_cursor, null);
  });

  test('list_episodes filters: domain, task_type, status, outcome_type, tag, since/until; bad cursor', async () => {
    const domain = `filters-${Date.now()}`;
    const a = await create({ domain, task_type: 'testing', tags: ['x1'] });
    const b = await create({ domain, task_type: 'analysis' });
    await ok(client, 'add_episode_tags', { episode_id: b, tags: ['Filter-Tag'] });
    await ok(client, 'complete_episode', { episode_id: a, outcome_type: 'failure', reason: 'r' });
    const ids = async (args) => (await ok(client, 'list_episodes', { domain, ...args })).episodes.map((e) => e.episode_id);
    assert.deepEqual(await ids({}), [b, a]);
    assert.deepEqual(await ids({ task_type: 'testing' }), [a]);
    assert.deepEqual(await ids({ status: 'completed' }), [a]);
    assert.deepEqual(await ids({ status: 'in_progress' }), [b]);
    assert.deepEqual(await ids({ outcome_type: 'failure' }), [a]);
    assert.deepEqual(await ids({ outcome_type: 'success' }), []);
    assert.deepEqual(await ids({ tag: 'FILTER-tag' }), [b]);
    const { episode } = await ok(client, 'get_episode', { episode_id: b });
    assert.deepEqual(await ids({ since: episode.start_time }), [b]);
    assert.deepEqual(await ids({ until: episode.start_time }), [a]);
    assert.deepEqual(await ids({ since: '2000-01-01T00:00:00Z', until: '2000-01-02T00:00:00Z' }), []);
    const list = await ok(client, 'list_episodes', { domain });
    const sa = list.episodes.find((e) => e.episode_id === a);
    assert.equal(sa.status, 'completed');
    assert.equal(sa.outcome_type, 'failure');
    assert.equal(typeof sa.reward_total, 'number');
    assert.deepEqual(list.episodes.find((e) => e.episode_id === b).tags, ['filter-tag']);
    await fails(client, 'list_episodes', { cursor: 'not-a-cursor' }, /arguments\.cursor/);
    await fails(client, 'list_episodes', { since: 'yesterday' }, /arguments\.since/);
    await fails(client, 'list_episodes', { limit: 0 }, /arguments\.limit/);
    await fails(client, 'list_episodes', { limit: 201 }, /arguments\.limit/);
    await fails(client, 'list_episodes', { tag: 'bad tag' }, /arguments\.tag/);
  });
});

describe('changing and deleting episodes', () => {
  test('update_episode: description, metadata merge (null removes), tags; refusals leave the episode unchanged', async () => {
    const id = await create({ metadata: { keep: '1', drop: '2' } });
    await ok(client, 'set_episode_tags', { episode_id: id, tags: ['one', 'two'] });
    const u = await ok(client, 'update_episode', { episode_id: id, task_description: 'renamed', metadata: { drop: null, added: '3' }, add_tags: ['Three'], remove_tags: ['one'] });
    assert.deepEqual(u.updated_fields, ['task_description', 'metadata', 'add_tags', 'remove_tags']);
    assert.deepEqual(u.tags, ['three', 'two']);
    const { episode } = await ok(client, 'get_episode', { episode_id: id });
    assert.equal(episode.task_description, 'renamed');
    assert.deepEqual(episode.metadata, { keep: '1', added: '3' });
    assert.deepEqual(episode.tags, ['three', 'two']);

    const s = await ok(client, 'update_episode', { episode_id: id, set_tags: ['solo'] });
    assert.deepEqual(s.tags, ['solo']);
    await fails(client, 'update_episode', { episode_id: id, set_tags: ['a1'], add_tags: ['b1'] }, /arguments\.set_tags/);
    await fails(client, 'update_episode', { episode_id: id }, /nothing to update/);
    await fails(client, 'update_episode', { episode_id: UNKNOWN, task_description: 'x' }, /no episode with id/);
    // A bad tag after the old tags were cleared and the description changed: the whole call is rolled back.
    await fails(client, 'update_episode', { episode_id: id, task_description: 'should not stick', set_tags: ['fine', 'not fine'] }, /arguments\.set_tags\[1\]/);
    const { episode: same } = await ok(client, 'get_episode', { episode_id: id });
    assert.equal(same.task_description, 'renamed');
    assert.deepEqual(same.tags, ['solo']);
  });

  test('delete_episode: confirm required, then gone with its steps, tags and relationships', async () => {
    const id = await create();
    const other = await create();
    await step(id, 1);
    await ok(client, 'add_episode_tags', { episode_id: id, tags: ['doomed'] });
    await ok(client, 'add_episode_relationship', { from_episode_id: other, to_episode_id: id, relationship_type: 'depends_on' });
    await fails(client, 'delete_episode', { episode_id: id, confirm: false }, /arguments\.confirm/);
    await fails(client, 'delete_episode', { episode_id: id }, /arguments\.confirm/);
    await ok(client, 'get_episode', { episode_id: id });
    const d = await ok(client, 'delete_episode', { episode_id: id, confirm: true });
    assert.equal(d.episode_id, id);
    await fails(client, 'get_episode', { episode_id: id }, /no episode with id/);
    await fails(client, 'delete_episode', { episode_id: id, confirm: true }, /no episode with id/);
    const rel = await ok(client, 'get_episode_relationships', { episode_id: other });
    assert.equal(rel.total_count, 0);
    const found = await ok(client, 'search_episodes_by_tags', { tags: ['doomed'] });
    assert.equal(found.count, 0);
  });
});

describe('tags', () => {
  test('add, remove, set, get: normalized, de-duplicated, sorted', async () => {
    const id = await create();
    const added = await ok(client, 'add_episode_tags', { episode_id: id, tags: ['Beta', ' alpha ', 'BETA'] });
    assert.deepEqual(added.tags_added, ['beta', 'alpha']);
    assert.deepEqual(added.current_tags, ['alpha', 'beta']);
    const again = await ok(client, 'add_episode_tags', { episode_id: id, tags: ['alpha', 'gamma'] });
    assert.deepEqual(again.tags_added, ['gamma']);
    const removed = await ok(client, 'remove_episode_tags', { episode_id: id, tags: ['ALPHA', 'nothere'] });
    assert.deepEqual(removed.tags_removed, ['alpha']);
    assert.deepEqual(removed.current_tags, ['beta', 'gamma']);
    const set = await ok(client, 'set_episode_tags', { episode_id: id, tags: ['z9', 'a9'] });
    assert.deepEqual(set.tags_set, ['z9', 'a9']);
    assert.deepEqual(set.current_tags, ['a9', 'z9']);
    assert.deepEqual((await ok(client, 'get_episode_tags', { episode_id: id })).tags, ['a9', 'z9']);
    const cleared = await ok(client, 'set_episode_tags', { episode_id: id, tags: [] });
    assert.deepEqual(cleared.current_tags, []);
  });

  test('bad tags and unknown episodes are refused; a refused call changes nothing', async () => {
    const id = await create();
    await ok(client, 'add_episode_tags', { episode_id: id, tags: ['keep'] });
    for (const bad of ['a', 'has space', '-lead', 'x'.repeat(101), 'ümlaut', 'semi;colon']) {
      await fails(client, 'add_episode_tags', { episode_id: id, tags: ['fine', bad] }, /arguments\.tags\[1\]: invalid tag/);
    }
    await fails(client, 'set_episode_tags', { episode_id: id, tags: ['ok1', '!'] }, /arguments\.tags\[1\]/);
    assert.deepEqual((await ok(client, 'get_episode_tags', { episode_id: id })).tags, ['keep']);
    await fails(client, 'add_episode_tags', { episode_id: UNKNOWN, tags: ['x1'] }, /no episode with id/);
    await fails(client, 'get_episode_tags', { episode_id: UNKNOWN }, /no episode with id/);
    await fails(client, 'add_episode_tags', { episode_id: id, tags: Array(101).fill('t1') }, /arguments\.tags/);
  });

  test('search_episodes_by_tags: any vs require_all, limit, newest first', async () => {
    const u = `s${Date.now()}`;
    const a = await create();
    const b = await create();
    const c = await create();
    await ok(client, 'add_episode_tags', { episode_id: a, tags: [`${u}-red`, `${u}-blue`] });
    await ok(client, 'add_episode_tags', { episode_id: b, tags: [`${u}-red`] });
    await ok(client, 'add_episode_tags', { episode_id: c, tags: [`${u}-blue`] });
    const any = await ok(client, 'search_episodes_by_tags', { tags: [`${u}-RED`, `${u}-blue`] });
    assert.deepEqual(any.episodes.map((e) => e.episode_id), [c, b, a]);
    assert.equal(any.count, 3);
    const all = await ok(client, 'search_episodes_by_tags', { tags: [`${u}-red`, `${u}-blue`], require_all: true });
    assert.deepEqual(all.episodes.map((e) => e.episode_id), [a]);
    assert.deepEqual(all.episodes[0].tags, [`${u}-blue`, `${u}-red`]);
    const dupTags = await ok(client, 'search_episodes_by_tags', { tags: [`${u}-red`, `${u}-RED`], require_all: true });
    assert.deepEqual(dupTags.episodes.map((e) => e.episode_id), [b, a], 'duplicate tags do not defeat require_all');
    const limited = await ok(client, 'search_episodes_by_tags', { tags: [`${u}-red`, `${u}-blue`], limit: 1 });
    assert.deepEqual(limited.episodes.map((e) => e.episode_id), [c]);
    await fails(client, 'search_episodes_by_tags', { tags: [] }, /arguments\.tags/);
    await fails(client, 'search_episodes_by_tags', { tags: ['no good'] }, /arguments\.tags\[0\]/);
  });
});

describe('relationships', () => {
  test('add, read both directions, find related, check, remove', async () => {
    const a = await create();
    const b = await create();
    const c = await create();
    const ab = await ok(client, 'add_episode_relationship', { from_episode_id: a, to_episode_id: b, relationship_type: 'depends_on', reason: 'needs the fix', priority: 3, created_by: 'e2e' });
    await ok(client, 'add_episode_relationship', { from_episode_id: c, to_episode_id: a, relationship_type: 'references' });
    const ra = await ok(client, 'get_episode_relationships', { episode_id: a });
    assert.equal(ra.total_count, 2);
    assert.deepEqual(ra.outgoing.map((e) => [e.id, e.to, e.relationship_type, e.reason, e.priority, e.created_by]), [[ab.relationship_id, b, 'depends_on', 'needs the fix', 3, 'e2e']]);
    assert.deepEqual(ra.incoming.map((e) => e.from), [c]);
    assert.equal((await ok(client, 'get_episode_relationships', { episode_id: a, direction: 'outgoing' })).incoming.length, 0);
    assert.equal((await ok(client, 'get_episode_relationships', { episode_id: a, relationship_type: 'references' })).total_count, 1);

    const rel = await ok(client, 'find_related_episodes', { episode_id: a, include_metadata: true });
    assert.equal(rel.count, 2);
    const toB = rel.related_episodes.find((r) => r.episode_id === b);
    assert.equal(toB.direction, 'outgoing');
    assert.equal(toB.reason, 'needs the fix');
    assert.equal(rel.related_episodes.find((r) => r.episode_id === c).direction, 'incoming');
    assert.equal((await ok(client, 'find_related_episodes', { episode_id: a, limit: 1 })).count, 1);

    assert.equal((await ok(client, 'check_relationship_exists', { from_episode_id: a, to_episode_id: b, relationship_type: 'depends_on' })).exists, true);
    assert.equal((await ok(client, 'check_relationship_exists', { from_episode_id: b, to_episode_id: a, relationship_type: 'depends_on' })).exists, false);

    await ok(client, 'remove_episode_relationship', { relationship_id: ab.relationship_id });
    assert.equal((await ok(client, 'check_relationship_exists', { from_episode_id: a, to_episode_id: b, relationship_type: 'depends_on' })).exists, false);
    await fails(client, 'remove_episode_relationship', { relationship_id: ab.relationship_id }, /no relationship with id/);
  });

  test('self, duplicate, unknown endpoints and bad types are refused', async () => {
    const a = await create();
    const b = await create();
    await fails(client, 'add_episode_relationship', { from_episode_id: a, to_episode_id: a, relationship_type: 'related_to' }, /itself/);
    await ok(client, 'add_episode_relationship', { from_episode_id: a, to_episode_id: b, relationship_type: 'related_to' });
    await fails(client, 'add_episode_relationship', { from_episode_id: a, to_episode_id: b, relationship_type: 'related_to' }, /already exists/);
    // Same pair, another type, is a different relationship.
    await ok(client, 'add_episode_relationship', { from_episode_id: a, to_episode_id: b, relationship_type: 'duplicates' });
    await fails(client, 'add_episode_relationship', { from_episode_id: UNKNOWN, to_episode_id: b, relationship_type: 'blocks' }, /from_episode_id: no episode/);
    await fails(client, 'add_episode_relationship', { from_episode_id: a, to_episode_id: UNKNOWN, relationship_type: 'blocks' }, /to_episode_id: no episode/);
    await fails(client, 'add_episode_relationship', { from_episode_id: a, to_episode_id: b, relationship_type: 'likes' }, /arguments\.relationship_type/);
    await fails(client, 'add_episode_relationship', { from_episode_id: a, to_episode_id: b, relationship_type: 'blocks', priority: 11 }, /arguments\.priority/);
    await fails(client, 'get_episode_relationships', { episode_id: UNKNOWN }, /no episode with id/);
    await fails(client, 'find_related_episodes', { episode_id: UNKNOWN }, /no episode with id/);
  });

  test('cycles in depends_on / parent_child / blocks are refused with the path; validate_no_cycles agrees', async () => {
    const [a, b, c] = [await create(), await create(), await create()];
    for (const type of ['depends_on', 'parent_child', 'blocks']) {
      await ok(client, 'add_episode_relationship', { from_episode_id: a, to_episode_id: b, relationship_type: type });
      await ok(client, 'add_episode_relationship', { from_episode_id: b, to_episode_id: c, relationship_type: type });
      const v = await ok(client, 'validate_no_cycles', { from_episode_id: c, to_episode_id: a, relationship_type: type });
      assert.equal(v.would_create_cycle, true);
      assert.equal(v.is_valid, false);
      assert.deepEqual(v.cycle_path, [a, b, c, a]);
      await fails(client, 'add_episode_relationship', { from_episode_id: c, to_episode_id: a, relationship_type: type },
        new RegExp(`would create a cycle: ${a} -> ${b} -> ${c} -> ${a}`));
      const fine = await ok(client, 'validate_no_cycles', { from_episode_id: a, to_episode_id: c, relationship_type: type });
      assert.equal(fine.would_create_cycle, false);
      assert.equal(fine.cycle_path, null);
    }
    // Types without ordering may loop.
    const loose = await ok(client, 'validate_no_cycles', { from_episode_id: c, to_episode_id: a, relationship_type: 'related_to' });
    assert.equal(loose.is_valid, true);
    await ok(client, 'add_episode_relationship', { from_episode_id: c, to_episode_id: a, relationship_type: 'related_to' });
    const self = await ok(client, 'validate_no_cycles', { from_episode_id: a, to_episode_id: a, relationship_type: 'depends_on' });
    assert.equal(self.would_create_cycle, true);
  });

  test('get_dependency_graph: depth, nodes and edges, dot output; unknown root', async () => {
    const [a, b, c, d] = [await create({ task_description: 'root "quoted"' }), await create(), await create(), await create()];
    await ok(client, 'add_episode_relationship', { from_episode_id: a, to_episode_id: b, relationship_type: 'depends_on' });
    await ok(client, 'add_episode_relationship', { from_episode_id: b, to_episode_id: c, relationship_type: 'depends_on' });
    await ok(client, 'add_episode_relationship', { from_episode_id: d, to_episode_id: c, relationship_type: 'blocks' });
    const g1 = await ok(client, 'get_dependency_graph', { episode_id: a, depth: 1 });
    assert.deepEqual(new Set(g1.nodes.map((n) => n.id)), new Set([a, b]));
    assert.equal(g1.edge_count, 1);
    const g = await ok(client, 'get_dependency_graph', { episode_id: a, depth: 3, format: 'dot' });
    assert.equal(g.root, a);
    assert.deepEqual(new Set(g.nodes.map((n) => n.id)), new Set([a, b, c, d]));
    assert.equal(g.node_count, 4);
    assert.equal(g.edge_count, 3);
    assert.ok(g.nodes.every((n) => typeof n.is_complete === 'boolean'));
    assert.match(g.dot, /^digraph episodes \{/);
    assert.ok(g.dot.includes(`"${a}" -> "${b}" [label="depends_on"]`));
    assert.ok(g.dot.includes('root \\"quoted\\"'), g.dot);
    const plain = await ok(client, 'get_dependency_graph', { episode_id: a });
    assert.equal(plain.dot, undefined);
    await fails(client, 'get_dependency_graph', { episode_id: UNKNOWN }, /no episode with id/);
    await fails(client, 'get_dependency_graph', { episode_id: a, depth: 11 }, /arguments\.depth/);
  });

  test('get_topological_order: every ordering type, unrelated ids, cross-type cycles, unknown ids', async () => {
    const [a, b, c, d, e] = [await create(), await create(), await create(), await create(), await create()];
    await ok(client, 'add_episode_relationship', { from_episode_id: a, to_episode_id: b, relationship_type: 'depends_on' }); // b before a
    await ok(client, 'add_episode_relationship', { from_episode_id: c, to_episode_id: a, relationship_type: 'parent_child' }); // c before a
    await ok(client, 'add_episode_relationship', { from_episode_id: d, to_episode_id: c, relationship_type: 'blocks' }); // d before c
    await ok(client, 'add_episode_relationship', { from_episode_id: b, to_episode_id: e, relationship_type: 'follows' }); // e before b
    const t = await ok(client, 'get_topological_order', { episode_ids: [a, b, c, d, e, a] });
    assert.equal(t.has_cycles, false);
    assert.equal(t.count, 5);
    const order = t.order.map((o) => o.episode_id);
    const pos = (x) => order.indexOf(x);
    assert.ok(pos(b) < pos(a) && pos(c) < pos(a) && pos(d) < pos(c) && pos(e) < pos(b), JSON.stringify(order));
    assert.deepEqual(t.order.map((o) => o.position), [1, 2, 3, 4, 5]);

    // Only each type on its own must be acyclic: x depends_on y (y first) and x blocks y (x first) are both
    // accepted, and the order then reports the contradiction instead of hiding it.
    const [x, y] = [await create(), await create()];
    await ok(client, 'add_episode_relationship', { from_episode_id: x, to_episode_id: y, relationship_type: 'depends_on' });
    await ok(client, 'add_episode_relationship', { from_episode_id: x, to_episode_id: y, relationship_type: 'blocks' });
    const loop = await ok(client, 'get_topological_order', { episode_ids: [x, y, e] });
    assert.equal(loop.has_cycles, true);
    assert.deepEqual(loop.order.map((o) => o.episode_id), [e, x, y], 'unordered nodes first, the cycle last in input order');

    await fails(client, 'get_topological_order', { episode_ids: [a, UNKNOWN] }, new RegExp(UNKNOWN));
    await fails(client, 'get_topological_order', { episode_ids: [] }, /arguments\.episode_ids/);
  });
});

describe('resources', () => {
  test('templates list the episode URI template', async () => {
    const t = await client.listResourceTemplates();
    const ep = t.resourceTemplates.find((x) => x.uriTemplate === 'memory://episodes/{id}');
    assert.ok(ep, JSON.stringify(t));
    assert.equal(ep.mimeType, 'application/json');
  });

  test('resources/list pages through every episode exactly once; read returns the episode', async () => {
    // Enough episodes for more than one page of 50.
    await Promise.all(Array.from({ length: 60 }, () => create()));
    const seen = new Set();
    let cursor;
    let pages = 0;
    do {
      const r = await client.listResources(cursor ? { cursor } : {});
      for (const res of r.resources) {
        assert.match(res.uri, /^memory:\/\/episodes\/[0-9a-f-]{36}$/);
        assert.equal(res.mimeType, 'application/json');
        assert.ok(!seen.has(res.uri), `duplicate ${res.uri}`);
        seen.add(res.uri);
      }
      cursor = r.nextCursor;
      pages++;
    } while (cursor && pages < 100);
    assert.ok(pages >= 2);
    const listed = await ok(client, 'list_episodes', { limit: 200 });
    let total = listed.count;
    let c = listed.next_cursor;
    while (c) {
      const more = await ok(client, 'list_episodes', { limit: 200, cursor: c });
      total += more.count;
      c = more.next_cursor;
    }
    assert.equal(seen.size, total, 'resources/list and list_episodes agree on the number of episodes');

    const id = await create({ task_description: 'read me' });
    const read = await client.readResource({ uri: `memory://episodes/${id}` });
    assert.equal(read.contents.length, 1);
    assert.equal(read.contents[0].mimeType, 'application/json');
    const body = JSON.parse(read.contents[0].text);
    assert.equal(body.episode_id, id);
    assert.equal(body.task_description, 'read me');
  });

  test('reading an unknown or foreign URI is JSON-RPC error -32002', async () => {
    for (const uri of [`memory://episodes/${UNKNOWN}`, 'memory://episodes/', 'file:///etc/passwd', 'memory://episodes/../../x']) {
      await assert.rejects(client.readResource({ uri }), (err) => {
        assert.equal(err.code, -32002, `${uri}: ${err.message}`);
        return true;
      });
    }
    await assert.rejects(client.listResources({ cursor: 'bogus' }), (err) => err.code === -32602);
    await assert.rejects(client.request({ method: 'resources/list', params: { cursor: 7 } }, ListResourcesResultSchema), (err) => err.code === -32602);
  });
});

describe('rate limit', () => {
  test('a write over the limit gets JSON-RPC -32000 with data.retry_after_ms, and succeeds after waiting', async () => {
    const raw = new Raw(dataDir(), { MCP_RATE_LIMIT_ENABLED: 'true', MCP_RATE_LIMIT_WRITE_RPS: '2', MCP_RATE_LIMIT_WRITE_BURST: '2' });
    try {
      await raw.initialize();
      const args = { task_description: 'limited', domain: 'rl', task_type: 'other' };
      const replies = await Promise.all(Array.from({ length: 6 }, () => raw.request('tools/call', { name: 'create_episode', arguments: args })));
      const okCount = replies.filter((r) => r.result && !r.result.isError).length;
      const denied = replies.filter((r) => r.error);
      assert.ok(okCount >= 2 && okCount <= 3, `allowed ${okCount}`);
      assert.ok(denied.length >= 3, JSON.stringify(replies));
      for (const d of denied) {
        assert.equal(d.error.code, -32000);
        assert.equal(typeof d.error.data?.retry_after_ms, 'number');
        assert.ok(d.error.data.retry_after_ms > 0 && d.error.data.retry_after_ms <= 1000, JSON.stringify(d.error));
      }
      // Reads are a separate class and still pass.
      const read = await raw.request('tools/call', { name: 'list_episodes', arguments: { domain: 'rl' } });
      assert.ok(read.result && !read.result.isError, JSON.stringify(read));
      assert.equal(read.result.structuredContent.count, okCount, 'denied writes wrote nothing');
      // After the advertised wait a write is allowed again.
      await pollUntil(async () => {
        const r = await raw.request('tools/call', { name: 'create_episode', arguments: args });
        return r.result && !r.result.isError;
      }, { timeoutMs: 5000, intervalMs: Math.max(...denied.map((d) => d.error.data.retry_after_ms)), what: 'a write after retry_after_ms' });
    } finally {
      await raw.kill();
    }
  });

  // resources/list and resources/read take read tokens like read tools.
  test('resources/list and resources/read count against the read limit', async () => {
    const raw = new Raw(dataDir(), { MCP_RATE_LIMIT_ENABLED: 'true', MCP_RATE_LIMIT_READ_RPS: '1', MCP_RATE_LIMIT_READ_BURST: '2' });
    try {
      await raw.initialize();
      const replies = await Promise.all(Array.from({ length: 6 }, () => raw.request('resources/list', {})));
      const denied = replies.filter((r) => r.error?.code === -32000);
      assert.ok(denied.length >= 3, `only ${denied.length} of 6 resources/list calls were limited`);
    } finally {
      await raw.kill();
    }
  });
});

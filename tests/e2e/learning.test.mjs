// Learning through the official SDK client: patterns gather evidence across episodes and restarts, feedback
// on recommendations changes rankings and decays, the quality gate is configurable, and every learning tool's
// structuredContent validates against its outputSchema (the SDK checks it on each call).
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { connect, dataDir, fails, ok, pollUntil, Raw, sleep } from './episode_helpers.mjs';

const workflowA = ['grep', 'read_file', 'edit_file', 'run_tests'];
const workflowB = ['read_file', 'apply_patch', 'run_tests'];

async function episode(client, { tools, outcome = 'success', description = 'fix the failing login test', domain = 'web',
  recover = false }) {
  const { episode_id } = await ok(client, 'create_episode', { task_description: description, domain,
    task_type: 'debugging', language: 'python' });
  let n = 0;
  for (const tool of tools) {
    if (recover && tool === 'run_tests') {
      await ok(client, 'add_episode_step', { episode_id, step_number: ++n, tool, action: 'run the suite',
        result: { type: 'error', message: "ModuleNotFoundError: No module named 'requests'" } });
      await ok(client, 'add_episode_step', { episode_id, step_number: ++n, tool: 'pip_install', action: 'install requests',
        result: { type: 'success', output: 'installed' } });
    }
    await ok(client, 'add_episode_step', { episode_id, step_number: ++n, tool, action: `use ${tool}`,
      result: { type: 'success', output: 'ok' } });
  }
  const done = await ok(client, 'complete_episode', { episode_id, outcome_type: outcome,
    ...(outcome === 'failure' ? { reason: 'the test still fails' } : { verdict: 'fixed' }) });
  return { episode_id, done };
}

const sequenceOf = (results, tools) => results.find((p) => p.kind === 'tool_sequence' && JSON.stringify(p.tools) === JSON.stringify(tools));

test('patterns gather evidence across episodes and restarts; the next request sees a completion\'s learning', async () => {
  const dir = dataDir();
  let h = await connect(dir);
  const ids = [];
  try {
    const first = await episode(h.client, { tools: workflowA });
    ids.push(first.episode_id);
    const seq = first.done.learning.patterns.find((p) => p.kind === 'tool_sequence');
    assert.equal(seq.occurrences, 1);
    assert.equal(seq.new, true);
    // Visible at once to the next request.
    let rec = await ok(h.client, 'recommend_patterns', { task_description: 'fix a failing test', domain: 'web', limit: 10 });
    assert.ok(sequenceOf(rec.results, workflowA), 'the new pattern is recommended right away');
    ids.push((await episode(h.client, { tools: workflowA })).episode_id);
    ids.push((await episode(h.client, { tools: workflowA, outcome: 'failure' })).episode_id);
  } finally {
    await h.close();
  }
  h = await connect(dir);  // a new process on the same database
  try {
    const more = await episode(h.client, { tools: workflowA });
    ids.push(more.episode_id);
    const seq = more.done.learning.patterns.find((p) => p.kind === 'tool_sequence');
    assert.equal(seq.occurrences, 4);
    assert.equal(seq.successes, 3);
    assert.equal(seq.new, false);
    const explained = await ok(h.client, 'explain_pattern', { pattern_id: seq.pattern_id });
    assert.equal(explained.evidence_total, 4);
    assert.deepEqual(new Set(explained.evidence.map((e) => e.episode_id)), new Set(ids));
    assert.equal(explained.pattern.failures, 1);
    assert.match(explained.explanation, /Seen in 4 episode\(s\).*3 of them succeeded.*Wilson/);
    const analysis = await ok(h.client, 'analyze_patterns', { domain: 'web', min_success_rate: 0.5 });
    assert.ok(analysis.patterns.some((p) => p.pattern_id === seq.pattern_id));
    assert.equal(analysis.statistics.total_patterns, analysis.patterns.length);
    for (let i = 1; i < analysis.patterns.length; i++)
      assert.ok(analysis.patterns[i - 1].confidence >= analysis.patterns[i].confidence, 'most confident first');
  } finally {
    await h.close();
  }
});

test('feedback on recommendations changes the ranking; recommend with episode_id records the session', async () => {
  const dir = dataDir();
  const h = await connect(dir);
  try {
    for (let i = 0; i < 5; i++) await episode(h.client, { tools: workflowA });
    for (let i = 0; i < 3; i++) await episode(h.client, { tools: workflowB });
    const ask = { task_description: 'fix the failing login test', domain: 'web', kind: 'tool_sequence', limit: 2 };
    const before = await ok(h.client, 'recommend_patterns', ask);
    assert.deepEqual(before.results[0].tools, workflowA, 'more evidence ranks first');
    const a = before.results[0].pattern_id;
    const b = before.results[1].pattern_id;
    const { episode_id } = await ok(h.client, 'create_episode', { task_description: 'another login fix', domain: 'web', task_type: 'debugging' });
    for (let i = 0; i < 5; i++) {
      const r = await ok(h.client, 'recommend_patterns', { ...ask, episode_id });
      assert.equal(r.attribution.receipt.state, 'persisted');
      await ok(h.client, 'record_recommendation_feedback', { session_id: r.attribution.session_id,
        outcome: { type: 'failure', reason: 'did not help' }, applied_pattern_ids: [a] });
      const s = await ok(h.client, 'record_recommendation_session', { episode_id, recommended_pattern_ids: [b] });
      await ok(h.client, 'record_recommendation_feedback', { session_id: s.session_id, outcome: { type: 'success' },
        applied_pattern_ids: [b], agent_rating: 1 });
    }
    const after = await ok(h.client, 'recommend_patterns', ask);
    assert.equal(after.results[0].pattern_id, b, 'helpful feedback lifts B above A');
    assert.ok(after.results[0].score_breakdown.effectiveness > 0.8);
    assert.ok(after.results[1].score_breakdown.effectiveness < 0.2);
    const stats = await ok(h.client, 'get_recommendation_stats');
    assert.equal(stats.total_sessions, 10);
    assert.equal(stats.total_feedback, 10);
    assert.equal(stats.patterns_applied, 10);
    assert.equal(stats.patterns_ignored, 5);  // B was recommended with A and not applied
    const playbook = await ok(h.client, 'recommend_playbook', { task_description: 'fix the failing login test', domain: 'web',
      episode_id });
    assert.ok(playbook.playbooks.length >= 1);
    assert.equal(playbook.attribution.receipt.state, 'persisted');
    await fails(h.client, 'record_recommendation_feedback', { session_id: playbook.attribution.session_id,
      outcome: { type: 'success' }, applied_pattern_ids: ['00000000-0000-4000-8000-000000000000'] }, /applied_pattern_ids\[0\]: no pattern/);
    await fails(h.client, 'recommend_patterns', { ...ask, episode_id: '00000000-0000-4000-8000-000000000000' }, /episode_id: no episode/);
  } finally {
    await h.close();
  }
});

test('old feedback decays with the configured half-life', async () => {
  const dir = dataDir();
  // A half-life of 0.00002 days (1.7 s) makes the decay observable within the test.
  const h = await connect(dir, { MEMORY_MCP_FEEDBACK_HALF_LIFE_DAYS: '0.00002' });
  try {
    for (let i = 0; i < 2; i++) await episode(h.client, { tools: workflowA });
    const ask = { task_description: 'fix the failing login test', domain: 'web', kind: 'tool_sequence', limit: 1 };
    const a = (await ok(h.client, 'recommend_patterns', ask)).results[0].pattern_id;
    const { episode_id } = await ok(h.client, 'create_episode', { task_description: 'x', domain: 'web', task_type: 'debugging' });
    for (let i = 0; i < 4; i++) {
      const s = await ok(h.client, 'record_recommendation_session', { episode_id, recommended_pattern_ids: [a] });
      await ok(h.client, 'record_recommendation_feedback', { session_id: s.session_id, outcome: { type: 'failure' },
        applied_pattern_ids: [a] });
    }
    const fresh = (await ok(h.client, 'explain_pattern', { pattern_id: a })).feedback.effectiveness;
    assert.ok(fresh < 0.3, `fresh negative feedback lowers effectiveness (${fresh})`);
    await sleep(3500);  // two half-lives
    const later = (await ok(h.client, 'explain_pattern', { pattern_id: a })).feedback;
    assert.ok(later.effectiveness > fresh + 0.1, `decayed feedback weighs less (${fresh} -> ${later.effectiveness})`);
    assert.ok(later.applied_weighted < 1.5, `4 applications decayed to ${later.applied_weighted}`);
  } finally {
    await h.close();
  }
});

test('the quality gate is configurable; its default learns from ordinary episodes', async () => {
  const strict = await connect(dataDir(), { MEMORY_MCP_LEARNING_MIN_QUALITY: '0.95' });
  try {
    const { done } = await episode(strict.client, { tools: ['read_file', 'edit_file'] });
    assert.equal(done.learning.learned, false);
    assert.match(done.learning.skipped_reason, /below the learning threshold 0\.95/);
    assert.deepEqual(done.patterns, []);
    const q = await ok(strict.client, 'quality_metrics', { time_range: 'all' });
    assert.equal(q.quality_threshold, 0.95);
    assert.equal(q.episodes_rejected, 1);
  } finally {
    await strict.close();
  }
  const normal = await connect(dataDir());
  try {
    const { done } = await episode(normal.client, { tools: ['read_file', 'edit_file'] });
    assert.equal(done.learning.learned, true);
    assert.ok(done.patterns.length >= 2);
  } finally {
    await normal.close();
  }
});

test('playbooks, metrics and quality come from the stored episodes', async () => {
  const h = await connect(dataDir());
  try {
    for (let i = 0; i < 3; i++) await episode(h.client, { tools: workflowA, recover: true });
    const pb = await ok(h.client, 'recommend_playbook', { task_description: 'fix the failing login test', domain: 'web', max_steps: 6 });
    const best = pb.playbooks[0];
    assert.deepEqual(best.ordered_steps.map((s) => s.tool_hint), ['grep', 'read_file', 'edit_file', 'pip_install', 'run_tests']);
    assert.match(best.pitfalls[0].warning, /run_tests failed with 'modulenotfounderror' in 3 episode\(s\)/);
    assert.match(best.pitfalls[0].mitigation, /pip_install -> run_tests/);
    const m = await ok(h.client, 'get_metrics');
    assert.equal(m.episodes.completed, 3);
    assert.equal(m.episodes.steps_total, 18);
    assert.ok(m.patterns.total > 0);
    assert.ok(m.performance.tools.complete_episode.calls >= 3);
    assert.ok(m.system.resident_memory_bytes > 0);
    const perf = await ok(h.client, 'get_metrics', { metric_type: 'performance' });
    assert.equal(perf.episodes, undefined);
    const q = await ok(h.client, 'quality_metrics', { time_range: '24h' });
    assert.equal(q.total_episodes_attempted, 3);
    assert.ok(q.average_quality_score > 0.8, `an ordinary, fully recorded episode is good evidence (${q.average_quality_score})`);
    const found = await ok(h.client, 'search_patterns', { query: 'ModuleNotFoundError', domain: 'web' });
    assert.equal(found.results[0].kind, 'error_recovery');
    assert.deepEqual(found.results[0].recovery_steps, ['pip_install', 'run_tests']);
    const mem = await ok(h.client, 'query_memory', { query: 'failing login test', domain: 'web' });
    assert.equal(mem.episodes.length, 3);
    assert.ok(mem.patterns.length > 0 && mem.patterns.length <= 5);
  } finally {
    await h.close();
  }
});

test('recommend_patterns is a read unless it records a session (rate-limit class follows episode_id)', async () => {
  const dir = dataDir();
  const raw = new Raw(dir, { MCP_RATE_LIMIT_ENABLED: 'true', MCP_RATE_LIMIT_WRITE_RPS: '0.001', MCP_RATE_LIMIT_WRITE_BURST: '2' });
  try {
    await raw.initialize();
    const { episode_id } = await raw.tool('create_episode', { task_description: 't', domain: 'web', task_type: 'debugging' });
    for (let i = 0; i < 5; i++) await raw.tool('recommend_patterns', { task_description: 'anything', domain: 'web' });
    const w1 = await raw.request('tools/call', { name: 'recommend_patterns', arguments: { task_description: 'x', domain: 'web', episode_id } });
    assert.ok(w1.result && !w1.result.isError, JSON.stringify(w1));
    const w2 = await raw.request('tools/call', { name: 'recommend_patterns', arguments: { task_description: 'x', domain: 'web', episode_id } });
    assert.equal(w2.error?.code, -32000, JSON.stringify(w2));
    assert.equal(w2.error.data.class, 'write');
  } finally {
    await raw.kill();
  }
});

test('learning tools refuse bad input with the field named', async () => {
  const h = await connect(dataDir());
  try {
    await fails(h.client, 'explain_pattern', { pattern_id: '00000000-0000-4000-8000-000000000000' }, /pattern_id: no pattern/);
    await fails(h.client, 'recommend_patterns', { task_description: 'x', limit: 0 }, /limit/);
    await fails(h.client, 'analyze_patterns', { min_success_rate: 2 }, /min_success_rate/);
    await fails(h.client, 'record_recommendation_feedback', { session_id: '00000000-0000-4000-8000-000000000000',
      outcome: { type: 'success' } }, /session_id: no recommendation session/);
    await fails(h.client, 'quality_metrics', { time_range: '1y' }, /time_range/);
    await pollUntil(() => h.proc.exitCode === null, { what: 'server alive' });
  } finally {
    await h.close();
  }
});

// GET /metrics: the Prometheus text format, with the names the operator guide's alert rules use, and counters
// that follow what happened (tool calls, denials, security violations, bulk reads, restarts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RawServer, serverEnv, tempDir, pollUntil } from './helpers.mjs';

// Parses the exposition format strictly enough to catch malformed output: every family has HELP and TYPE before
// its samples, sample lines match the grammar, histogram buckets are cumulative and end with +Inf == _count.
function parse(text) {
  const families = new Map();
  const samples = [];
  let current = null;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    let m;
    if ((m = line.match(/^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)$/))) {
      assert.ok(!families.has(m[1]), `family ${m[1]} declared twice`);
      current = { name: m[1], help: m[2] };
      families.set(m[1], current);
      continue;
    }
    if ((m = line.match(/^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram)$/))) {
      assert.equal(m[1], current?.name, `TYPE ${m[1]} follows its HELP`);
      current.type = m[2];
      continue;
    }
    m = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*",?)*\})? (-?[0-9]+(?:\.[0-9]+)?(?:e[+-]?[0-9]+)?|\+Inf|NaN)$/);
    assert.ok(m, `malformed sample line: ${line}`);
    const base = m[1].replace(/_(bucket|sum|count)$/, '');
    assert.ok(current && (m[1] === current.name || base === current.name), `sample ${m[1]} belongs to the family above it`);
    if (current.type === 'counter') assert.match(current.name, /_total$/, `counter ${current.name} ends in _total`);
    samples.push({ name: m[1], labels: m[2] ?? '', value: Number(m[3]) });
  }
  return { families, samples };
}

const value = (parsed, name, labels = '') =>
  parsed.samples.find((s) => s.name === name && s.labels === labels)?.value;

test('/metrics serves the Prometheus text format with the alert-rule names and live counters', async () => {
  const dir = tempDir('mm-metrics-');
  const s = new RawServer({ env: serverEnv({ MEMORY_DATA_DIR: dir, MEMORY_MCP_HTTP_ADDR: '127.0.0.1:0',
    MCP_RATE_LIMIT_ENABLED: 'true', MCP_RATE_LIMIT_WRITE_RPS: '0.001', MCP_RATE_LIMIT_WRITE_BURST: '3' }) });
  try {
    await s.initialize();
    const port = await s.httpPort();
    const scrape = async () => {
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
      return parse(await res.text());
    };
    let m = await scrape();
    for (const name of ['audit_authentication_failures_total', 'audit_security_violations_total', 'audit_bulk_operations_total',
      'memory_mcp_rate_limit_denials_total', 'memory_mcp_actor_restarts_total', 'memory_mcp_episodes',
      'memory_mcp_patterns', 'process_resident_memory_bytes', 'memory_mcp_uptime_seconds'])
      assert.ok(m.families.has(name), `family ${name}`);
    assert.equal(value(m, 'audit_security_violations_total'), 0);
    assert.ok(value(m, 'process_resident_memory_bytes') > 1e6);

    // A crash (a write: one token of the burst of 3), then two writes pass and the third is denied; a malformed
    // line is a security violation; bulk_episodes is a bulk operation.
    assert.ok(!(await s.request('tools/call', { name: 'debug_crash', arguments: { actor: 'pattern_learner' } })).error);
    const create = () => s.request('tools/call', { name: 'create_episode', arguments: { task_description: 't', domain: 'd', task_type: 'testing' } });
    const ids = [];
    for (let i = 0; i < 3; i++) { const r = await create(); if (!r.error) ids.push(r.result.structuredContent.episode_id); }
    assert.equal(ids.length, 2);
    s.send('{"jsonrpc": "2.0", "id": 1, garbage');
    await s.request('tools/call', { name: 'bulk_episodes', arguments: { episode_ids: ids } });

    m = await pollUntil(async () => {
      const now = await scrape();
      return value(now, 'memory_mcp_actor_restarts_total', '{actor="pattern_learner"}') === 1 ? now : null;
    }, { what: 'the restart counted' });
    assert.equal(value(m, 'memory_mcp_tool_calls_total', '{tool="create_episode",result="success"}'), 2);
    assert.equal(value(m, 'memory_mcp_tool_calls_total', '{tool="create_episode",result="denied"}'), 1);
    assert.equal(value(m, 'memory_mcp_rate_limit_denials_total', '{class="write"}'), 1);
    assert.equal(value(m, 'audit_security_violations_total'), 1);
    assert.equal(value(m, 'audit_bulk_operations_total'), 1);
    assert.equal(value(m, 'memory_mcp_episodes', '{status="in_progress"}'), 2);
    assert.equal(value(m, 'memory_mcp_patterns', '{kind="tool_sequence"}'), 0);
    assert.equal(value(m, 'memory_mcp_tool_call_duration_seconds_count', '{tool="create_episode"}'), 3);
    assert.equal(value(m, 'memory_mcp_tool_call_duration_seconds_bucket', '{tool="create_episode",le="+Inf"}'), 3);
  } finally {
    await s.dispose();
  }
});

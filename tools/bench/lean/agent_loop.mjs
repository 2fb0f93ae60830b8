// An agent-like sequential load on an existing database: create_episode, 10 × add_episode_step (one failing),
// complete_episode, repeated; prints p50/p90/p99/max per tool. Waits `wait_ms` first so that the pattern learner's
// recall index is built (a completion queued behind a slice of the build would measure the build).
//   node tools/bench/lean/agent_loop.mjs <binary> <data-dir> [episodes=800] [wait_ms=7000]
// The data directory is used as is: run it on a copy (e.g. of build/bench/ds-100k-import-seed1-gen1).

import { startServer } from './rpc.mjs';

const [bin, dir, n = '800', wait = '7000'] = process.argv.slice(2);
if (!bin || !dir) {
  console.error('usage: agent_loop.mjs <binary> <data-dir> [episodes] [wait_ms]');
  process.exit(2);
}
const { child, request: req } = startServer(bin, { MEMORY_DATA_DIR: dir, MEMORY_MCP_HTTP_ADDR: 'off', MCP_RATE_LIMIT_ENABLED: 'false' });
const tool = async (name, args) => {
  const r = await req('tools/call', { name, arguments: args });
  if (r.error || r.result.isError) { console.error(JSON.stringify(r).slice(0, 300)); process.exit(1); }
  return r.result.structuredContent;
};
await req('initialize', { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'agent-loop', version: '1' } });
await new Promise((r) => setTimeout(r, Number(wait)));
const tools = ['grep', 'read_file', 'edit_file', 'run_tests', 'git_commit'];
const lat = { create_episode: [], add_episode_step: [], complete_episode: [] };
const timed = async (name, args) => {
  const s = process.hrtime.bigint();
  const r = await tool(name, args);
  lat[name].push(Number(process.hrtime.bigint() - s) / 1e6);
  return r;
};
for (let e = 0; e < Number(n); e++) {
  const { episode_id } = await timed('create_episode', { task_description: `fix bug ${e} in module ${e % 37}`,
    domain: ['web', 'data', 'ml'][e % 3], task_type: 'debugging', language: 'python' });
  for (let s = 1; s <= 10; s++)
    await timed('add_episode_step', { episode_id, step_number: s, tool: tools[s % 5], action: `step ${s} on file ${e}.py`,
      result: s === 4 ? { type: 'error', message: 'AssertionError: expected 3' } : { type: 'success', output: 'ok' }, latency_ms: 20 });
  await timed('complete_episode', { episode_id, outcome_type: 'success', verdict: 'fixed' });
}
const q = (v, p) => v[Math.min(v.length - 1, Math.floor(v.length * p))].toFixed(2);
for (const [name, v] of Object.entries(lat)) {
  v.sort((a, b) => a - b);
  console.log(`${name.padEnd(17)} n ${v.length}  p50 ${q(v, 0.5)}  p90 ${q(v, 0.9)}  p99 ${q(v, 0.99)}  max ${v[v.length - 1].toFixed(2)} ms`);
}
child.stdin.end();

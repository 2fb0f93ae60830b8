// A lean write driver: N add_episode_step calls with D in flight over raw stdio, small steps, against a fresh
// data directory; prints steps/s and the server's CPU per step. The full harness (../bench.mjs) sends larger,
// varied steps and measures more; this one shows how much of the cost is the server's own.
//   node tools/bench/lean/steps.mjs [binary] [steps=40000] [in-flight=32]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { startServer } from './rpc.mjs';

const [bin = 'build/release/memory-mcp-server', n = '40000', depthArg = '32'] = process.argv.slice(2);
const total = Number(n);
const depth = Number(depthArg);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-lean-'));
const { child, request: req } = startServer(bin, { MEMORY_DATA_DIR: path.join(dir, 'data'), MEMORY_MCP_HTTP_ADDR: 'off', MCP_RATE_LIMIT_ENABLED: 'false' });
await req('initialize', { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'lean-steps', version: '1' } });
const episodes = [];
for (let e = 0; e < 100; e++)
  episodes.push((await req('tools/call', { name: 'create_episode', arguments: { task_description: `load ${e}`, domain: 'web', task_type: 'debugging' } })).result.structuredContent.episode_id);
const cpu0 = fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(' ');
let next = 0;
const t0 = process.hrtime.bigint();
async function lane() {
  while (next < total) {
    const k = next++;
    const r = await req('tools/call', { name: 'add_episode_step', arguments: { episode_id: episodes[k % 100], step_number: Math.floor(k / 100) + 1,
      tool: 'read_file', action: 'read src/app.py', parameters: { path: 'src/app.py' }, result: { type: 'success', output: 'ok' }, latency_ms: 12 } });
    if (r.error || r.result.isError) { console.error(JSON.stringify(r)); process.exit(1); }
  }
}
await Promise.all(Array.from({ length: depth }, lane));
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
const cpu1 = fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(' ');
const serverCpu = (Number(cpu1[13]) + Number(cpu1[14]) - Number(cpu0[13]) - Number(cpu0[14])) / 100;
console.log(`${total} steps, ${depth} in flight: ${(total / seconds).toFixed(0)} steps/s; server CPU ${(serverCpu / total * 1e6).toFixed(0)} us/step`);
child.stdin.end();
child.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));

// The comparison run: the same calls through the official MCP TypeScript SDK client (Client +
// StdioClientTransport), which is what most agents use. Its latency includes the SDK's own work: request
// bookkeeping, zod validation of every response and, for tools with an outputSchema, validation of
// structuredContent against it.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

import { otherCpuPct, procCpuMs, systemCpu } from './server.mjs';
import { Samples } from './stats.mjs';

const now = () => process.hrtime.bigint();

export async function connectSdk({ bin, env }) {
  const transport = new StdioClientTransport({ command: bin, args: [], env, stderr: 'pipe' });
  let stderrTail = '';
  transport.stderr?.on('data', (d) => { stderrTail = (stderrTail + d).slice(-20000); });
  const client = new Client({ name: 'memory-mcp-bench-sdk', version: '0.1.0' });
  const t0 = now();
  await client.connect(transport);
  const connectMs = Number(now() - t0) / 1e6;
  const { tools } = await client.listTools(); // also caches the output-schema validators, as agents do
  return { client, transport, pid: transport.pid, connectMs, tools, stderrTail: () => stderrTail };
}

// One SDK call for a table entry; resolves null on success or the error text.
async function callOnce(client, entry, args, params) {
  try {
    if (entry.method === 'ping') {
      await client.ping();
      return { err: null };
    }
    if (entry.method) {
      await client.request({ method: entry.method, params }, undefined);
      return { err: null };
    }
    const r = await client.callTool({ name: entry.tool ?? entry.name, arguments: args });
    return { err: r.isError ? `tool error: ${r.content?.[0]?.text}` : null, structured: r.structuredContent };
  } catch (e) {
    return { err: String(e.message ?? e) };
  }
}

// Same contract as RawServer.pipelined, with `depth` concurrent sequential callers.
export async function sdkPipelined({ sdk, entry, c, depth = 1, count = Infinity, durationMs = Infinity }) {
  const samples = new Samples();
  let issued = 0;
  let errors = 0;
  let firstError = null;
  const cpu0 = procCpuMs(sdk.pid);
  const drv0 = process.cpuUsage();
  const sys0 = systemCpu();
  const t0 = now();
  const deadline = durationMs === Infinity ? null : t0 + BigInt(Math.round(durationMs * 1e6));
  const lane = async (l) => {
    for (;;) {
      if (issued >= count || (deadline !== null && now() >= deadline)) return;
      const i = issued;
      const args = entry.args ? entry.args(c, i, l) : undefined;
      if (entry.args && args === null) return;
      const params = entry.params ? entry.params(c, i) : undefined;
      issued++;
      const ts = now();
      const { err, structured } = await callOnce(sdk.client, entry, args, params);
      samples.add(Number(now() - ts));
      if (err) {
        errors++;
        firstError ??= err;
      } else if (entry.after) entry.after(c, structured, args);
    }
  };
  await Promise.all(Array.from({ length: depth }, (_, l) => lane(l)));
  const wallNs = Number(now() - t0);
  const cpu1 = procCpuMs(sdk.pid);
  const drv = process.cpuUsage(drv0);
  const cpuMs = cpu0 !== null && cpu1 !== null ? cpu1 - cpu0 : null;
  const driverCpuMs = (drv.user + drv.system) / 1000;
  return { samples, errors, firstError, wallNs, issued, cpuMs, driverCpuMs, otherCpuPct: otherCpuPct(sys0, systemCpu(), cpuMs, driverCpuMs) };
}

// The real memory-mcp-server driven over raw stdio: newline-delimited JSON-RPC, any number of requests in
// flight, responses matched by id, per-request latency from process.hrtime.bigint(). Also the /proc readings
// (RSS, high-water mark, CPU time) and the time-to-ready probes.
//
// Latency of one request = time its line was handed to the stdin pipe -> time the chunk holding its response
// line arrived on stdout (taken once per chunk, before parsing, so the parse of earlier lines in the chunk is
// not charged to later ones).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';

import { Samples } from './stats.mjs';

const now = () => process.hrtime.bigint();
export const CLK_TCK = 100; // Linux USER_HZ for /proc/<pid>/stat on every mainstream kernel

// { VmRSS, VmHWM, VmPeak, VmSize, Threads } in bytes (Threads: count) from /proc/<pid>/status; null if gone.
export function procStatus(pid) {
  try {
    const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const out = {};
    for (const key of ['VmRSS', 'VmHWM', 'VmPeak', 'VmSize']) {
      const m = text.match(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm'));
      if (m) out[key] = Number(m[1]) * 1024;
    }
    const t = text.match(/^Threads:\s+(\d+)/m);
    if (t) out.Threads = Number(t[1]);
    return out;
  } catch {
    return null;
  }
}

// User + system CPU time of the process (all threads) in milliseconds; null if gone. Resolution 10 ms.
export function procCpuMs(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state); utime is field 14, stime field 15.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
  } catch {
    return null;
  }
}

// Machine-wide CPU time from /proc/stat in milliseconds: { busyMs, totalMs } (busy = everything but idle and
// iowait, summed over all CPUs).
export function systemCpu() {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).slice(1).map(Number);
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = f[3] + f[4];
  return { busyMs: ((total - idle) * 1000) / CLK_TCK, totalMs: (total * 1000) / CLK_TCK };
}

// Share of the machine (0..100 % of all CPUs) that processes other than `pids` and this driver used between two
// systemCpu() readings, given the CPU the server used (serverMs) and the driver used (driverMs) meanwhile.
export function otherCpuPct(before, after, serverMs, driverMs) {
  const total = after.totalMs - before.totalMs;
  if (!(total > 0)) return null;
  const other = after.busyMs - before.busyMs - (serverMs ?? 0) - (driverMs ?? 0);
  return Math.max(0, Math.round((other / total) * 1000) / 10);
}

// Waits (up to maxS seconds) until the other processes on the machine use less than maxPct % of it over a
// 500 ms window, so a row does not start in the middle of someone else's compile. Resolves the seconds waited.
export async function waitIdle(maxS, maxPct = 15) {
  if (!(maxS > 0)) return 0;
  const t0 = Date.now();
  for (;;) {
    const a = systemCpu();
    const d0 = process.cpuUsage();
    await new Promise((r) => setTimeout(r, 500));
    const d = process.cpuUsage(d0);
    const pct = otherCpuPct(a, systemCpu(), 0, (d.user + d.system) / 1000);
    if (pct !== null && pct < maxPct) return (Date.now() - t0) / 1000;
    if (Date.now() - t0 > maxS * 1000) return (Date.now() - t0) / 1000;
  }
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export class RawServer {
  // bin: path; env: the complete environment of the child.
  constructor({ bin, env, args = [] }) {
    this.bin = bin;
    this.env = env;
    this.args = args;
    this.nextId = 1;
    this.pending = new Map(); // id -> { t0, cb }
    this.notifications = 0;
    this.unmatched = 0;
    this.badLines = [];
    this.stderrTail = '';
  }

  start() {
    this.spawnedAt = now();
    this.child = spawn(this.bin, this.args, { env: this.env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.pid = this.child.pid;
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
    this.child.on('error', (err) => { this.spawnError = err; });
    let buf = '';
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (chunk) => {
      const t1 = now();
      buf += chunk;
      let start = 0;
      let nl;
      while ((nl = buf.indexOf('\n', start)) >= 0) {
        this.#onLine(buf.slice(start, nl), t1);
        start = nl + 1;
      }
      buf = buf.slice(start);
    });
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (d) => {
      this.stderrTail = (this.stderrTail + d).slice(-20000);
      if (this.onStderr) this.onStderr(d);
    });
    this.child.stdin.on('error', () => { /* EPIPE once the server is gone: the pending requests fail below */ });
    this.child.once('exit', () => {
      for (const [, p] of this.pending) p.cb(null, 0n, new Error(`server exited; stderr tail:\n${this.stderrTail.slice(-2000)}`));
      this.pending.clear();
    });
    return this;
  }

  #onLine(line, t1) {
    if (line.length === 0) return;
    let msg;
    try {
      msg = JSON.parse(line);
    } catch {
      if (this.badLines.length < 10) this.badLines.push(line.slice(0, 300));
      return;
    }
    if (msg.id === undefined || msg.id === null || !('result' in msg || 'error' in msg)) {
      if (msg.method) this.notifications++;
      else this.unmatched++;
      return;
    }
    const p = this.pending.get(msg.id);
    if (!p) {
      this.unmatched++;
      return;
    }
    this.pending.delete(msg.id);
    p.cb(msg, t1 - p.t0, null);
  }

  // Sends one request; cb(msg, latencyNs: bigint, err) when its response arrives (or the server dies).
  send(method, params, cb) {
    const id = this.nextId++;
    const line = JSON.stringify(params === undefined ? { jsonrpc: '2.0', id, method } : { jsonrpc: '2.0', id, method, params }) + '\n';
    const t0 = now();
    this.pending.set(id, { t0, cb });
    this.child.stdin.write(line);
    return id;
  }

  notify(method, params) {
    this.child.stdin.write(JSON.stringify({ jsonrpc: '2.0', method, ...(params ? { params } : {}) }) + '\n');
  }

  // Promise form: resolves { msg, ns } (ns a number), rejects if the server died.
  request(method, params) {
    return new Promise((resolve, reject) => {
      this.send(method, params, (msg, ns, err) => (err ? reject(err) : resolve({ msg, ns: Number(ns) })));
    });
  }

  // Resolves the structuredContent of a successful tool call; throws with the server's message otherwise.
  async tool(name, args) {
    const { msg } = await this.request('tools/call', { name, arguments: args });
    const err = callError(msg);
    if (err) throw new Error(`${name}: ${err}`);
    return msg.result.structuredContent;
  }

  async initialize(protocolVersion = '2025-11-25') {
    const { msg, ns } = await this.request('initialize', {
      protocolVersion, capabilities: {}, clientInfo: { name: 'memory-mcp-bench', version: '0.1.0' },
    });
    if (msg.error) throw new Error(`initialize failed: ${JSON.stringify(msg.error)}`);
    this.notify('notifications/initialized');
    this.initializeResult = msg.result;
    return { result: msg.result, ns };
  }

  async listTools() {
    const tools = [];
    let cursor;
    do {
      const { msg } = await this.request('tools/list', cursor ? { cursor } : {});
      if (msg.error) throw new Error(`tools/list failed: ${JSON.stringify(msg.error)}`);
      tools.push(...msg.result.tools);
      cursor = msg.result.nextCursor;
    } while (cursor);
    return tools;
  }

  // Keeps `depth` requests in flight. next(i, lane) returns { method, params } for request i issued on lane
  // (0..depth-1; a lane issues its next request only after its previous one was answered, so per-lane state such
  // as "the episode this agent is working on" stays sequential), or null when the lane has nothing more to send.
  // Stops issuing after `count` requests or `durationMs`, whichever comes first. onResult(msg, i, lane, req)
  // may inspect the response. Resolves { samples, errors, firstError, wallNs, issued, cpuMs, driverCpuMs }.
  pipelined({ depth = 1, count = Infinity, durationMs = Infinity, next, onResult, classify = callError }) {
    return new Promise((resolve, reject) => {
      const samples = new Samples();
      let issued = 0;
      let inFlight = 0;
      let errors = 0;
      let firstError = null;
      let stopped = false;
      let failed = null;
      const cpu0 = procCpuMs(this.pid);
      const drv0 = process.cpuUsage();
      const sys0 = systemCpu();
      const t0 = now();
      const deadline = durationMs === Infinity ? null : t0 + BigInt(Math.round(durationMs * 1e6));
      const finish = () => {
        const wallNs = Number(now() - t0);
        const cpu1 = procCpuMs(this.pid);
        const drv = process.cpuUsage(drv0);
        const cpuMs = cpu1 !== null && cpu0 !== null ? cpu1 - cpu0 : null;
        const driverCpuMs = (drv.user + drv.system) / 1000;
        if (failed) reject(failed);
        else resolve({ samples, errors, firstError, wallNs, issued, cpuMs, driverCpuMs, otherCpuPct: otherCpuPct(sys0, systemCpu(), cpuMs, driverCpuMs) });
      };
      const issue = (lane) => {
        if (stopped || issued >= count || (deadline !== null && now() >= deadline)) {
          stopped = true;
          return false;
        }
        const i = issued;
        const req = next(i, lane);
        if (!req) return false;
        issued++;
        inFlight++;
        this.send(req.method, req.params, (msg, ns, err) => {
          inFlight--;
          if (err) {
            failed = err;
            stopped = true;
          } else {
            samples.add(Number(ns));
            const e = classify(msg);
            if (e) {
              errors++;
              if (!firstError) firstError = e;
            }
            if (onResult) onResult(msg, i, lane, req);
            issue(lane);
          }
          if (inFlight === 0) finish();
        });
        return true;
      };
      let started = 0;
      for (let lane = 0; lane < depth; lane++) if (issue(lane)) started++;
      if (started === 0) finish();
    });
  }

  // Closes stdin (the server drains and exits 0); SIGKILL after timeoutMs. Resolves { code, signal, exitMs }.
  async close(timeoutMs = 15000) {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return { code: this.child.exitCode, signal: this.child.signalCode, exitMs: 0 };
    const t0 = now();
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    const r = await this.exited;
    clearTimeout(timer);
    return { ...r, exitMs: Number(now() - t0) / 1e6 };
  }

  kill() {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

// A JSON-RPC error or a tool failure as text, or null for a success.
export function callError(msg) {
  if (!msg) return 'no response';
  if (msg.error) return `JSON-RPC ${msg.error.code} ${msg.error.message}`;
  if (msg.result && msg.result.isError) return `tool error: ${msg.result.content?.[0]?.text ?? '(no text)'}`;
  return null;
}

// Samples VmRSS of `pid` every intervalMs. stop() -> { samples, max_rss_bytes, last_rss_bytes }.
export function rssSampler(pid, intervalMs = 100) {
  let max = 0;
  let last = 0;
  let n = 0;
  const timer = setInterval(() => {
    const s = procStatus(pid);
    if (!s || s.VmRSS === undefined) return;
    n++;
    last = s.VmRSS;
    if (s.VmRSS > max) max = s.VmRSS;
  }, intervalMs);
  timer.unref();
  return {
    peek: () => ({ samples: n, max_rss_bytes: max, last_rss_bytes: last }),
    resetMax: () => { max = last; },
    stop: () => {
      clearInterval(timer);
      return { samples: n, max_rss_bytes: max, last_rss_bytes: last };
    },
  };
}

function httpStatus(port, path) {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent: false, timeout: 1000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', () => resolve(0));
    req.on('timeout', () => { req.destroy(); resolve(0); });
  });
}

// One time-to-ready probe on an existing database: spawn -> initialize response (written right after spawn,
// so the server reads it as soon as its stdin reader runs). With http: true, the server also gets
// MEMORY_MCP_HTTP_ADDR=127.0.0.1:<free port> and GET /ready is polled every pollMs until it answers 200.
// Then stdin is closed and the exit timed. Resolves { initialize_ms, ready_ms?, first_http_ms?, exit_ms, rss_bytes }.
export async function probeReady({ bin, env, http: withHttp = false, pollMs = 2, timeoutMs = 60000 }) {
  let port;
  const e = { ...env };
  if (withHttp) {
    port = await freePort();
    e.MEMORY_MCP_HTTP_ADDR = `127.0.0.1:${port}`;
  }
  const srv = new RawServer({ bin, env: e }).start();
  try {
    const t0 = srv.spawnedAt;
    const init = srv.initialize().then(() => Number(now() - t0) / 1e6);
    let readyMs = null;
    let firstHttpMs = null;
    if (withHttp) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const code = await httpStatus(port, '/ready');
        if (code !== 0 && firstHttpMs === null) firstHttpMs = Number(now() - t0) / 1e6;
        if (code === 200) {
          readyMs = Number(now() - t0) / 1e6;
          break;
        }
        if (Date.now() > deadline) throw new Error(`/ready did not answer 200 within ${timeoutMs} ms; stderr:\n${srv.stderrTail}`);
        if (srv.child.exitCode !== null) throw new Error(`server exited during the ready probe; stderr:\n${srv.stderrTail}`);
        await new Promise((r) => setTimeout(r, pollMs));
      }
    }
    const initializeMs = await init;
    const rss = procStatus(srv.pid)?.VmRSS ?? null;
    const { code, exitMs } = await srv.close();
    if (code !== 0) throw new Error(`server exited with ${code} after the ready probe; stderr:\n${srv.stderrTail}`);
    return { initialize_ms: round3(initializeMs), ...(withHttp ? { ready_ms: round3(readyMs), first_http_ms: round3(firstHttpMs) } : {}),
      exit_ms: round3(exitMs), rss_after_ready_bytes: rss };
  } finally {
    srv.kill();
  }
}

export const round3 = (x) => (x === null || x === undefined ? x : Math.round(x * 1000) / 1000);

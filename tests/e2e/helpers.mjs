// Shared helpers for the end-to-end tests: start the real binary (raw stdio or the official SDK client), read
// its stdout as newline-delimited JSON-RPC, poll for conditions with deadlines, and make sure no child process
// outlives the test file (every spawned process is killed in teardown or, at the latest, at process exit).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

const here = path.dirname(fileURLToPath(import.meta.url));

// The binary under test: set by ctest; falls back to the dev build for `node --test` by hand.
export const BIN = process.env.MEMORY_MCP_BIN ?? path.resolve(here, '../../build/dev/memory-mcp-server');

// Every actor the supervisor runs, in start order (see actors/supervisor.cpp).
export const ACTORS = ['auditor', 'rate_limiter', 'episode_store', 'pattern_learner', 'turso_syncer', 'stdio_writer',
  'router', 'http_endpoint', 'stdio_reader'];

const children = new Set();
function killAll() {
  for (const child of children) {
    try { child.kill('SIGKILL'); } catch { /* already gone */ }
  }
}
process.on('exit', killAll);

const tempDirs = [];
process.on('exit', () => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

// A fresh scratch directory, removed when the test process exits.
export function tempDir(prefix = 'memory-mcp-e2e-') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Calls `fn` until it returns a truthy value (returned) or `timeoutMs` passes (throws, naming `what`).
export async function pollUntil(fn, { timeoutMs = 5000, intervalMs = 20, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  for (;;) {
    try {
      const value = await fn();
      if (value) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}` + (lastError ? `: ${lastError.message}` : ''));
    }
    await sleep(intervalMs);
  }
}

// Rejects if `promise` does not settle within `ms`.
export function withTimeout(promise, ms, what = 'operation') {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

// Environment for a server: a private data dir, no fixed HTTP port, plus `extra`.
export function serverEnv(extra = {}) {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    MEMORY_DATA_DIR: path.join(tempDir(), 'data'),
    MEMORY_MCP_HTTP_ADDR: 'off',
    ...(process.env.ASAN_OPTIONS ? { ASAN_OPTIONS: process.env.ASAN_OPTIONS } : {}),
    ...(process.env.UBSAN_OPTIONS ? { UBSAN_OPTIONS: process.env.UBSAN_OPTIONS } : {}),
    ...extra,
  };
}

// Tracks a child's exit: resolves { code, signal } once it exited.
function trackExit(child) {
  children.add(child);
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
    });
  });
  return exited;
}

// Runs the binary to completion (for --help, --version, bad config, health-check). Killed after timeoutMs.
export async function runToExit(args, { env = serverEnv(), timeoutMs = 10000 } = {}) {
  const child = spawn(BIN, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = trackExit(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stderr += d; });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const { code, signal } = await exited;
  clearTimeout(timer);
  return { code, signal, stdout, stderr };
}

// The server driven over raw stdin/stdout lines.
export class RawServer {
  constructor({ env = serverEnv(), args = [] } = {}) {
    this.env = env;
    this.child = spawn(BIN, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.exited = trackExit(this.child);
    this.messages = [];   // every parsed stdout line, in order
    this.badLines = [];   // stdout lines that were not a JSON-RPC 2.0 message (must stay empty)
    this.stderr = '';
    this.nextId = 1000;
    this.waiters = [];
    let pending = '';
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (chunk) => {
      pending += chunk;
      let nl;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        this.#onLine(line);
      }
    });
    this.child.stdout.on('end', () => {
      if (pending.length > 0) this.badLines.push(`(unterminated) ${pending}`);
    });
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (d) => { this.stderr += d; });
    this.child.stdin.on('error', () => { /* EPIPE after the server exited is expected in some tests */ });
  }

  #onLine(line) {
    let msg;
    try {
      msg = JSON.parse(line);
    } catch {
      this.badLines.push(line);
      return;
    }
    const ok = (m) => m !== null && typeof m === 'object' && m.jsonrpc === '2.0';
    if (!(Array.isArray(msg) ? msg.length > 0 && msg.every(ok) : ok(msg))) this.badLines.push(line);
    this.messages.push(msg);
    this.waiters = this.waiters.filter((w) => !w(msg));
  }

  // Writes raw text or bytes as-is (no newline added).
  write(data) { this.child.stdin.write(data); }

  // Writes one message (object or string) followed by '\n'.
  send(msg) { this.write((typeof msg === 'string' ? msg : JSON.stringify(msg)) + '\n'); }

  // Resolves with the first message (already received or future) for which `pred` is true.
  next(pred, { timeoutMs = 5000, what = 'a matching message' } = {}) {
    const found = this.messages.find(pred);
    if (found !== undefined) return Promise.resolve(found);
    return withTimeout(new Promise((resolve) => {
      this.waiters.push((m) => (pred(m) ? (resolve(m), true) : false));
    }), timeoutMs, `waiting for ${what}; stderr:\n${this.stderr}`);
  }

  // The response to request `id`.
  response(id, opts = {}) {
    return this.next((m) => !Array.isArray(m) && m.id === id && ('result' in m || 'error' in m),
      { what: `the response to id ${JSON.stringify(id)}`, ...opts });
  }

  // Sends a request and resolves with its response.
  request(method, params, opts = {}) {
    const id = opts.id ?? this.nextId++;
    const msg = { jsonrpc: '2.0', id, method };
    if (params !== undefined) msg.params = params;
    this.send(msg);
    return this.response(id, opts);
  }

  notify(method, params) {
    const msg = { jsonrpc: '2.0', method };
    if (params !== undefined) msg.params = params;
    this.send(msg);
  }

  // initialize + notifications/initialized; resolves with the initialize result.
  async initialize(protocolVersion = '2025-11-25') {
    const r = await this.request('initialize', {
      protocolVersion, capabilities: {}, clientInfo: { name: 'raw-e2e', version: '0.0.1' },
    });
    if (r.error) throw new Error(`initialize failed: ${JSON.stringify(r.error)}`);
    this.notify('notifications/initialized');
    return r.result;
  }

  callTool(name, args, opts = {}) {
    const params = { name, arguments: args };
    if (opts.progressToken !== undefined) params._meta = { progressToken: opts.progressToken };
    return this.request('tools/call', params, opts);
  }

  // The structuredContent of a successful health_check.
  async health(opts = {}) {
    const r = await this.callTool('health_check', {}, opts);
    if (!r.result || r.result.isError) throw new Error(`health_check failed: ${JSON.stringify(r)}`);
    return r.result.structuredContent;
  }

  // Closes stdin (EOF) and waits for the exit.
  async closeStdin(timeoutMs = 5000) {
    this.child.stdin.end();
    return withTimeout(this.exited, timeoutMs, 'server exit after EOF');
  }

  // The HTTP port from the "http_endpoint: listening on http://HOST:PORT" log line (the last one, if several).
  async httpPort({ after = 0, timeoutMs = 5000 } = {}) {
    return pollUntil(() => {
      const matches = [...this.stderr.matchAll(/listening on https?:\/\/[^\s:]+:(\d+)/g)];
      return matches.length > after ? Number(matches[matches.length - 1][1]) : 0;
    }, { timeoutMs, what: 'the http_endpoint listening line' });
  }

  // SIGKILLs the process if it still runs. For teardown.
  async dispose() {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGKILL');
      await this.exited;
    }
  }
}

// The official SDK client connected over stdio. Returns { client, transport, proc, exited, stderr(), errors,
// protocolVersion(), dispose }. `errors` collects client.onerror reports (e.g. a non-JSON stdout line, an unknown response id).
export async function connectSdk({ env = serverEnv(), name = 'sdk-e2e' } = {}) {
  const transport = new StdioClientTransport({ command: BIN, args: [], env, stderr: 'pipe' });
  let stderr = '';
  transport.stderr.on('data', (d) => { stderr += d; });
  // StdioClientTransport has no setProtocolVersion; the client calls it when present, so it records the version.
  let negotiated;
  transport.setProtocolVersion = (v) => { negotiated = v; };
  const client = new Client({ name, version: '0.0.1' });
  const errors = [];
  client.onerror = (err) => errors.push(err);
  const connecting = client.connect(transport);
  // The transport keeps its child private; reach it once to track the exit status and kill it in teardown.
  const proc = await pollUntil(() => transport._process, { timeoutMs: 5000, intervalMs: 1, what: 'the spawned server' });
  const exited = trackExit(proc);
  await withTimeout(connecting, 10000, 'SDK connect');
  return {
    client, transport, proc, exited, errors,
    stderr: () => stderr,
    protocolVersion: () => negotiated,
    async dispose() {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGKILL');
        await exited;
      }
      await client.close().catch(() => {});
    },
  };
}

// A TCP port on 127.0.0.1 that nothing listens on (bound, then released).
export async function freePort() {
  const srv = net.createServer();
  await new Promise((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address();
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

// The components of a health_check result as { name: component }.
export function byName(components) {
  return Object.fromEntries(components.map((c) => [c.name, c]));
}

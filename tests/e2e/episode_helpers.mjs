// Helpers for the episodic-memory end-to-end tests (episodes.test.mjs, durability.test.mjs): start the real
// binary on a given data directory, either behind the official SDK client or as a raw newline-delimited JSON-RPC
// pipe; poll with deadlines; and make sure no child outlives the test file (every spawned process is SIGKILLed
// in teardown or, at the latest, when the test process exits).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

const here = path.dirname(fileURLToPath(import.meta.url));

// The binary under test: set by ctest; falls back to the dev build when run by hand.
export const BIN = process.env.MEMORY_MCP_BIN ?? path.resolve(here, '../../build/dev/memory-mcp-server');

const live = new Set();  // child processes not yet seen exiting
const dirs = [];
process.on('exit', () => {
  for (const child of live) {
    try { child.kill('SIGKILL'); } catch { /* gone */ }
  }
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

// A fresh data directory path (its parent exists; the server creates the directory itself).
export function dataDir() {
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'mm-episodes-'));
  dirs.push(parent);
  return path.join(parent, 'data');
}

// Server environment: the data dir, no HTTP listener, rate limiting off unless `extra` turns it on.
export function env(dir, extra = {}) {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    MEMORY_DATA_DIR: dir,
    MEMORY_MCP_HTTP_ADDR: 'off',
    MCP_RATE_LIMIT_ENABLED: 'false',
    ...(process.env.ASAN_OPTIONS ? { ASAN_OPTIONS: process.env.ASAN_OPTIONS } : {}),
    ...(process.env.UBSAN_OPTIONS ? { UBSAN_OPTIONS: process.env.UBSAN_OPTIONS } : {}),
    ...extra,
  };
}

function track(child) {
  live.add(child);
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
    });
    child.once('error', (error) => {  // spawn failed (e.g. the binary is being relinked): no 'exit' follows
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) return;
      live.delete(child);
      resolve({ code: null, signal: null, error });
    });
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Calls `fn` until it returns a truthy value (returned) or `timeoutMs` passes (throws, naming `what`).
export async function pollUntil(fn, { timeoutMs = 10000, intervalMs = 20, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last.message}` : ''}`);
    await sleep(intervalMs);
  }
}

// Rejects if `promise` does not settle within `ms`. `what` may be a function, evaluated only on timeout.
export function withTimeout(promise, ms, what) {
  let timer;
  const name = () => (typeof what === 'function' ? what() : what);
  return Promise.race([
    promise,
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${name()} did not finish within ${ms} ms`)), ms); }),
  ]).finally(() => clearTimeout(timer));
}

// The official SDK client over stdio, with every tool's outputSchema validator cached (all tools/list pages), so
// each callTool checks structuredContent against the tool's outputSchema. Returns { client, proc, stderr(), close }.
export async function connect(dir, extraEnv = {}) {
  const transport = new StdioClientTransport({ command: BIN, args: [], env: env(dir, extraEnv), stderr: 'pipe' });
  let stderr = '';
  transport.stderr.on('data', (d) => { stderr += d; });
  const client = new Client({ name: 'episodes-e2e', version: '0.0.1' });
  const connecting = client.connect(transport);
  const proc = await pollUntil(() => transport._process, { timeoutMs: 5000, intervalMs: 1, what: 'the spawned server' });
  const exited = track(proc);
  try {
    await withTimeout(connecting, 15000, 'SDK connect');
  } catch (err) {
    proc.kill('SIGKILL');
    throw new Error(`${err.message}; stderr:\n${stderr}`);
  }
  const tools = [];
  let cursor;
  do {
    const page = await client.listTools(cursor ? { cursor } : {});
    tools.push(...page.tools);
    cursor = page.nextCursor;
  } while (cursor);
  client.cacheToolMetadata(tools);  // listTools keeps only the last page's validators
  return {
    client,
    proc,
    tools,
    exited,
    stderr: () => stderr,
    async close() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      await exited;
      await client.close().catch(() => {});
    },
  };
}

// structuredContent of a successful call (the SDK has validated it against outputSchema).
export async function ok(client, name, args = {}) {
  const r = await client.callTool({ name, arguments: args });
  assert.ok(!r.isError, `${name} failed: ${JSON.stringify(r.content)}`);
  assert.ok(r.structuredContent, `${name}: no structuredContent`);
  return r.structuredContent;
}

// The error text of a tool call that must fail as a tool result (isError: true), checked against `pattern`.
export async function fails(client, name, args, pattern) {
  const r = await client.callTool({ name, arguments: args });
  assert.equal(r.isError, true, `${name} should have failed: ${JSON.stringify(r.structuredContent ?? r.content)}`);
  const text = r.content.map((c) => c.text ?? '').join('\n');
  if (pattern) assert.match(text, pattern);
  return text;
}

// The server on raw stdin/stdout: every response is kept by id; `request` resolves with the response.
export class Raw {
  constructor(dir, extraEnv = {}) {
    this.child = spawn(BIN, [], { env: env(dir, extraEnv), stdio: ['pipe', 'pipe', 'pipe'] });
    this.exited = track(this.child);
    this.responses = new Map();  // id -> message
    this.waiters = new Map();    // id -> resolve
    this.stderr = '';
    this.badLines = [];
    this.nextId = 1;
    this.onResponse = null;      // optional (msg) => void, called for every response
    let buf = '';
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (chunk) => {
      buf += chunk;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        let msg;
        try { msg = JSON.parse(line); } catch { this.badLines.push(line); continue; }
        if (msg && msg.id !== undefined && msg.id !== null) {
          this.responses.set(msg.id, msg);
          const w = this.waiters.get(msg.id);
          if (w) { this.waiters.delete(msg.id); w(msg); }
          if (this.onResponse) this.onResponse(msg);
        }
      }
    });
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (d) => { this.stderr += d; });
    this.child.stdin.on('error', () => { /* EPIPE once killed */ });
  }

  get running() { return this.child.exitCode === null && this.child.signalCode === null; }

  send(msg) { this.child.stdin.write(JSON.stringify(msg) + '\n'); }

  // Sends a request; resolves with its response (rejects after timeoutMs).
  request(method, params, { timeoutMs = 15000 } = {}) {
    const id = this.nextId++;
    const done = new Promise((resolve) => {
      const have = this.responses.get(id);
      if (have) resolve(have);
      else this.waiters.set(id, resolve);
    });
    this.send({ jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) });
    const died = this.exited.then(({ code, signal, error }) => {
      // A response that arrived just before the exit still counts.
      if (this.responses.has(id)) return this.responses.get(id);
      throw new Error(`server exited (code ${code}, signal ${signal}${error ? `, ${error.message}` : ''}) before answering ${method} #${id}; stderr:\n${this.stderr.slice(-2000)}`);
    });
    return withTimeout(Promise.race([done, died]), timeoutMs, () => `response to ${method} #${id}; stderr:\n${this.stderr.slice(-2000)}`);
  }

  // Sends without waiting; returns the id.
  fire(method, params) {
    const id = this.nextId++;
    this.send({ jsonrpc: '2.0', id, method, params });
    return id;
  }

  async initialize() {
    const r = await this.request('initialize', {
      protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'episodes-raw', version: '0.0.1' },
    });
    assert.ok(r.result, `initialize failed: ${JSON.stringify(r)}`);
    this.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    return r.result;
  }

  // structuredContent of a successful tools/call, or throws with the error.
  async tool(name, args, opts) {
    const r = await this.request('tools/call', { name, arguments: args }, opts);
    if (r.error || r.result?.isError) throw new Error(`${name}: ${JSON.stringify(r.error ?? r.result.content)}`);
    return r.result.structuredContent;
  }

  kill(signal = 'SIGKILL') {
    if (this.running) this.child.kill(signal);
    return this.exited;
  }

  async closeStdin(timeoutMs = 10000) {
    this.child.stdin.end();
    return withTimeout(this.exited, timeoutMs, 'exit after EOF');
  }
}

// True when a tools/call response is a success (acknowledged write).
export const acked = (msg) => msg && msg.result && !msg.result.isError && msg.result.structuredContent;

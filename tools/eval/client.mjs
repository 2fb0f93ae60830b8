// A minimal MCP client over the server's stdio: newline-delimited JSON-RPC, requests pipelined and matched by
// id. No dependencies. `tool()` throws on protocol errors and tool failures (isError) and returns
// structuredContent.
import { spawn } from 'node:child_process';

export class StdioServer {
  constructor(bin, env) {
    this.child = spawn(bin, [], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.pending = new Map();
    this.nextId = 1;
    this.stderr = '';
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => {
      for (const { reject } of this.pending.values())
        reject(new Error(`server exited (code ${code}, signal ${signal}); stderr:\n${this.stderr.slice(-2000)}`));
      this.pending.clear();
      resolve({ code, signal });
    }));
    this.child.once('error', (err) => {
      for (const { reject } of this.pending.values()) reject(err);
      this.pending.clear();
    });
    let buf = '';
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (chunk) => {
      buf += chunk;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.trim()) this.#onLine(line);
      }
    });
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (d) => { this.stderr = (this.stderr + d).slice(-20000); });
    this.child.stdin.on('error', () => {});
  }

  #onLine(line) {
    let msg;
    try { msg = JSON.parse(line); } catch { return; }
    if (msg === null || typeof msg !== 'object' || Array.isArray(msg) || !('id' in msg)) return;  // notifications
    const p = this.pending.get(msg.id);
    if (!p) return;
    this.pending.delete(msg.id);
    p.resolve(msg);
  }

  request(method, params) {
    const id = this.nextId++;
    const msg = { jsonrpc: '2.0', id, method, ...(params === undefined ? {} : { params }) };
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.stdin.write(JSON.stringify(msg) + '\n');
    });
  }

  async initialize() {
    const r = await this.request('initialize', {
      protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'memory-mcp-eval', version: '1' },
    });
    if (r.error) throw new Error(`initialize failed: ${JSON.stringify(r.error)}`);
    this.child.stdin.write(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) + '\n');
    return r.result;
  }

  async listTools() {
    const names = [];
    let cursor;
    do {
      const r = await this.request('tools/list', cursor ? { cursor } : {});
      if (r.error) throw new Error(`tools/list failed: ${JSON.stringify(r.error)}`);
      for (const t of r.result.tools) names.push(t.name);
      cursor = r.result.nextCursor;
    } while (cursor);
    return names;
  }

  async tool(name, args) {
    const r = await this.request('tools/call', { name, arguments: args });
    if (r.error) throw new Error(`${name}: JSON-RPC error ${r.error.code} ${r.error.message}`);
    if (r.result.isError) throw new Error(`${name}: ${r.result.content?.[0]?.text}`);
    return r.result.structuredContent;
  }

  async close(timeoutMs = 10000) {
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    const r = await this.exited;
    clearTimeout(timer);
    return r;
  }
}

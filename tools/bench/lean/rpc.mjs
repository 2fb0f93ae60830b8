// A minimal newline-delimited JSON-RPC client over a spawned server's stdio, for the lean drivers.
import { spawn } from 'node:child_process';

// Starts `bin` with `env` added to this process's environment; returns { child, request(method, params) }.
export function startServer(bin, env) {
  const child = spawn(bin, [], { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, ...env } });
  let buf = '';
  const waiters = new Map();
  let id = 0;
  child.stdout.on('data', (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const m = JSON.parse(buf.slice(0, i));
      buf = buf.slice(i + 1);
      const w = waiters.get(m.id);
      if (w) { waiters.delete(m.id); w(m); }
    }
  });
  const request = (method, params) => new Promise((resolve) => {
    const i = ++id;
    waiters.set(i, resolve);
    child.stdin.write(JSON.stringify({ jsonrpc: '2.0', id: i, method, params }) + '\n');
  });
  return { child, request };
}

// The server as MCP clients see it: the official TypeScript SDK client (Client + StdioClientTransport) against
// the real binary. Covers connect/negotiation, paginated tools/list, ping, health_check, progress, cancellation,
// concurrency of a slow call with ping, logging/setLevel, and a clean close.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { ACTORS, RawServer, byName, connectSdk, serverEnv, withTimeout } from './helpers.mjs';

describe('official SDK client over stdio', () => {
  let h;
  before(async () => {
    h = await connectSdk({ env: serverEnv({ MEMORY_MCP_TOOLS_PAGE_SIZE: '1' }) });
  });
  after(async () => {
    await h?.dispose();
  });

  test('connect negotiates 2025-11-25 and reports serverInfo and capabilities', () => {
    assert.equal(h.protocolVersion(), '2025-11-25');
    const info = h.client.getServerVersion();
    assert.equal(info.name, 'memory-mcp-server');
    assert.match(info.version, /^\d+\.\d+\.\d+/);
    const caps = h.client.getServerCapabilities();
    assert.ok(caps.tools, 'tools capability declared');
    assert.ok(caps.logging, 'logging capability declared');
    assert.equal(typeof h.client.getInstructions(), 'string');
  });

  test('tools/list with page size 1 returns every tool over several pages, each fully described', async () => {
    const tools = [];
    const cursors = new Set();
    let cursor;
    for (let page = 0; page < 100; page++) {
      const r = await h.client.listTools(cursor ? { cursor } : undefined);
      assert.ok(r.tools.length <= 1, `page ${page} has ${r.tools.length} tools with page size 1`);
      tools.push(...r.tools);
      if (!r.nextCursor) break;
      assert.equal(typeof r.nextCursor, 'string');
      assert.ok(!cursors.has(r.nextCursor), 'cursors never repeat');
      cursors.add(r.nextCursor);
      cursor = r.nextCursor;
    }
    const names = tools.map((t) => t.name);
    assert.equal(new Set(names).size, names.length, 'no tool listed twice');
    for (const expected of ['health_check', 'debug_sleep', 'debug_crash']) assert.ok(names.includes(expected), expected);
    assert.equal(cursors.size, tools.length - 1, 'one page per tool');
    for (const t of tools) {
      assert.match(t.name, /^[A-Za-z0-9_.-]{1,128}$/, t.name);
      assert.equal(typeof t.description, 'string', `${t.name}.description`);
      assert.equal(t.inputSchema?.type, 'object', `${t.name}.inputSchema.type`);
      assert.equal(typeof t.outputSchema, 'object', `${t.name}.outputSchema`);
      assert.equal(t.outputSchema.type, 'object', `${t.name}.outputSchema.type`);
      assert.equal(typeof t.annotations, 'object', `${t.name}.annotations`);
      for (const hint of ['readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint']) {
        assert.equal(typeof t.annotations[hint], 'boolean', `${t.name}.annotations.${hint}`);
      }
    }
  });

  test('ping answers with an empty result', async () => {
    assert.deepEqual(await h.client.ping(), {});
  });

  test('health_check reports open storage and every actor running without restarts', async () => {
    const r = await h.client.callTool({ name: 'health_check', arguments: {} });
    assert.notEqual(r.isError, true);
    const s = r.structuredContent;
    assert.ok(['healthy', 'degraded'].includes(s.status), `status ${s.status}`);
    assert.equal(s.storage.open, true);
    assert.equal(s.storage.schema_version >= 1, true);
    assert.match(s.storage.path, /memory\.db$/);
    assert.equal(s.protocol_version, '2025-11-25');
    assert.equal(s.version, h.client.getServerVersion().version);
    assert.ok(s.uptime_seconds >= 0);
    assert.ok(!Number.isNaN(Date.parse(s.timestamp)));
    const components = byName(s.components);
    for (const actor of ACTORS) {
      assert.ok(components[actor], `component ${actor} reported`);
      assert.equal(components[actor].restarts, 0, `${actor}.restarts`);
      // Switched off in this environment: audit logging (default), Turso (no URL) and HTTP (MEMORY_MCP_HTTP_ADDR=off).
      const off = ['auditor', 'turso_syncer', 'http_endpoint'].includes(actor);
      assert.equal(components[actor].state, off ? 'disabled' : 'running', `${actor}.state`);
    }
    // The text block mirrors structuredContent.
    assert.deepEqual(JSON.parse(r.content[0].text), s);
  });

  test('tool argument errors come back as isError results naming the field', async () => {
    const r = await h.client.callTool({ name: 'debug_sleep', arguments: { ms: 'ten' } });
    assert.equal(r.isError, true);
    assert.match(r.content[0].text, /arguments\.ms: must be integer \(got string\)/);
    const unknown = await h.client.callTool({ name: 'health_check', arguments: { verbose: true } });
    assert.equal(unknown.isError, true);
    assert.match(unknown.content[0].text, /arguments\.verbose: unknown field/);
  });

  test('an unknown tool is a -32602 protocol error', async () => {
    await assert.rejects(h.client.callTool({ name: 'no_such_tool', arguments: {} }),
      (err) => err.code === -32602 && /no_such_tool/.test(err.message));
  });

  test('debug_sleep sends increasing progress notifications to onprogress', async () => {
    const progress = [];
    const errorsBefore = h.errors.length;
    const r = await h.client.callTool({ name: 'debug_sleep', arguments: { ms: 300, steps: 3 } }, undefined,
      { onprogress: (p) => progress.push(p) });
    assert.deepEqual(r.structuredContent, { slept_ms: 300 });
    // SDK 1.32 dispatches notifications on a microtask but responses synchronously: when the last progress and
    // the response arrive in one stdout chunk, the SDK handles the response first and reports the progress as
    // "unknown token" via onerror. The server sends them in order (stdio_raw.test.mjs checks the raw order), so
    // only the final notification may go missing here, and only that way.
    const late = h.errors.splice(errorsBefore).map(String);
    assert.ok(late.every((e) => /progress notification for an unknown token.*"progress":3/.test(e)), late.join('\n'));
    const expected = late.length === 1 ? [1, 2] : [1, 2, 3];
    assert.deepEqual(progress.map((p) => p.progress), expected, JSON.stringify(progress));
    for (const p of progress) assert.equal(p.total, 3);
    assert.equal(progress[0].message, 'slept 100 ms');
  });

  test('a cancelled debug_sleep rejects, its response never arrives, and the server keeps answering', async () => {
    const controller = new AbortController();
    let firstProgress;
    const progressed = new Promise((resolve) => { firstProgress = resolve; });
    const call = h.client.callTool({ name: 'debug_sleep', arguments: { ms: 1000, steps: 10 } }, undefined,
      { signal: controller.signal, onprogress: () => firstProgress() });
    await withTimeout(progressed, 5000, 'first progress of the call to cancel');
    const errorsBefore = h.errors.length;
    controller.abort('test cancels');
    await assert.rejects(call);
    const started = Date.now();
    assert.deepEqual(await h.client.ping(), {});
    assert.ok(Date.now() - started < 500, 'ping is not held up by the cancelled call');
    // A second store call queues behind the cancelled one: once it returns, the cancelled one has finished, and
    // any response it produced would have been written (the SDK reports an unknown response id via onerror).
    const r = await h.client.callTool({ name: 'debug_sleep', arguments: { ms: 0 } });
    assert.deepEqual(r.structuredContent, { slept_ms: 0 });
    assert.deepEqual(h.errors.slice(errorsBefore).map(String), []);
  });

  test('a slow debug_sleep does not delay a concurrent ping', async () => {
    let sleepDone = false;
    const slow = h.client.callTool({ name: 'debug_sleep', arguments: { ms: 1500 } }).then((r) => {
      sleepDone = true;
      return r;
    });
    const started = Date.now();
    await h.client.ping();
    const pingMs = Date.now() - started;
    assert.equal(sleepDone, false, 'ping resolved while the sleep was still in flight');
    assert.ok(pingMs < 500, `ping took ${pingMs} ms`);
    // Tools served by the router do not wait for the store either.
    await h.client.listTools();
    assert.equal(sleepDone, false);
    assert.deepEqual((await slow).structuredContent, { slept_ms: 1500 });
  });

  test('logging/setLevel accepts every RFC 5424 level', async () => {
    for (const level of ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency']) {
      assert.deepEqual(await h.client.setLoggingLevel(level), {});
    }
  });

  test('stdout carried only JSON-RPC (the SDK reported no parse or protocol errors)', () => {
    assert.deepEqual(h.errors.map(String), []);
  });

  test('close ends the process by itself with status 0', async () => {
    const started = Date.now();
    await h.client.close();
    const { code, signal } = await withTimeout(h.exited, 5000, 'server exit');
    assert.equal(signal, null);
    assert.equal(code, 0, h.stderr());
    // The SDK sends SIGTERM only after 2 s; exiting before that shows stdin EOF alone stopped the server.
    assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
  });
});

describe('version negotiation for older clients', () => {
  test('a client that asks for 2025-06-18 gets it echoed; a second initialize is refused', async () => {
    // The SDK always requests its latest version; drive the negotiation through a raw initialize instead.
    const s = new RawServer();
    try {
      const result = await s.initialize('2025-06-18');
      assert.equal(result.protocolVersion, '2025-06-18');
      const unknown = await s.request('initialize', { protocolVersion: '2099-01-01', capabilities: {},
        clientInfo: { name: 'x', version: '1' } });
      assert.equal(unknown.error.code, -32600, 'a second initialize is refused');
    } finally {
      await s.dispose();
    }
  });
});

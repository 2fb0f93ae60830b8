// The binary driven through raw stdin/stdout lines (child_process), the way a misbehaving or hostile client
// would: malformed input of every kind, protocol misuse, batches, lifecycle (EOF, SIGTERM), file modes, config
// errors, the command line, and the HTTP health endpoint. Every test also checks that stdout carried only
// JSON-RPC lines.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, test } from 'node:test';

import { RawServer, byName, freePort, pollUntil, runToExit, serverEnv, tempDir, withTimeout } from './helpers.mjs';

const servers = [];
function start(opts) {
  const s = new RawServer(opts);
  servers.push(s);
  return s;
}
afterEach(async () => {
  for (const s of servers.splice(0)) {
    // Every line any server wrote must have been one JSON-RPC message.
    assert.deepEqual(s.badLines, [], `non-JSON-RPC stdout lines; stderr:\n${s.stderr}`);
    await s.dispose();
  }
});

// The error response with a null id that arrives after `count` earlier such errors.
function nullIdErrors(s) {
  return s.messages.filter((m) => !Array.isArray(m) && m.id === null && m.error);
}
async function nextNullIdError(s, seen) {
  await s.next(() => nullIdErrors(s).length > seen, { what: `null-id error #${seen + 1}` });
  return nullIdErrors(s)[seen];
}

describe('malformed input', () => {
  test('an oversized line is refused with -32600 and the server keeps serving', async () => {
    const s = start({ env: serverEnv({ MEMORY_MCP_MAX_MESSAGE_BYTES: '1024' }) });
    await s.initialize();
    // One line inside a single read, and one far larger than the reader's 64 KiB buffer (discarded in flight).
    s.send(JSON.stringify({ jsonrpc: '2.0', id: 'big', method: 'ping', params: { pad: 'x'.repeat(5000) } }));
    const first = await nextNullIdError(s, 0);
    assert.equal(first.error.code, -32600);
    assert.match(first.error.message, /exceeds the maximum of 1024 bytes/);
    s.send(JSON.stringify({ jsonrpc: '2.0', id: 'huge', method: 'ping', params: { pad: 'y'.repeat(300000) } }));
    const second = await nextNullIdError(s, 1);
    assert.equal(second.error.code, -32600);
    assert.match(second.error.message, /MEMORY_MCP_MAX_MESSAGE_BYTES/);
    const pong = await s.request('ping');
    assert.deepEqual(pong.result, {});
    assert.equal(s.messages.filter((m) => m.id === 'big' || m.id === 'huge').length, 0);
  });

  test('invalid UTF-8 is a -32700 parse error and the server keeps serving', async () => {
    const s = start();
    await s.initialize();
    s.write(Buffer.concat([Buffer.from('{"jsonrpc":"2.0","id":7,"method":"ping","params":{"x":"'),
      Buffer.from([0xff, 0xfe, 0xc0, 0xaf]), Buffer.from('"}}\n')]));
    const err = await nextNullIdError(s, 0);
    assert.equal(err.error.code, -32700);
    assert.match(err.error.message, /parse error/);
    assert.deepEqual((await s.request('ping')).result, {});
  });

  test('a number too large for a double is a -32700 parse error; the router does not crash (found by fuzzing)', async () => {
    const s = start();
    await s.initialize();
    for (let i = 0; i < 8; i++) {  // more than MEMORY_MCP_MAX_RESTARTS: a crash each time would end the process
      s.send('{"jsonrpc":"2.0","id":1,"method":"ping","params":{"x":1e400}}');
      const err = await nextNullIdError(s, i);
      assert.equal(err.error.code, -32700);
      assert.match(err.error.message, /number overflow/);
    }
    assert.deepEqual((await s.request('ping')).result, {});
    const router = (await s.health()).components.find((c) => c.name === 'router');
    assert.equal(router.restarts, 0);
  });

  test('10k-deep nesting is a -32700 parse error without crashing', async () => {
    const s = start();
    await s.initialize();
    s.send(`{"jsonrpc":"2.0","id":1,"method":"ping","params":{"a":${'['.repeat(10000)}${']'.repeat(10000)}}}`);
    const err = await nextNullIdError(s, 0);
    assert.equal(err.error.code, -32700);
    assert.match(err.error.message, /nesting deeper than 64/);
    s.send('['.repeat(10000));
    assert.equal((await nextNullIdError(s, 1)).error.code, -32700);
    assert.deepEqual((await s.request('ping')).result, {});
  });

  test('garbage and JSON scalars are answered, blank lines are ignored', async () => {
    const s = start();
    await s.initialize();
    s.send('this is not json');
    assert.equal((await nextNullIdError(s, 0)).error.code, -32700);
    s.send('42');
    assert.equal((await nextNullIdError(s, 1)).error.code, -32600);
    s.send('   ');
    s.send('');
    s.write('\r\n');
    assert.deepEqual((await s.request('ping')).result, {});
    assert.equal(nullIdErrors(s).length, 2, 'blank lines produce no response');
  });

  test('wrong member types: params array, id object, id fraction, method number, missing jsonrpc', async () => {
    const s = start();
    await s.initialize();
    s.send({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: [1, 2] });
    const paramsArray = await s.response(1);
    assert.equal(paramsArray.error.code, -32602);
    assert.match(paramsArray.error.message, /params/);

    s.send({ jsonrpc: '2.0', id: { nested: true }, method: 'ping' });
    const idObject = await nextNullIdError(s, 0);
    assert.equal(idObject.error.code, -32600);
    assert.match(idObject.error.message, /'id'/);

    s.send({ jsonrpc: '2.0', id: 1.5, method: 'ping' });
    assert.equal((await nextNullIdError(s, 1)).error.code, -32600);

    s.send({ jsonrpc: '2.0', id: 2, method: 42 });
    const methodNumber = await s.response(2);
    assert.equal(methodNumber.error.code, -32600);
    assert.match(methodNumber.error.message, /'method'/);

    s.send({ id: 3, method: 'ping' });
    const noVersion = await s.response(3);
    assert.equal(noVersion.error.code, -32600);
    assert.match(noVersion.error.message, /jsonrpc/);

    s.send({ jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'health_check', arguments: [1] } });
    const argsArray = await s.response(4);
    assert.equal(argsArray.error.code, -32602);
    assert.match(argsArray.error.message, /params\.arguments/);
  });

  test('a truncated line at EOF gets a parse error, then the server exits 0', async () => {
    const s = start();
    await s.initialize();
    s.write('{"jsonrpc":"2.0","id":99,"method":"pi');
    const { code } = await s.closeStdin();
    assert.equal(code, 0, s.stderr);
    const err = nullIdErrors(s)[0];
    assert.ok(err, 'a parse error was written before exiting');
    assert.equal(err.error.code, -32700);
  });
});

describe('protocol misuse', () => {
  test('initialize with oddly typed optional fields succeeds without crashing the router', async () => {
    const s = start();
    const r = await s.request('initialize', { protocolVersion: '2025-11-25', capabilities: 'none',
      clientInfo: { name: 5, version: ['x'] } });
    assert.equal(r.result.protocolVersion, '2025-11-25');
    s.notify('notifications/initialized');
    assert.deepEqual((await s.request('ping')).result, {});
    const router = (await s.health()).components.find((c) => c.name === 'router');
    assert.equal(router.restarts, 0, s.stderr);
    assert.doesNotMatch(s.stderr, /unhandled exception|bug:/);
  });

  test('requests before initialize get -32002; ping is allowed', async () => {
    const s = start();
    const list = await s.request('tools/list');
    assert.equal(list.error.code, -32002);
    assert.match(list.error.message, /initialize/);
    const call = await s.request('tools/call', { name: 'health_check', arguments: {} });
    assert.equal(call.error.code, -32002);
    assert.deepEqual((await s.request('ping')).result, {});
    await s.initialize();
    assert.ok((await s.request('tools/list')).result.tools.length > 0);
  });

  test('initialize without protocolVersion is -32602; an unsupported version negotiates 2025-11-25', async () => {
    const s = start();
    const bad = await s.request('initialize', { capabilities: {} });
    assert.equal(bad.error.code, -32602);
    assert.match(bad.error.message, /protocolVersion/);
    const r = await s.request('initialize', { protocolVersion: '1999-01-01', capabilities: {},
      clientInfo: { name: 'old', version: '1' } });
    assert.equal(r.result.protocolVersion, '2025-11-25');
  });

  test('an unknown method is -32601 naming the method', async () => {
    const s = start();
    await s.initialize();
    const r = await s.request('resources/subscribe_everything', {});
    assert.equal(r.error.code, -32601);
    assert.match(r.error.message, /resources\/subscribe_everything/);
    // Unknown notifications are ignored silently.
    s.notify('notifications/whatever', {});
    assert.deepEqual((await s.request('ping')).result, {});
    assert.equal(s.messages.filter((m) => m.error).length, 1);
  });

  test('an unknown tool is -32602', async () => {
    const s = start();
    await s.initialize();
    const r = await s.callTool('does_not_exist', {});
    assert.equal(r.error.code, -32602);
    assert.match(r.error.message, /Unknown tool: does_not_exist/);
  });

  test('argument validation failures are isError results naming the field', async () => {
    const s = start();
    await s.initialize();
    const unknownField = await s.callTool('debug_sleep', { ms: 1, bogus: true });
    assert.equal(unknownField.result.isError, true);
    assert.match(unknownField.result.content[0].text, /arguments\.bogus: unknown field \(allowed: ms, steps\)/);
    const wrongType = await s.callTool('debug_sleep', { ms: '10' });
    assert.equal(wrongType.result.isError, true);
    assert.equal(wrongType.result.content[0].text, 'arguments.ms: must be integer (got string)');
    const missing = await s.callTool('debug_sleep', {});
    assert.equal(missing.result.content[0].text, 'arguments.ms: is required');
    const tooBig = await s.callTool('debug_sleep', { ms: 60001 });
    assert.match(tooBig.result.content[0].text, /arguments\.ms: must be <= 60000/);
    const huge = await s.callTool('debug_sleep', { ms: 1e300 });
    assert.equal(huge.result.isError, true);
  });

  test('an invalid cursor is -32602; a valid one pages on', async () => {
    const s = start({ env: serverEnv({ MEMORY_MCP_TOOLS_PAGE_SIZE: '1' }) });
    await s.initialize();
    for (const cursor of ['nonsense', 'tools:0', 'tools:999999', '']) {
      const r = await s.request('tools/list', { cursor });
      if (cursor === '') {
        assert.equal(r.result.tools.length, 1, 'an empty cursor is the first page');
        continue;
      }
      assert.equal(r.error?.code, -32602, `cursor ${cursor}`);
      assert.match(r.error.message, /cursor/);
    }
    const notString = await s.request('tools/list', { cursor: 5 });
    assert.equal(notString.error.code, -32602);
    const first = await s.request('tools/list', {});
    const second = await s.request('tools/list', { cursor: first.result.nextCursor });
    assert.equal(second.result.tools.length, 1);
    assert.notEqual(second.result.tools[0].name, first.result.tools[0].name);
  });

  test('logging/setLevel: a valid level is {}, an invalid one is -32602', async () => {
    const s = start();
    await s.initialize();
    assert.deepEqual((await s.request('logging/setLevel', { level: 'debug' })).result, {});
    for (const params of [{ level: 'loud' }, { level: 'DEBUG' }, { level: 3 }, {}]) {
      const r = await s.request('logging/setLevel', params);
      assert.equal(r.error?.code, -32602, JSON.stringify(params));
      assert.match(r.error.message, /params\.level/);
    }
  });

  test('a second request with an id still in flight is refused; notifications/cancelled drops the first', async () => {
    const s = start();
    await s.initialize();
    s.send({ jsonrpc: '2.0', id: 'dup', method: 'tools/call', params: { name: 'debug_sleep', arguments: { ms: 400 } } });
    s.send({ jsonrpc: '2.0', id: 'dup', method: 'tools/call', params: { name: 'debug_sleep', arguments: { ms: 1 } } });
    const refused = await s.response('dup');
    assert.equal(refused.error.code, -32600);
    assert.match(refused.error.message, /in flight/);
    s.notify('notifications/cancelled', { requestId: 'dup', reason: 'test' });
    // A later store call returns only after the cancelled one finished; by then its response would be out.
    const after = await s.callTool('debug_sleep', { ms: 0 });
    assert.deepEqual(after.result.structuredContent, { slept_ms: 0 });
    assert.equal(s.messages.filter((m) => m.id === 'dup').length, 1, 'the cancelled call got no response');
  });

  test('progress notifications precede the response and increase', async () => {
    const s = start();
    await s.initialize();
    const r = await s.callTool('debug_sleep', { ms: 90, steps: 3 }, { id: 5, progressToken: 'tok' });
    assert.deepEqual(r.result.structuredContent, { slept_ms: 90 });
    const idx = s.messages.indexOf(r);
    const progress = s.messages.filter((m) => m.method === 'notifications/progress');
    assert.deepEqual(progress.map((p) => p.params.progress), [1, 2, 3]);
    assert.ok(progress.every((p) => p.params.progressToken === 'tok' && p.params.total === 3));
    assert.ok(progress.every((p) => s.messages.indexOf(p) < idx), 'every progress notification came first');
    // Without a token, no progress is sent.
    await s.callTool('debug_sleep', { ms: 10, steps: 2 });
    assert.equal(s.messages.filter((m) => m.method === 'notifications/progress').length, 3);
  });
});

describe('batches', () => {
  const batch = [
    { jsonrpc: '2.0', id: 1, method: 'ping' },
    { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'health_check', arguments: {} } },
    { jsonrpc: '2.0', method: 'notifications/initialized' },
    { jsonrpc: '2.0', id: 3, method: 'no/such/method' },
    { jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'debug_sleep', arguments: { ms: 20 } } },
    7,
  ];

  test('a batch is rejected with one -32600 error under 2025-11-25', async () => {
    const s = start();
    await s.initialize('2025-11-25');
    s.send(batch);
    const err = await nextNullIdError(s, 0);
    assert.equal(err.error.code, -32600);
    assert.match(err.error.message, /2025-03-26/);
    assert.equal(s.messages.filter(Array.isArray).length, 0);
    assert.deepEqual((await s.request('ping')).result, {});
  });

  test('a batch before initialize is rejected', async () => {
    const s = start();
    s.send([{ jsonrpc: '2.0', id: 1, method: 'ping' }]);
    assert.equal((await nextNullIdError(s, 0)).error.code, -32600);
  });

  test('a batch is answered with one array under 2025-03-26', async () => {
    const s = start();
    await s.initialize('2025-03-26');
    s.send(batch);
    const responses = await s.next(Array.isArray, { what: 'the batch response' });
    const byId = Object.fromEntries(responses.filter((r) => r.id !== null).map((r) => [r.id, r]));
    assert.equal(responses.length, 5, JSON.stringify(responses));  // 4 requests + 1 invalid element, no notification
    assert.deepEqual(byId[1].result, {});
    assert.equal(byId[2].result.structuredContent.protocol_version, '2025-03-26');
    assert.equal(byId[3].error.code, -32601);
    assert.deepEqual(byId[4].result.structuredContent, { slept_ms: 20 });
    const invalid = responses.filter((r) => r.id === null);
    assert.equal(invalid.length, 1);
    assert.equal(invalid[0].error.code, -32600);
  });

  test('a batch of notifications only gets no response', async () => {
    const s = start();
    await s.initialize('2025-03-26');
    s.send([{ jsonrpc: '2.0', method: 'notifications/initialized' }]);
    assert.deepEqual((await s.request('ping')).result, {});
    assert.equal(s.messages.filter(Array.isArray).length, 0);
  });

  test('an empty batch is one -32600 error, under either version', async () => {
    for (const version of ['2025-03-26', '2025-11-25']) {
      const s = start();
      await s.initialize(version);
      s.send('[]');
      const err = await nextNullIdError(s, 0);
      assert.equal(err.error.code, -32600, version);
    }
  });

  test('initialize inside a batch is refused', async () => {
    const s = start();
    await s.initialize('2025-03-26');
    s.send([{ jsonrpc: '2.0', id: 'i', method: 'initialize', params: { protocolVersion: '2025-03-26' } }]);
    const [r] = await s.next(Array.isArray, { what: 'the batch response' });
    assert.equal(r.error.code, -32600);
  });
});

describe('stdout hygiene', () => {
  test('stdout carries only JSON-RPC lines, whatever the input', async () => {
    const s = start({ env: serverEnv({ MEMORY_MCP_LOG_LEVEL: 'debug', MEMORY_MCP_MAX_MESSAGE_BYTES: '2048' }) });
    await s.initialize();
    await s.request('logging/setLevel', { level: 'debug' });
    const junk = ['{', '}', '[', 'null', '"\\u0000"', '{"jsonrpc":"2.0","id":1,"method":"ping","extra":"\\n"}',
      'x'.repeat(5000), '{"jsonrpc":"2.0","id":"a\\nb","method":"ping"}', '\t', '{"jsonrpc":"2.0","method":"x"}'];
    for (const line of junk) s.send(line);
    await s.callTool('debug_sleep', { ms: 10, steps: 2 }, { progressToken: 1 });
    const r = await s.request('ping');
    assert.deepEqual(r.result, {});
    // Every stdout line parsed (checked in afterEach); the id with a newline came back intact.
    assert.ok(s.messages.some((m) => m.id === 'a\nb'));
    assert.ok(s.stderr.length > 0, 'logs went to stderr');
  });
});

describe('lifecycle', () => {
  test('stdin EOF: the server exits 0 promptly', async () => {
    const s = start();
    await s.initialize();
    const started = Date.now();
    const { code, signal } = await s.closeStdin(3000);
    assert.equal(signal, null);
    assert.equal(code, 0, s.stderr);
    assert.ok(Date.now() - started < 2000, `exit took ${Date.now() - started} ms`);
  });

  test('stdin EOF with a call in flight: the response is written before exit 0', async () => {
    const s = start();
    await s.initialize();
    s.send({ jsonrpc: '2.0', id: 'slow', method: 'tools/call', params: { name: 'debug_sleep', arguments: { ms: 300 } } });
    const { code } = await s.closeStdin();
    assert.equal(code, 0, s.stderr);
    const r = s.messages.find((m) => m.id === 'slow');
    assert.deepEqual(r?.result?.structuredContent, { slept_ms: 300 });
  });

  for (const signal of ['SIGTERM', 'SIGINT']) {
    test(`${signal} during an in-flight debug_sleep: the response still arrives and the exit status is 0`, async () => {
      const s = start();
      await s.initialize();
      s.send({ jsonrpc: '2.0', id: 'inflight', method: 'tools/call',
        params: { name: 'debug_sleep', arguments: { ms: 600, steps: 6 }, _meta: { progressToken: 'p' } } });
      // Signal once the call is demonstrably running in the store.
      await s.next((m) => m.method === 'notifications/progress', { what: 'first progress' });
      s.child.kill(signal);
      const { code, signal: sig } = await withTimeout(s.exited, 5000, `exit after ${signal}`);
      assert.equal(sig, null);
      assert.equal(code, 0, s.stderr);
      const r = s.messages.find((m) => m.id === 'inflight');
      assert.deepEqual(r?.result?.structuredContent, { slept_ms: 600 }, s.stderr);
      assert.match(s.stderr, new RegExp(`${signal}: draining`));
    });
  }

  test('SIGTERM while idle exits 0 quickly', async () => {
    const s = start();
    await s.initialize();
    const started = Date.now();
    s.child.kill('SIGTERM');
    const { code } = await withTimeout(s.exited, 3000, 'exit after SIGTERM');
    assert.equal(code, 0);
    assert.ok(Date.now() - started < 1500, `exit took ${Date.now() - started} ms`);
  });

  test('a request arriving while draining is refused with -32003; the one in flight completes', async () => {
    const s = start({ env: serverEnv({ MEMORY_MCP_SHUTDOWN_TIMEOUT_MS: '5000' }) });
    await s.initialize();
    s.send({ jsonrpc: '2.0', id: 'long', method: 'tools/call',
      params: { name: 'debug_sleep', arguments: { ms: 500, steps: 5 }, _meta: { progressToken: 1 } } });
    await s.next((m) => m.method === 'notifications/progress', { what: 'first progress' });
    s.child.kill('SIGTERM');
    await pollUntil(() => s.stderr.includes('draining'), { what: 'draining log line' });
    const late = await s.request('tools/list');
    assert.equal(late.error?.code, -32003, JSON.stringify(late));
    const { code } = await withTimeout(s.exited, 5000, 'exit');
    assert.equal(code, 0);
    assert.ok(s.messages.find((m) => m.id === 'long')?.result);
  });
});

describe('files, configuration and command line', () => {
  test('the data directory is created 0700 and the database 0600', async () => {
    const root = tempDir();
    const dataDir = path.join(root, 'nested', 'data');
    const s = start({ env: serverEnv({ MEMORY_DATA_DIR: dataDir }) });
    await s.initialize();
    await s.health();
    assert.equal(fs.statSync(dataDir).mode & 0o777, 0o700);
    assert.equal(fs.statSync(path.join(root, 'nested')).mode & 0o777, 0o700);
    const files = fs.readdirSync(dataDir);
    assert.ok(files.includes('memory.db'), files.join(','));
    for (const f of files) assert.equal(fs.statSync(path.join(dataDir, f)).mode & 0o777, 0o600, f);
    const { code } = await s.closeStdin();
    assert.equal(code, 0);
  });

  test('invalid configuration exits 2 listing every problem on stderr, nothing on stdout', async () => {
    const r = await runToExit([], { env: serverEnv({
      MEMORY_MCP_LOG_LEVEL: 'loud',
      MEMORY_MCP_MAX_JSON_DEPTH: 'deep',
      MEMORY_MCP_HTTP_ADDR: 'nowhere',
      TURSO_DATABASE_URL: 'https://db.example.com',
      TURSO_AUTH_TOKEN: 'sekrit-token-value',
    }) });
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /invalid configuration/);
    for (const name of ['MEMORY_MCP_LOG_LEVEL', 'MEMORY_MCP_MAX_JSON_DEPTH', 'MEMORY_MCP_HTTP_ADDR', 'TURSO_DATABASE_URL']) {
      assert.match(r.stderr, new RegExp(name), name);
    }
    assert.equal(r.stderr.split('\n').filter((l) => l.startsWith('  - ')).length, 4);
    assert.doesNotMatch(r.stderr, /sekrit/);
    assert.doesNotMatch(r.stderr, /loud/);
  });

  test('an unknown flag or command exits 2', async () => {
    assert.equal((await runToExit(['--frobnicate'])).code, 2);
    assert.equal((await runToExit(['frobnicate'])).code, 2);
  });

  test('--help and --version exit 0 and print to stdout', async () => {
    const help = await runToExit(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage:/);
    assert.match(help.stdout, /health-check/);
    const version = await runToExit(['--version']);
    assert.equal(version.code, 0);
    assert.match(version.stdout, /^memory-mcp-server \d+\.\d+\.\d+\n$/);
  });

  test('a database path that cannot be created exits 3 with the path in the message', async () => {
    const root = tempDir();
    fs.writeFileSync(path.join(root, 'file'), 'not a directory');
    const r = await runToExit([], { env: serverEnv({ MEMORY_DATA_DIR: path.join(root, 'file') }) });
    assert.equal(r.code, 3);
    assert.match(r.stderr, /not a directory/);
  });
});

describe('HTTP endpoint and health-check subcommand', () => {
  test('GET /health and /ready answer 200 while the server runs', async () => {
    const s = start({ env: serverEnv({ MEMORY_MCP_HTTP_ADDR: '127.0.0.1:0' }) });
    await s.initialize();
    const port = await s.httpPort();
    const health = await fetch(`http://127.0.0.1:${port}/health`);
    assert.equal(health.status, 200);
    assert.equal((await health.json()).status, 'ok');
    const ready = await fetch(`http://127.0.0.1:${port}/ready`);
    assert.equal(ready.status, 200);
    assert.equal((await ready.json()).status, 'ready');
    const missing = await fetch(`http://127.0.0.1:${port}/nope`);
    assert.equal(missing.status, 404);
    const h = await s.health();
    assert.match(byName(h.components).http_endpoint.state, /running/);
  });

  test('GET /ready answers 503 while draining; /health (liveness) stays 200', async () => {
    const s = start({ env: serverEnv({ MEMORY_MCP_HTTP_ADDR: '127.0.0.1:0' }) });
    await s.initialize();
    const port = await s.httpPort();
    s.send({ jsonrpc: '2.0', id: 'inflight', method: 'tools/call',
      params: { name: 'debug_sleep', arguments: { ms: 800, steps: 8 }, _meta: { progressToken: 'p' } } });
    await s.next((m) => m.method === 'notifications/progress', { what: 'first progress' });
    s.child.kill('SIGTERM');
    await pollUntil(() => s.stderr.includes('SIGTERM: draining'), { what: 'draining' });
    const ready = await fetch(`http://127.0.0.1:${port}/ready`);
    assert.equal(ready.status, 503);
    assert.match((await ready.json()).reason, /draining/);
    assert.equal((await fetch(`http://127.0.0.1:${port}/health`)).status, 200);
    const { code } = await withTimeout(s.exited, 5000, 'exit');
    assert.equal(code, 0);
  });

  test('an idle keep-alive HTTP connection does not hold up shutdown', async () => {
    const s = start({ env: serverEnv({ MEMORY_MCP_HTTP_ADDR: '127.0.0.1:0' }) });
    await s.initialize();
    const port = await s.httpPort();
    // Node's fetch keeps the connection alive after the response unless the server closes it.
    assert.equal((await fetch(`http://127.0.0.1:${port}/ready`)).status, 200);
    const started = Date.now();
    const { code } = await s.closeStdin();
    assert.equal(code, 0);
    assert.ok(Date.now() - started < 1500, `exit took ${Date.now() - started} ms`);
  });

  test('the health-check subcommand exits 0 against a running server and 1 when nothing listens', async () => {
    const s = start({ env: serverEnv({ MEMORY_MCP_HTTP_ADDR: '127.0.0.1:0' }) });
    await s.initialize();
    const port = await s.httpPort();
    const ok = await runToExit(['health-check'], { env: serverEnv({ MEMORY_MCP_HTTP_ADDR: `127.0.0.1:${port}` }) });
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /healthy/);
    const idle = await freePort();
    const down = await runToExit(['health-check'], { env: serverEnv({ MEMORY_MCP_HTTP_ADDR: `127.0.0.1:${idle}` }) });
    assert.equal(down.code, 1);
    assert.match(down.stderr, /no answer/);
    const off = await runToExit(['health-check'], { env: serverEnv({ MEMORY_MCP_HTTP_ADDR: 'off' }) });
    assert.equal(off.code, 1);
  });
});

// Structure-aware fuzzing of the real binary over stdio. Valid messages are generated from the server's own
// tools/list schemas (plus every protocol method), then mutated: a value's type swapped, a huge or negative
// number, a very long or odd string, a key dropped or an unknown one added, a request turned into a
// notification. The server's promise is checked after every run: each request gets exactly one response, stdout
// carries only JSON-RPC, no actor crashed (health_check restart counts stay 0) and the process keeps serving.
//
// Deterministic: MEMORY_MCP_FUZZ_SEED picks the sequence (the failing seed is printed); MEMORY_MCP_FUZZ_COUNT
// sets the number of messages (default 1500, a few seconds; use 100000+ for a soak).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RawServer, serverEnv, ACTORS } from './helpers.mjs';

const SEED = Number(process.env.MEMORY_MCP_FUZZ_SEED ?? 20261204);
const COUNT = Number(process.env.MEMORY_MCP_FUZZ_COUNT ?? 1500);
// Test hooks crash or block actors on purpose; everything else is fair game.
const SKIP_TOOLS = new Set(['debug_crash', 'debug_sleep']);

// mulberry32: small, seedable, good enough for choosing mutations.
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Gen {
  constructor(seed, ids) {
    this.rand = prng(seed);
    this.ids = ids;  // real episode ids, so that generated calls reach the handlers
  }
  int(lo, hi) { return lo + Math.floor(this.rand() * (hi - lo + 1)); }
  pick(list) { return list[this.int(0, list.length - 1)]; }
  chance(p) { return this.rand() < p; }

  string(maxLength = 40) {
    const words = ['fix', 'flaky', 'login', 'test', 'cargo', 'build', 'retry', 'timeout', 'ünïcödé', '日本語', 'a b',
      '', ' ', 'DROP TABLE episodes;--', '%s%n', '\\u0000', '"quoted"', 'line\nbreak', 'tab\tbed', '🙂'];
    let s = '';
    const n = this.int(1, 4);
    for (let i = 0; i < n; i++) s += (i ? ' ' : '') + this.pick(words);
    return [...s].slice(0, Math.max(1, maxLength)).join('');
  }

  // A value that conforms to `schema` (as far as this small generator understands JSON Schema).
  valid(schema, depth = 0) {
    if (!schema || typeof schema !== 'object') return null;
    if (schema.anyOf) return this.valid(this.pick(schema.anyOf), depth);
    if (schema.enum) return this.pick(schema.enum);
    if ('const' in schema) return schema.const;
    const type = Array.isArray(schema.type) ? this.pick(schema.type) : schema.type;
    switch (type) {
      case 'null': return null;
      case 'boolean': return this.chance(0.5);
      case 'integer': {
        const lo = schema.minimum ?? 0;
        const hi = schema.maximum ?? lo + 50;
        return this.int(lo, Math.min(hi, lo + 1000));
      }
      case 'number': return (schema.minimum ?? 0) + this.rand() * Math.min(1000, (schema.maximum ?? 10) - (schema.minimum ?? 0));
      case 'string':
        if (schema.format === 'uuid') return this.chance(0.8) && this.ids.length ? this.pick(this.ids) : crypto.randomUUID();
        if (schema.format === 'date-time') return new Date(Date.now() - this.int(0, 1e9)).toISOString();
        return this.string(schema.maxLength ?? 40) || 'x';
      case 'array': {
        const n = this.int(schema.minItems ?? 0, Math.min(schema.maxItems ?? 3, 4));
        const out = [];
        for (let i = 0; i < n; i++) out.push(this.valid(schema.items ?? { type: 'string' }, depth + 1));
        return out;
      }
      default: {  // object
        const out = {};
        const props = schema.properties ?? {};
        for (const [k, sub] of Object.entries(props))
          if ((schema.required ?? []).includes(k) || this.chance(0.5)) out[k] = this.valid(sub, depth + 1);
        if (!schema.properties && schema.additionalProperties && typeof schema.additionalProperties === 'object')
          for (let i = 0; i < this.int(0, 3); i++) out[`k${i}`] = this.valid(schema.additionalProperties, depth + 1);
        return out;
      }
    }
  }

  // A value of some other, often hostile, kind.
  hostile() {
    return this.pick([
      () => null, () => true, () => 0, () => -1, () => 2 ** 53 + 1, () => -(2 ** 63), () => 1e308, () => 0.5, () => -0.0,
      () => '', () => 'x'.repeat(this.int(1000, 70000)), () => '\u0000\u0001\u001f', () => '\ud83d', () => '../../etc/passwd',
      () => [], () => [null, 1, 'a', {}], () => ({}), () => ({ nested: { deeper: [1, { x: 'y' }] } }),
      () => crypto.randomUUID(), () => '00000000-0000-0000-0000-000000000000', () => 'not-a-uuid',
    ])();
  }

  // Mutates one place in `value` (returns the new value).
  mutate(value, depth = 0) {
    if (value === null || typeof value !== 'object' || depth > 4 || this.chance(0.25)) return this.hostile();
    if (Array.isArray(value)) {
      if (!value.length || this.chance(0.2)) return [...value, this.hostile()];
      const i = this.int(0, value.length - 1);
      const copy = [...value];
      copy[i] = this.mutate(copy[i], depth + 1);
      return copy;
    }
    const keys = Object.keys(value);
    const copy = { ...value };
    if (!keys.length || this.chance(0.15)) {
      copy[this.pick(['unknown_field', '__proto__x', 'constructor', '_meta', ''])] = this.hostile();
      return copy;
    }
    const k = this.pick(keys);
    if (this.chance(0.2)) delete copy[k];
    else copy[k] = this.mutate(copy[k], depth + 1);
    return copy;
  }
}

// Whether every string and key in `v` is well-formed Unicode. A lone surrogate ("\\ud83d") is not: the server
// answers such a line with a -32700 parse error whose id is null (the id cannot be trusted), like invalid UTF-8.
function wellFormed(v) {
  if (typeof v === 'string') return v.isWellFormed();
  if (v === null || typeof v !== 'object') return true;
  return Object.entries(v).every(([k, x]) => k.isWellFormed() && wellFormed(x));
}

function protocolMessages(g, tools) {
  const tool = g.pick(tools);
  const call = { name: tool.name, arguments: g.valid(tool.inputSchema) };
  if (g.chance(0.1)) call._meta = { progressToken: g.chance(0.5) ? g.int(1, 99) : 'p' };
  return g.pick([
    { method: 'tools/call', params: call }, { method: 'tools/call', params: call }, { method: 'tools/call', params: call },
    { method: 'tools/list', params: g.chance(0.5) ? {} : { cursor: g.string() } },
    { method: 'ping' },
    { method: 'resources/list', params: {} },
    { method: 'resources/templates/list', params: {} },
    { method: 'resources/read', params: { uri: `memory://episodes/${g.ids.length ? g.pick(g.ids) : 'x'}` } },
    { method: 'logging/setLevel', params: { level: g.pick(['debug', 'info', 'error', 'emergency']) } },
    { method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'f', version: '1' } } },
    { method: 'notifications/cancelled', params: { requestId: g.int(1, 50), reason: 'fuzz' } },
    { method: 'notifications/initialized' },
    { method: 'completion/complete', params: {} },
  ]);
}

test(`protocol fuzz: ${COUNT} mutated messages (seed ${SEED}); every request answered once, no actor crashes`, async () => {
  const s = new RawServer({ env: serverEnv({ MCP_RATE_LIMIT_ENABLED: 'false', MEMORY_MCP_TOOLS_PAGE_SIZE: '1000' }) });
  try {
    await s.initialize();
    const tools = (await s.request('tools/list')).result.tools.filter((t) => !SKIP_TOOLS.has(t.name));
    assert.ok(tools.length >= 20);
    const ids = [];
    for (let i = 0; i < 5; i++) {
      const r = await s.callTool('create_episode', { task_description: `fuzz seed ${i}`, domain: 'fuzz', task_type: 'testing' });
      ids.push(r.result.structuredContent.episode_id);
    }
    const g = new Gen(SEED, ids);
    const expected = new Set();
    let nextId = 1_000_000;  // clear of RawServer's own ids (the pacing pings)
    const cancelled = new Set();  // ids named by a notifications/cancelled: those may stay unanswered (spec)
    const inFlight = [];
    const sent = new Map();
    const sends = new Map();  // id -> how many requests carried it (a client may reuse ids)
    for (let i = 0; i < COUNT; i++) {
      const base = protocolMessages(g, tools);
      let msg = { jsonrpc: '2.0', ...base };
      const asRequest = !base.method.startsWith('notifications/') && g.chance(0.95);
      if (asRequest) msg.id = g.chance(0.5) ? nextId++ : `s-${nextId++}`;
      if (g.chance(0.7)) msg = g.mutate(msg);
      if (msg === null || typeof msg !== 'object' || Array.isArray(msg)) msg = { jsonrpc: '2.0', id: `w-${nextId++}`, method: 'ping', params: { wrapped: msg } };
      // A request is answered exactly once when its id survived the mutation as a string or integer.
      const id = msg.id;
      const answerable = typeof msg.method === 'string' && msg.jsonrpc === '2.0' && wellFormed(msg) &&
        ((typeof id === 'string' && id.isWellFormed()) || Number.isSafeInteger(id));
      let text;
      try {
        text = JSON.stringify(msg);
      } catch {
        continue;
      }
      if (text === undefined) continue;
      if (msg.method === 'notifications/cancelled' && msg.params && typeof msg.params === 'object')
        cancelled.add(JSON.stringify(msg.params.requestId));
      if (answerable) sends.set(JSON.stringify(id), (sends.get(JSON.stringify(id)) ?? 0) + 1);
      if (answerable && !expected.has(JSON.stringify(id))) {
        expected.add(JSON.stringify(id));
        sent.set(JSON.stringify(id), text);
        inFlight.push(id);
      }
      s.send(text);
      if (inFlight.length % 64 === 0) await s.request('ping', undefined, { timeoutMs: 30000 });  // keep the pipe moving
    }
    // Every request before this ping was read before it (one reader, in order); wait for the stragglers.
    await s.request('ping', undefined, { timeoutMs: 30000 });
    const answers = await Promise.all(inFlight.filter((id) => !cancelled.has(JSON.stringify(id)))
      .map((id) => s.response(id, { timeoutMs: 30000 }).catch((err) => ({ lost: id, err }))));
    const lost = answers.filter((a) => a && a.lost !== undefined);
    assert.deepEqual(lost.map((l) => `${JSON.stringify(l.lost)}: ${sent.get(JSON.stringify(l.lost)).slice(0, 300)}`), [],
      `seed ${SEED}: requests without a response`);
    // Exactly once: as many responses as requests with that id (the pings sent to pace the pipe included).
    const counts = new Map();
    for (const m of s.messages) {
      if (Array.isArray(m) || m.id === undefined || m.id === null) continue;
      const k = JSON.stringify(m.id);
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    const mismatched = [...sends].filter(([k, n]) => {
      const got = counts.get(k) ?? 0;
      return cancelled.has(k) ? got > n : got !== n;
    }).map(([k, n]) => `${k}: ${n} sent, ${counts.get(k) ?? 0} answered`);
    assert.deepEqual(mismatched, [], `seed ${SEED}: requests not answered exactly once`);
    assert.deepEqual(s.badLines, [], `seed ${SEED}: stdout carried something other than JSON-RPC`);
    const health = await s.health({ timeoutMs: 30000 });
    const crashed = health.components.filter((c) => ACTORS.includes(c.name) && c.restarts > 0).map((c) => `${c.name}:${c.restarts}`);
    assert.deepEqual(crashed, [], `seed ${SEED}: actors crashed\n${s.stderr.split('\n').filter((l) => /crash|exception|bug:/.test(l)).slice(0, 10).join('\n')}`);
    assert.doesNotMatch(s.stderr, /unhandled exception|bug:/, `seed ${SEED}`);
    const exit = await s.closeStdin(30000);
    assert.equal(exit.code, 0, `seed ${SEED}`);
  } finally {
    await s.dispose();
  }
});

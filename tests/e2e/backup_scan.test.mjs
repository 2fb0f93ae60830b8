// CLI commands that operators run beside the server: export/import round trip (while a server is running on the
// same database) and security-scan.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, chmodSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const BIN = process.env.MEMORY_MCP_BIN;

function baseEnv(dir, extra = {}) {
  return { PATH: process.env.PATH, MEMORY_DATA_DIR: dir, MEMORY_MCP_HTTP_ADDR: 'off', MCP_RATE_LIMIT_ENABLED: 'false', ...extra };
}

// A minimal line-oriented JSON-RPC client over the server's stdio.
function startServer(dir) {
  const child = spawn(BIN, [], { env: baseEnv(dir), stdio: ['pipe', 'pipe', 'ignore'] });
  const waiting = new Map();
  createInterface({ input: child.stdout }).on('line', (line) => {
    const msg = JSON.parse(line);
    waiting.get(msg.id)?.(msg);
    waiting.delete(msg.id);
  });
  let next = 1;
  const call = (method, params) =>
    new Promise((resolve) => {
      const id = next++;
      waiting.set(id, resolve);
      child.stdin.write(JSON.stringify({ jsonrpc: '2.0', id, method, params }) + '\n');
    });
  const tool = async (name, args) => {
    const r = await call('tools/call', { name, arguments: args });
    assert.ok(!r.error, JSON.stringify(r.error));
    assert.ok(!r.result.isError, r.result.content?.[0]?.text);
    return r.result.structuredContent;
  };
  const stop = () =>
    new Promise((resolve) => {
      child.on('exit', (code) => resolve(code));
      child.stdin.end();
    });
  return { call, tool, stop, child };
}

function cli(args, env) {
  return spawnSync(BIN, args, { env, encoding: 'utf8', timeout: 30000 });
}

test('export while a server runs, import into a fresh database, re-import is idempotent', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mm-backup-'));
  const server = startServer(dir);
  await server.call('initialize', { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '0' } });
  const ids = [];
  for (let i = 0; i < 20; i++) {
    const e = await server.tool('create_episode', { task_description: `task ${i} with ümlauts`, domain: 'web', task_type: 'testing' });
    await server.tool('add_episode_step', { episode_id: e.episode_id, step_number: 1, tool: 'npm', action: 'test', parameters: { n: i }, result: { type: 'success', output: 'ok' } });
    if (i % 2 === 0) await server.tool('complete_episode', { episode_id: e.episode_id, outcome_type: 'success', verdict: 'done' });
    await server.tool('add_episode_tags', { episode_id: e.episode_id, tags: ['backup'] });
    ids.push(e.episode_id);
  }
  await server.tool('add_episode_relationship', { from_episode_id: ids[1], to_episode_id: ids[0], relationship_type: 'depends_on' });

  const file = join(dir, 'export.jsonl');
  const exp = cli(['export', file], baseEnv(dir));  // the server is still running on the same database
  assert.equal(exp.status, 0, exp.stderr);
  assert.match(exp.stderr, /exported 20 episodes and 1 relationships/);
  const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines[0].kind, 'header');
  assert.equal(lines.filter((l) => l.kind === 'episode').length, 20);
  assert.equal((await server.stop()), 0);

  const fresh = mkdtempSync(join(tmpdir(), 'mm-import-'));
  const imp = cli(['import', file], baseEnv(fresh));
  assert.equal(imp.status, 0, imp.stderr);
  assert.match(imp.stderr, /imported 20 episodes \(0 already present\) and 1 relationships/);
  const again = cli(['import', file], baseEnv(fresh));
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stderr, /imported 0 episodes \(20 already present\) and 0 relationships \(1 skipped\)/);

  // The round trip preserves everything: exporting the imported database gives the same episode lines.
  const file2 = join(fresh, 'export2.jsonl');
  assert.equal(cli(['export', file2], baseEnv(fresh)).status, 0);
  const strip = (text) => text.trim().split('\n').slice(1).join('\n');
  assert.equal(strip(readFileSync(file2, 'utf8')), strip(readFileSync(file, 'utf8')));

  // The import learned from the completed episodes: the same patterns with the same evidence as the source.
  const patterns = (d) => spawnSync('sqlite3', [join(d, 'memory.db'),
    'SELECT pattern_id, occurrences, successes FROM patterns ORDER BY pattern_id'], { encoding: 'utf8' }).stdout;
  assert.ok(patterns(dir).trim().length > 0, 'the source learned patterns');
  assert.equal(patterns(fresh), patterns(dir));

  // Invalid lines are skipped and reported with their line number; valid ones still land.
  const bad = join(fresh, 'bad.jsonl');
  writeFileSync(bad, 'not json\n{"kind":"episode","episode":{"episode_id":"nope"}}\n');
  const badRun = cli(['import', bad], baseEnv(fresh));
  assert.equal(badRun.status, 1);
  assert.match(badRun.stderr, /line 1: not a JSON object/);
  assert.match(badRun.stderr, /line 2: episode_id: must be a UUID/);
});

test('security-scan prints PASS/WARN/FAIL lines and fails on a world-readable env file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mm-scan-'));
  const data = join(dir, 'data');
  mkdirSync(data, { mode: 0o700 });
  const envFile = join(dir, '.env');
  writeFileSync(envFile, `MCP_RATE_LIMIT_ENABLED=true\nAUDIT_LOG_ENABLED=true\nAUDIT_LOG_DESTINATION=file\nAUDIT_LOG_FILE_PATH=${dir}/audit.log\n`);
  chmodSync(envFile, 0o644);
  const env = { PATH: process.env.PATH, MEMORY_DATA_DIR: data };
  const loose = cli(['security-scan', '--env-file', envFile], env);
  assert.equal(loose.status, 1);
  assert.match(loose.stdout, /^FAIL env-file-mode: .* is mode 644; run: chmod 600/m);
  assert.match(loose.stdout, /^PASS rate-limiting: enabled/m);
  assert.match(loose.stdout, /^PASS audit-logging: enabled, destination file/m);
  assert.match(loose.stdout, /^PASS data-dir-mode: .* is mode 700/m);
  for (const line of loose.stdout.trim().split('\n')) assert.match(line, /^(PASS|WARN|FAIL) [a-z-]+: /);

  chmodSync(envFile, 0o600);
  const tight = cli(['security-scan', '--env-file', envFile], env);
  assert.match(tight.stdout, /^PASS env-file-mode: .* is mode 600/m);
  // Root is the only remaining FAIL on this machine (tests run as root); as another user the scan passes.
  const fails = tight.stdout.split('\n').filter((l) => l.startsWith('FAIL'));
  if (process.getuid() === 0) assert.deepEqual(fails.map((l) => l.split(':')[0]), ['FAIL non-root']);
  else assert.equal(tight.status, 0);

  const off = cli(['security-scan'], { ...env, MCP_RATE_LIMIT_ENABLED: 'false' });
  assert.match(off.stdout, /^FAIL rate-limiting: disabled/m);
  assert.match(off.stdout, /^FAIL audit-logging: disabled/m);
  assert.match(off.stdout, /^PASS metrics-auth: GET \/metrics is open on loopback only/m);

  const exposed = cli(['security-scan'], { ...env, MEMORY_MCP_HTTP_ADDR: '0.0.0.0:3000' });
  assert.match(exposed.stdout, /^WARN http-endpoint: 0\.0\.0\.0:3000 is reachable from the network without TLS/m);
  assert.match(exposed.stdout, /^WARN metrics-auth: GET \/metrics is open to the network/m);
  const token = cli(['security-scan'], { ...env, MEMORY_MCP_HTTP_ADDR: '0.0.0.0:3000', MEMORY_MCP_METRICS_TOKEN: 'a-long-enough-scrape-token' });
  assert.match(token.stdout, /^WARN metrics-auth: GET \/metrics needs the bearer token, but it travels without TLS/m);
  assert.ok(!token.stdout.includes('a-long-enough-scrape-token'), 'the scan never prints the token');
});

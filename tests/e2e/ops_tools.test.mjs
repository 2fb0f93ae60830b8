// The operator's tools against the real binary (DEPLOYMENT_SECURITY.md): promtool on a live /metrics scrape and on
// the shipped alert rules, fail2ban-regex with the shipped filter on real audit lines, logrotate rotating a live
// audit log under load with no line lost or doubled, SIGHUP under load, and the HTTP endpoint over TLS with a CA
// made here. Every tool is the Debian package an operator would install (scripts/install-deps --test).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import https from 'node:https';
import { fileURLToPath } from 'node:url';
import { RawServer, serverEnv, tempDir, pollUntil, runToExit } from './helpers.mjs';

const run = promisify(execFile);
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const deploy = (...p) => path.join(repo, 'deploy', ...p);

// Runs a tool; resolves with { code, stdout, stderr } whatever its exit status.
async function tool(cmd, args, opts = {}) {
  try {
    const { stdout, stderr } = await run(cmd, args, { maxBuffer: 64 << 20, ...opts });
    return { code: 0, stdout, stderr };
  } catch (err) {
    if (typeof err.code !== 'number') throw err;
    return { code: err.code, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

// Feeds `input` on stdin.
function toolWithInput(cmd, args, input) {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') return reject(err);
      resolve({ code: err ? err.code : 0, stdout, stderr });
    });
    child.stdin.end(input);
  });
}

const auditLines = (text) => text.split('\n').filter(Boolean).map((l) => JSON.parse(l));

async function scrape(port, headers = {}) {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`, { headers });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

// A server with the HTTP endpoint on a free port and audit lines in `audit` (a file path).
async function startServer(extra = {}) {
  const dir = tempDir('mm-ops-');
  const audit = path.join(dir, 'audit.log');
  const s = new RawServer({
    env: serverEnv({
      MEMORY_DATA_DIR: path.join(dir, 'data'),
      MEMORY_MCP_HTTP_ADDR: '127.0.0.1:0',
      AUDIT_LOG_ENABLED: 'true',
      AUDIT_LOG_DESTINATION: 'file',
      AUDIT_LOG_FILE_PATH: audit,
      ...extra,
    }),
  });
  await s.initialize();
  const port = await s.httpPort();
  return { s, dir, audit, port };
}

const create = (s, i = 0) => s.callTool('create_episode', { task_description: `ops load ${i}`, domain: 'ops', task_type: 'testing' });

// Sends `total` create_episode calls, `inFlight` at a time; `onProgress(done)` runs after each answer.
async function load(s, total, { inFlight = 8, onProgress = async () => {} } = {}) {
  let next = 0;
  let done = 0;
  const failures = [];
  const worker = async () => {
    while (next < total) {
      const i = next++;
      const r = await create(s, i);
      if (r.error || r.result?.isError) failures.push(r);
      done++;
      await onProgress(done);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return failures;
}

test('promtool check metrics accepts a live scrape, and it carries every series the shipped alert rules use', async () => {
  const { s, port } = await startServer({ MCP_RATE_LIMIT_WRITE_RPS: '0.001', MCP_RATE_LIMIT_WRITE_BURST: '3' });
  try {
    for (let i = 0; i < 4; i++) await create(s, i);                 // the 4th is rate limited
    await s.callTool('get_episode', { episode_id: '00000000-0000-4000-8000-000000000000' });  // a failing read
    s.send('{"jsonrpc":"2.0","id":1,');                              // malformed: a security violation
    await s.request('ping');
    const { status, text } = await scrape(port);
    assert.equal(status, 200);
    const lint = await toolWithInput('promtool', ['check', 'metrics'], text);
    assert.equal(lint.code, 0, `promtool check metrics:\n${lint.stdout}${lint.stderr}`);
    assert.equal((lint.stdout + lint.stderr).trim(), '', 'no lint findings');

    const rules = fs.readFileSync(deploy('prometheus', 'memory-mcp-rules.yml'), 'utf8');
    const used = [...new Set(rules.match(/\baudit_[a-z_]+_total\b/g))];
    assert.deepEqual(used.sort(), ['audit_authentication_failures_total', 'audit_bulk_operations_total',
      'audit_security_violations_total']);
    for (const name of used) assert.match(text, new RegExp(`^# TYPE ${name} counter$`, 'm'), name);
    assert.match(text, /^audit_security_violations_total [1-9]/m, 'the malformed line was counted');
    assert.match(text, /^memory_mcp_rate_limit_denials_total\{class="write"\} 1$/m);
  } finally {
    await s.dispose();
  }
});

test('promtool test rules passes the unit tests of the shipped alert rules', async () => {
  const dir = deploy('prometheus');
  const r = await tool('promtool', ['test', 'rules', 'memory-mcp-rules.test.yml'], { cwd: dir });
  assert.equal(r.code, 0, `${r.stdout}${r.stderr}`);
  assert.match(r.stdout + r.stderr, /SUCCESS/);
  const check = await tool('promtool', ['check', 'rules', 'memory-mcp-rules.yml'], { cwd: dir });
  assert.equal(check.code, 0, `${check.stdout}${check.stderr}`);
  assert.match(check.stdout, /SUCCESS: 5 rules found/);  // 3 security rules of the guide, 2 for replication
});

test('GET /metrics with MEMORY_MCP_METRICS_TOKEN: 401 without the token, every attempt audited with the peer address', async () => {
  const token = 'scrape-token-0123456789';
  const { s, audit, port } = await startServer({ MEMORY_MCP_METRICS_TOKEN: token });
  try {
    const none = await scrape(port);
    assert.equal(none.status, 401);
    assert.match(none.headers.get('www-authenticate'), /^Bearer realm=/);
    assert.equal((await scrape(port, { Authorization: 'Bearer wrong-token-0123456789' })).status, 401);
    assert.equal((await scrape(port, { Authorization: `Basic ${Buffer.from('u:' + token).toString('base64')}` })).status, 401);
    const good = await scrape(port, { Authorization: `Bearer ${token}` });
    assert.equal(good.status, 200);
    assert.match(good.text, /^audit_authentication_failures_total 3$/m);
    assert.equal((await fetch(`http://127.0.0.1:${port}/health`)).status, 200, 'probes need no token');

    const auth = await pollUntil(() => {
      const l = auditLines(fs.readFileSync(audit, 'utf8')).filter((x) => x.operation === 'authentication');
      return l.length === 4 && l;
    }, { what: 'four authentication lines' });
    assert.deepEqual(auth.map((l) => [l.client_id, l.result, l.reason]), [
      ['127.0.0.1', 'failure', 'missing'], ['127.0.0.1', 'failure', 'mismatch'],
      ['127.0.0.1', 'failure', 'malformed'], ['127.0.0.1', 'success', 'ok']]);
    const raw = fs.readFileSync(audit, 'utf8');
    assert.ok(!raw.includes(token) && !raw.includes('wrong-token'), 'no token reaches the audit log');
  } finally {
    await s.dispose();
  }
});

test('SIGHUP re-reads MEMORY_MCP_METRICS_TOKEN_FILE: the next scrape needs the new token, the old one is refused', async () => {
  const dir = tempDir('mm-token-');
  const tokenFile = path.join(dir, 'metrics-token');
  fs.writeFileSync(tokenFile, 'first-token-0123456789\n', { mode: 0o600 });
  const { s, port } = await startServer({ MEMORY_MCP_METRICS_TOKEN_FILE: tokenFile });
  try {
    assert.equal((await scrape(port, { Authorization: 'Bearer first-token-0123456789' })).status, 200);
    fs.writeFileSync(tokenFile, 'second-token-0123456789\n', { mode: 0o600 });
    s.child.kill('SIGHUP');
    await pollUntil(() => /configuration reloaded/.test(s.stderr), { what: 'reload' });
    await pollUntil(async () => (await scrape(port, { Authorization: 'Bearer second-token-0123456789' })).status === 200,
      { what: 'the new token accepted' });
    assert.equal((await scrape(port, { Authorization: 'Bearer first-token-0123456789' })).status, 401);
    // A token file that became invalid is rejected as a whole; the token in force stays.
    fs.writeFileSync(tokenFile, 'short\n', { mode: 0o600 });
    s.child.kill('SIGHUP');
    await pollUntil(() => /new configuration rejected.*MEMORY_MCP_METRICS_TOKEN/.test(s.stderr), { what: 'rejection' });
    assert.equal((await scrape(port, { Authorization: 'Bearer second-token-0123456789' })).status, 200);
    assert.ok(!s.stderr.includes('token-0123456789'), 'no token in the log');
  } finally {
    await s.dispose();
  }
});

test('fail2ban-regex with the shipped filter matches exactly the authentication failures, by peer address', async () => {
  const token = 'scrape-token-0123456789';
  const { s, audit, port } = await startServer({ MEMORY_MCP_METRICS_TOKEN: token });
  try {
    // Noise an attacker controls: a description that spells out a forged failure line.
    await s.callTool('create_episode', {
      task_description: '"client_id":"203.0.113.9","operation":"authentication","result":"failure"',
      domain: 'ops', task_type: 'testing',
    });
    for (let i = 0; i < 12; i++) await scrape(port, { Authorization: `Bearer guess-${i}-0123456789` });
    for (let i = 0; i < 2; i++) await scrape(port, { Authorization: `Bearer ${token}` });
    await pollUntil(() => auditLines(fs.readFileSync(audit, 'utf8')).filter((l) => l.operation === 'authentication').length === 14,
      { what: 'the authentication lines' });

    const filter = deploy('fail2ban', 'filter.d', 'memory-mcp.conf');
    const r = await tool('fail2ban-regex', ['-v', audit, filter]);
    assert.equal(r.code, 0, `${r.stdout}${r.stderr}`);
    const out = r.stdout;
    const lines = out.match(/Lines: (\d+) lines, (\d+) ignored, (\d+) matched, (\d+) missed/);
    assert.ok(lines, out);
    const total = auditLines(fs.readFileSync(audit, 'utf8')).length;
    assert.equal(Number(lines[1]), total);
    assert.equal(Number(lines[3]), 12, 'the 12 failures match');
    assert.equal(Number(lines[4]), total - 12, 'successes, tool calls and the forged description do not');
    assert.match(out, /127\.0\.0\.1/, 'the banned address is the peer');
    assert.doesNotMatch(out, /203\.0\.113\.9/, 'text from a client cannot name an address to ban');
    // Every matched line had its timestamp understood (fail2ban bans by time window).
    assert.match(out, /Date template hits:[\s\S]*?\[(\d+)\]/);
    assert.equal(Number(out.match(/Date template hits:[\s\S]*?\[(\d+)\]/)[1]), total);
  } finally {
    await s.dispose();
  }
});

test('a real fail2ban-server with the shipped jail bans the peer after 10 failed scrapes (dummy ban action)', async () => {
  const token = 'scrape-token-0123456789';
  const { s, dir, audit, port } = await startServer({ MEMORY_MCP_METRICS_TOKEN: token });
  const conf = path.join(dir, 'fail2ban');
  let server;
  try {
    // Debian's configuration, with the shipped filter and jail; state, socket and log under this test's directory;
    // the jail reads this server's audit log and "bans" into a file (the dummy action) instead of the firewall.
    fs.cpSync('/etc/fail2ban', conf, { recursive: true });
    fs.rmSync(path.join(conf, 'jail.d'), { recursive: true, force: true });
    fs.mkdirSync(path.join(conf, 'jail.d'));
    fs.copyFileSync(deploy('fail2ban', 'filter.d', 'memory-mcp.conf'), path.join(conf, 'filter.d', 'memory-mcp.conf'));
    fs.copyFileSync(deploy('fail2ban', 'jail.d', 'memory-mcp.conf'), path.join(conf, 'jail.d', 'memory-mcp.conf'));
    const banned = path.join(dir, 'banned');
    fs.writeFileSync(path.join(conf, 'jail.d', 'memory-mcp.local'),
      `[memory-mcp]\nlogpath = ${audit}\nbackend = polling\nignoreself = false\nignoreip =\n` +
      `action = dummy[target="${banned}"]\n`);
    fs.writeFileSync(path.join(conf, 'fail2ban.local'),
      `[Definition]\nsocket = ${dir}/f2b.sock\npidfile = ${dir}/f2b.pid\nlogtarget = ${dir}/f2b.log\ndbfile = :memory:\n`);
    const test = await tool('fail2ban-client', ['-c', conf, '-t']);
    assert.equal(test.code, 0, `${test.stdout}${test.stderr}`);

    const f2b = spawn('fail2ban-server', ['-f', '-x', '-c', conf], { stdio: 'ignore' });
    server = { dispose: () => f2b.kill('SIGKILL') };
    const status = () => tool('fail2ban-client', ['-c', conf, 'status', 'memory-mcp']);
    await pollUntil(async () => (await status()).code === 0, { timeoutMs: 15000, what: 'fail2ban-server up' });

    for (let i = 0; i < 9; i++) await scrape(port, { Authorization: `Bearer guess-${i}-0123456789` });
    await scrape(port, { Authorization: `Bearer ${token}` });  // successes never count
    await pollUntil(async () => /Total failed:\s+9/.test((await status()).stdout), { timeoutMs: 15000, what: '9 failures seen' });
    assert.match((await status()).stdout, /Currently banned:\s+0/, 'below maxretry nothing is banned');
    await scrape(port, { Authorization: 'Bearer the-tenth-guess-0123456789' });
    const st = await pollUntil(async () => { const r = await status(); return /Currently banned:\s+1/.test(r.stdout) && r.stdout; },
      { timeoutMs: 15000, what: 'the ban' });
    assert.match(st, /Banned IP list:\s+127\.0\.0\.1/);
    assert.match(fs.readFileSync(banned, 'utf8'), /^\+127\.0\.0\.1$/m);
  } finally {
    await server?.dispose();
    await s.dispose();
  }
});

test('logrotate rotates the live audit log under load (create 0600, postrotate SIGHUP): no line lost or doubled', async () => {
  const { s, dir, audit } = await startServer({ MCP_RATE_LIMIT_WRITE_RPS: '100000', MCP_RATE_LIMIT_WRITE_BURST: '100000' });
  try {
    // The shipped policy with this test's path and pid: same create/compress/delaycompress/sharedscripts.
    const shipped = fs.readFileSync(deploy('logrotate', 'memory-mcp'), 'utf8');
    const body = shipped.slice(shipped.indexOf('{'));
    assert.match(body, /create 0600/);
    assert.match(body, /pkill -HUP/);
    const conf = path.join(dir, 'logrotate.conf');
    const owner = `${(await run('id', ['-un'])).stdout.trim()} ${(await run('id', ['-gn'])).stdout.trim()}`;
    fs.writeFileSync(conf, `${audit} ` + body.replace(/create 0600 \S+ \S+/, `create 0600 ${owner}`)
      .replace(/pkill -HUP[^\n]*/, `kill -HUP ${s.child.pid}`), { mode: 0o644 });
    const state = path.join(dir, 'logrotate.state');
    const rotations = [];
    const total = 1200;
    const failures = await load(s, total, {
      onProgress: async (done) => {
        if (done === 400 || done === 800) {
          const r = await tool('logrotate', ['-f', '-s', state, conf]);
          rotations.push(r);
        }
      },
    });
    assert.deepEqual(failures, []);
    assert.equal(rotations.length, 2);
    for (const r of rotations) assert.equal(r.code, 0, `${r.stdout}${r.stderr}`);
    await pollUntil(() => (s.stderr.match(/configuration reloaded/g) ?? []).length === 2, { what: 'two reloads' });
    await s.request('ping');

    // After two forced rotations: audit.log (current), audit.log.1 (delaycompress), audit.log.2.gz.
    const files = fs.readdirSync(dir).filter((f) => f.startsWith('audit.log')).sort();
    assert.deepEqual(files, ['audit.log', 'audit.log.1', 'audit.log.2.gz']);
    for (const f of ['audit.log', 'audit.log.1']) assert.equal(fs.statSync(path.join(dir, f)).mode & 0o777, 0o600, f);
    const read = () => [zlib.gunzipSync(fs.readFileSync(`${audit}.2.gz`)).toString('utf8'),
      fs.readFileSync(`${audit}.1`, 'utf8'), fs.readFileSync(audit, 'utf8')].map(auditLines);
    // A call's outcome line is written after its reply is sent, so the last few may still be on their way.
    await pollUntil(() => read().flat().filter((l) => l.operation === 'tools/call' && l.result === 'success').length === total,
      { what: `${total} outcome lines` });
    const parts = read();
    for (const p of parts) assert.ok(p.some((l) => l.operation === 'tools/call'), 'every generation holds load lines');
    const all = parts.flat();
    const calls = all.filter((l) => l.operation === 'tools/call');
    assert.equal(calls.filter((l) => l.result === 'started').length, total, 'one started line per call');
    assert.equal(calls.filter((l) => l.result === 'success').length, total, 'one outcome line per call');
    const stamps = all.map((l) => l.timestamp);
    for (let i = 1; i < stamps.length; i++) assert.ok(stamps[i - 1] <= stamps[i], 'generations are in order');
    // Each reload's line lands in the file opened by that reload, never in the renamed one.
    const reloads = parts.map((p) => p.filter((l) => l.operation === 'config_reload').length);
    assert.deepEqual(reloads, [0, 1, 1]);
  } finally {
    await s.dispose();
  }
});

test('SIGHUP under load: every request is answered, none fails, each reload is audited', async () => {
  const { s, audit } = await startServer({ MCP_RATE_LIMIT_WRITE_RPS: '100000', MCP_RATE_LIMIT_WRITE_BURST: '100000' });
  try {
    const total = 1000;
    const failures = await load(s, total, {
      inFlight: 16,
      onProgress: async (done) => { if (done % 200 === 100) s.child.kill('SIGHUP'); },
    });
    assert.deepEqual(failures, []);
    await pollUntil(() => (s.stderr.match(/configuration reloaded/g) ?? []).length === 5, { what: 'five reloads' });
    const list = await s.callTool('list_episodes', { limit: 1 });
    assert.notEqual(list.result.isError, true);
    // A call's outcome line is written after its reply is sent, so the last few may still be on their way.
    const successLines = () => auditLines(fs.readFileSync(audit, 'utf8'))
      .filter((l) => l.operation === 'tools/call' && l.result === 'success').length;
    await pollUntil(() => successLines() === total, { what: `${total} success lines in the audit log` });
    const lines = auditLines(fs.readFileSync(audit, 'utf8'));
    assert.equal(lines.filter((l) => l.operation === 'config_reload' && l.result === 'success').length, 5);
    assert.equal(lines.filter((l) => l.operation === 'tools/call' && l.result === 'success').length, total);
    assert.deepEqual(s.badLines, []);
    const exit = await s.closeStdin();
    assert.equal(exit.code, 0);
  } finally {
    await s.dispose();
  }
});

test('the HTTP endpoint over TLS with a CA made here: verified HTTPS works, plain HTTP does not, health-check passes', async () => {
  const dir = tempDir('mm-tls-');
  const f = (n) => path.join(dir, n);
  await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=memory-mcp test CA',
    '-keyout', f('ca.key'), '-out', f('ca.pem')]);
  await run('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-keyout', f('srv.key'), '-out', f('srv.csr')]);
  fs.writeFileSync(f('san.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  await run('openssl', ['x509', '-req', '-in', f('srv.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial',
    '-days', '2', '-extfile', f('san.ext'), '-out', f('srv.pem')]);
  const { s, port } = await startServer({ MEMORY_MCP_TLS_CERT_PATH: f('srv.pem'), MEMORY_MCP_TLS_KEY_PATH: f('srv.key') });
  try {
    assert.match(s.stderr, /listening on https:\/\/127\.0\.0\.1:/);
    const get = (pathname, ca) => new Promise((resolve, reject) => {
      https.get({ host: '127.0.0.1', port, path: pathname, ca }, (res) => {
        let body = '';
        res.on('data', (d) => { body += d; });
        res.on('end', () => resolve({ status: res.statusCode, body }));
      }).on('error', reject);
    });
    const ca = fs.readFileSync(f('ca.pem'));
    assert.deepEqual(await get('/health', ca), { status: 200, body: '{"status":"ok"}' });
    assert.equal((await get('/ready', ca)).status, 200);
    await assert.rejects(get('/health', undefined), /self.signed|unable to verify|certificate/i, 'an unknown CA is refused');
    await assert.rejects(fetch(`http://127.0.0.1:${port}/health`), 'plain HTTP is not served');
    const hc = await runToExit(['health-check'], {
      env: serverEnv({ MEMORY_MCP_HTTP_ADDR: `127.0.0.1:${port}`, MEMORY_MCP_TLS_CERT_PATH: f('srv.pem'),
        MEMORY_MCP_TLS_KEY_PATH: f('srv.key') }),
    });
    assert.equal(hc.code, 0, hc.stderr);
  } finally {
    await s.dispose();
  }
});

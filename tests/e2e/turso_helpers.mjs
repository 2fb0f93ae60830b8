// Real replication peers for the Turso tests: `tursodb --sync-server` (the Turso server from the `turso` npm
// package; Hrana over plain HTTP on loopback) behind Debian's nginx, which terminates TLS with a CA made here and
// checks the bearer token, as Turso Cloud and sqld deployments do. Every process is killed at teardown.
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { freePort, pollUntil, tempDir } from './helpers.mjs';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
export const TURSODB = path.join(here, 'node_modules/@tursodatabase/cli-linux-x64-gnu/tursodb');

const procs = new Set();
process.on('exit', () => {
  for (const p of procs) {
    try { p.kill('SIGKILL'); } catch { /* gone */ }
  }
});

function track(child) {
  procs.add(child);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => { procs.delete(child); resolve({ code, signal }); }));
  return exited;
}

// A CA, a server certificate for localhost/127.0.0.1, one for another host name, a client certificate, and an
// unrelated second CA. Returns their paths.
export async function makeCerts(dir) {
  const f = (n) => path.join(dir, n);
  const ossl = (args) => run('openssl', args);
  const ca = async (name) => ossl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${name}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    '-keyout', f(`${name}.key`), '-out', f(`${name}.pem`)]);
  await ca('ca');
  await ca('other-ca');
  const leaf = async (name, san, usage) => {
    await ossl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${name}`, '-keyout', f(`${name}.key`), '-out', f(`${name}.csr`)]);
    fs.writeFileSync(f(`${name}.ext`), `subjectAltName=${san}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=${usage}\n`);
    await ossl(['x509', '-req', '-in', f(`${name}.csr`), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial',
      '-days', '2', '-extfile', f(`${name}.ext`), '-out', f(`${name}.pem`)]);
  };
  await leaf('server', 'DNS:localhost,IP:127.0.0.1', 'serverAuth');
  await leaf('wronghost', 'DNS:wronghost.example', 'serverAuth');
  await leaf('client', 'DNS:client', 'clientAuth');
  return { ca: f('ca.pem'), otherCa: f('other-ca.pem'), server: f('server.pem'), serverKey: f('server.key'),
    wrong: f('wronghost.pem'), wrongKey: f('wronghost.key'), client: f('client.pem'), clientKey: f('client.key') };
}

// A Turso server on a loopback port. `sql(text, args)` queries it directly (plain HTTP, no token), for
// assertions about what reached it.
export class Turso {
  constructor(dir) {
    this.dir = dir;
    this.db = path.join(dir, 'remote.db');
  }

  async start() {
    this.port ??= await freePort();
    this.child = spawn(TURSODB, [this.db, '--sync-server', `127.0.0.1:${this.port}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.stderr = '';
    this.child.stderr.on('data', (d) => { this.stderr += d; });
    this.exited = track(this.child);
    await pollUntil(async () => { await this.sql('SELECT 1'); return true; }, { timeoutMs: 10000, what: 'tursodb to answer' });
  }

  async stop() {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGINT');
      await this.exited;
    }
  }

  // Rows of one statement as arrays of plain values (integers as numbers).
  async sql(text, args = []) {
    const enc = (v) => (v === null ? { type: 'null' } : Number.isInteger(v) ? { type: 'integer', value: String(v) }
      : typeof v === 'number' ? { type: 'float', value: v } : { type: 'text', value: String(v) });
    const res = await fetch(`http://127.0.0.1:${this.port}/v2/pipeline`, {
      method: 'POST', body: JSON.stringify({ requests: [{ type: 'execute', stmt: { sql: text, args: args.map(enc) } }] }),
    });
    const body = await res.json();
    const r = body.results[0];
    if (r.type !== 'ok') throw new Error(`${text}: ${JSON.stringify(r.error)}`);
    const dec = (v) => (v.type === 'integer' ? Number(v.value) : v.type === 'null' ? null : v.value);
    return r.response.result.rows.map((row) => row.map(dec));
  }
}

// nginx in front of a Turso server: TLS on `port` with the test CA's server certificate, the bearer token
// checked, and optionally a client certificate required (mTLS) or the wrong host's certificate.
export class Nginx {
  constructor(dir, certs, upstreamPort) {
    this.dir = dir;
    this.certs = certs;
    this.upstream = upstreamPort;
  }

  config() {
    const { certs } = this;
    const server = (port, cert, key, extra = '') => `
  server {
    listen 127.0.0.1:${port} ssl;
    ssl_certificate ${cert};
    ssl_certificate_key ${key};
    ${extra}
    if ($http_authorization != "Bearer ${this.token}") { return 401; }
    location / { proxy_pass http://127.0.0.1:${this.upstream}; }
  }`;
    // Workers run as root like the master (the test's private directories are 0700; root owns them).
    return `daemon off;
user root root;
pid ${this.dir}/nginx.pid;
error_log ${this.dir}/error.log warn;
worker_processes 1;
events { worker_connections 64; }
http {
  access_log ${this.dir}/access.log;
  client_body_temp_path ${this.dir}/tmp;
  proxy_temp_path ${this.dir}/tmp;
  fastcgi_temp_path ${this.dir}/tmp;
  uwsgi_temp_path ${this.dir}/tmp;
  scgi_temp_path ${this.dir}/tmp;
  client_max_body_size 64m;
  client_body_buffer_size 1m;
${server(this.port, certs.server, certs.serverKey)}
${server(this.wrongPort, certs.wrong, certs.wrongKey)}
${server(this.mtlsPort, certs.server, certs.serverKey, `ssl_client_certificate ${certs.ca}; ssl_verify_client on;`)}
}
`;
  }

  async start(token) {
    this.token = token;
    this.port = await freePort();
    this.wrongPort = await freePort();
    this.mtlsPort = await freePort();
    fs.mkdirSync(path.join(this.dir, 'tmp'), { recursive: true });
    this.conf = path.join(this.dir, 'nginx.conf');
    fs.writeFileSync(this.conf, this.config());
    this.child = spawn('nginx', ['-p', this.dir, '-c', this.conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.stderr = '';
    this.child.stderr.on('data', (d) => { this.stderr += d; });
    this.exited = track(this.child);
    await pollUntil(async () => (await this.probe(token).catch(() => 0)) === 200,
      { timeoutMs: 10000, what: `nginx to start: ${this.stderr}` });
  }

  // Accept only `token` from now on (nginx re-reads its configuration on SIGHUP).
  async setToken(token) {
    this.token = token;
    fs.writeFileSync(this.conf, this.config());
    this.child.kill('SIGHUP');
    await pollUntil(async () => (await this.probe(token)) === 200, { timeoutMs: 10000, what: 'nginx to accept the new token' });
  }

  // The HTTP status nginx answers a pipeline request with `token`.
  probe(token) {
    return new Promise((resolve, reject) => {
      const req = https.request({ host: '127.0.0.1', servername: 'localhost', port: this.port, path: '/v2/pipeline',
        method: 'POST', ca: fs.readFileSync(this.certs.ca), headers: { Authorization: `Bearer ${token}` } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      });
      req.on('error', reject);
      req.end(JSON.stringify({ requests: [{ type: 'execute', stmt: { sql: 'SELECT 1' } }] }));
    });
  }

  async stop() {
    if (this.child && this.child.exitCode === null) {
      this.child.kill('SIGQUIT');
      await this.exited;
    }
  }
}

// A Turso server behind nginx with a fresh CA; returns { turso, nginx, certs, token, url, dir }.
export async function remoteStack(token = 'test-token-0123456789abcdef') {
  const dir = tempDir('mm-turso-');
  const certs = await makeCerts(dir);
  const turso = new Turso(dir);
  await turso.start();
  const nginx = new Nginx(dir, certs, turso.port);
  await nginx.start(token);
  return { dir, certs, turso, nginx, token, url: `libsql://localhost:${nginx.port}`,
    async stop() { await nginx.stop(); await turso.stop(); } };
}

// Rows of a local SQLite database through the sqlite3 command-line shell (read-only, beside a running server).
export async function localRows(db, sql) {
  const { stdout } = await run('sqlite3', ['-readonly', '-json', db, sql], { maxBuffer: 256 << 20 });
  return stdout.trim() ? JSON.parse(stdout) : [];
}

const replicated = ['episodes', 'steps', 'episode_tags', 'episode_relationships', 'recommendation_sessions',
  'recommendation_feedback', 'pattern_feedback'];

// Every replicated table of the local database and the remote copy, row by row, as comparable text. REAL
// values are rounded to 9 digits on both sides (the two shells print doubles differently).
export async function compareWithRemote(db, turso) {
  const out = {};
  for (const table of replicated) {
    const cols = await localRows(db, `SELECT name, type, pk FROM pragma_table_info('${table}') ORDER BY cid`);
    const select = cols.map((c) => (c.type === 'REAL' ? `round(${c.name}, 9)` : c.name)).join(', ');
    const order = cols.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name).join(', ');
    const sql = `SELECT ${select} FROM ${table} ORDER BY ${order}`;
    const local = (await localRows(db, sql)).map((r) => JSON.stringify(Object.values(r)));
    const remote = (await turso.sql(sql)).map((r) => JSON.stringify(r));
    out[table] = { local, remote };
  }
  return out;
}

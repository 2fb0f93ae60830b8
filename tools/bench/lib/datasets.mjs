// Cached benchmark datasets: a directory per (size, seed, generator version) under the cache dir holding
// memory.db (checkpointed, no WAL) and meta.json (counts, a sample of episode ids, and how it was built with the
// timings of that build). Benchmarks never run on the cached copy: workCopy() copies it first, so write phases
// and schema migrations leave the cache untouched.
//
// Two ways to build one:
//  - mcp:    K concurrent agents each create_episode, add_episode_step x ~10, complete_episode (and sometimes
//            add_episode_tags) through the real server. This is itself the write benchmark; its per-tool latencies
//            and throughput are stored in meta.json.
//  - import: the fast path for large sizes. A real export of a smaller MCP-built dataset (the seed) supplies
//            the exact export shape, including server-computed reward and reflection; each seed episode is then
//            cloned with a new id, a freshly generated task description (same domain, stack and task type) and
//            start times spread over the last 180 days, and the file is loaded with `memory-mcp-server import`.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';

import { makeEpisode, rng, seedFor } from './generator.mjs';
import { RawServer, procCpuMs, procStatus, rssSampler, callError } from './server.mjs';
import { Samples } from './stats.mjs';

export const GEN_VERSION = 1; // bump when generator.mjs changes what it produces
const SAMPLE_IDS = 2000;

export function parseSize(s) {
  const m = String(s).trim().toLowerCase().match(/^(\d+(?:\.\d+)?)(k|m)?$/);
  if (!m) throw new Error(`bad dataset size "${s}" (use e.g. 1k, 10k, 100k or a number)`);
  return Math.round(Number(m[1]) * (m[2] === 'k' ? 1e3 : m[2] === 'm' ? 1e6 : 1));
}
export const sizeLabel = (n) => (n % 1e6 === 0 ? `${n / 1e6}m` : n % 1e3 === 0 ? `${n / 1e3}k` : String(n));

export function datasetDir(cacheDir, size, seed, method) {
  return path.join(cacheDir, `ds-${sizeLabel(size)}-${method}-seed${seed}-gen${GEN_VERSION}`);
}

export function readMeta(dir) {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8'));
  } catch {
    return null;
  }
}

const log = (...a) => process.stderr.write(`[bench] ${a.join(' ')}\n`);

// Copies the cached database into workDir (emptied first). Returns workDir.
export function workCopy(dsDir, workDir) {
  fs.rmSync(workDir, { recursive: true, force: true });
  fs.mkdirSync(workDir, { recursive: true, mode: 0o700 });
  for (const f of fs.readdirSync(dsDir)) {
    if (f.startsWith('memory.db')) fs.copyFileSync(path.join(dsDir, f), path.join(workDir, f));
  }
  return workDir;
}

function dbBytes(dir) {
  let total = 0;
  for (const f of fs.readdirSync(dir)) if (f.startsWith('memory.db')) total += fs.statSync(path.join(dir, f)).size;
  return total;
}

// Runs a command to completion; resolves { code, stdout, stderr, ms }.
function run(cmd, args, env) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout = (stdout + d).slice(-100000); });
    child.stderr.on('data', (d) => { stderr = (stderr + d).slice(-100000); });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr, ms: Number(process.hrtime.bigint() - t0) / 1e6 }));
  });
}

// Folds the WAL into the main file so the cache is one self-contained file (the server normally does this
// when its last connection closes; sqlite3 is a build dependency, so it is there).
async function checkpoint(dir) {
  const db = path.join(dir, 'memory.db');
  if (fs.existsSync(`${db}-wal`)) {
    const r = await run('sqlite3', [db, 'PRAGMA wal_checkpoint(TRUNCATE);']);
    if (r.code !== 0) throw new Error(`sqlite3 checkpoint failed: ${r.stderr}`);
  }
  for (const f of ['memory.db-wal', 'memory.db-shm']) {
    const p = path.join(dir, f);
    if (fs.existsSync(p) && fs.statSync(p).size === 0) fs.rmSync(p);
  }
}

async function counts(dir) {
  const q = "SELECT (SELECT count(*) FROM episodes), (SELECT count(*) FROM episodes WHERE end_time_us IS NOT NULL), (SELECT count(*) FROM steps), (SELECT count(*) FROM episode_tags);";
  const r = await run('sqlite3', ['-readonly', path.join(dir, 'memory.db'), q]);
  if (r.code !== 0) return null;
  const [episodes, completed, steps, tags] = r.stdout.trim().split('|').map(Number);
  return { episodes, completed, in_progress: episodes - completed, steps, episode_tags: tags };
}

function sampleIds(ids, n, seed) {
  const r = rng(seed ^ 0x1d5);
  if (ids.length <= n) return ids.slice();
  const out = new Set();
  while (out.size < n) out.add(ids[Math.floor(r.next() * ids.length)]);
  return [...out];
}

function finalize(tmp, dir, meta) {
  fs.writeFileSync(path.join(tmp, 'meta.json'), JSON.stringify(meta, null, 1));
  fs.rmSync(dir, { recursive: true, force: true });
  fs.renameSync(tmp, dir);
  return meta;
}

// Builds a dataset of `size` episodes through MCP calls with `agents` concurrent agents. envFor(dataDir) gives
// the server environment. Resolves the meta (also written to dir/meta.json).
export async function buildViaMcp({ bin, envFor, dir, size, seed, agents = 16, binaryInfo }) {
  const tmp = `${dir}.tmp`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true, mode: 0o700 });
  const srv = new RawServer({ bin, env: envFor(tmp) }).start();
  try {
    await srv.initialize();
    const perTool = {};
    const stat = (name) => (perTool[name] ??= { samples: new Samples(), errors: 0, firstError: null });
    const call = async (name, args) => {
      const { msg, ns } = await srv.request('tools/call', { name, arguments: args });
      const s = stat(name);
      s.samples.add(ns);
      const e = callError(msg);
      if (e) {
        s.errors++;
        s.firstError ??= e;
        throw new Error(`${name} failed while building the dataset: ${e}`);
      }
      return msg.result.structuredContent;
    };
    const completedIds = [];
    let next = 0;
    let done = 0;
    let calls = 0;
    const rss = rssSampler(srv.pid);
    const cpu0 = procCpuMs(srv.pid);
    const t0 = process.hrtime.bigint();
    const progress = setInterval(() => {
      const s = Number(process.hrtime.bigint() - t0) / 1e9;
      log(`  mcp build: ${done}/${size} episodes, ${Math.round(calls / s)} calls/s, ${s.toFixed(0)} s`);
    }, 10000);
    const agent = async () => {
      while (next < size) {
        const i = next++;
        const ep = makeEpisode(seed, i);
        const created = await call('create_episode', ep.create);
        calls++;
        const id = created.episode_id;
        for (const s of ep.steps) {
          await call('add_episode_step', { episode_id: id, ...s });
          calls++;
        }
        if (ep.complete) {
          await call('complete_episode', { episode_id: id, ...ep.complete });
          calls++;
          completedIds.push(id);
        }
        if (ep.tags.length) {
          await call('add_episode_tags', { episode_id: id, tags: ep.tags });
          calls++;
        }
        done++;
      }
    };
    try {
      await Promise.all(Array.from({ length: agents }, agent));
    } finally {
      clearInterval(progress);
    }
    const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpuMs = procCpuMs(srv.pid) - cpu0;
    const hwm = procStatus(srv.pid)?.VmHWM ?? null;
    const rssInfo = rss.stop();
    const closed = await srv.close(60000);
    if (closed.code !== 0) throw new Error(`server exited with ${closed.code} after the build; stderr:\n${srv.stderrTail}`);
    await checkpoint(tmp);
    const tools = Object.fromEntries(Object.entries(perTool).map(([k, v]) => [k, { ...v.samples.summary(), errors: v.errors }]));
    const meta = {
      size, seed, gen_version: GEN_VERSION, method: 'mcp', built_at: new Date().toISOString(), binary: binaryInfo,
      ...(await counts(tmp)), db_bytes: dbBytes(tmp),
      sample_completed_ids: sampleIds(completedIds, SAMPLE_IDS, seed),
      build: {
        method: 'mcp', agents, wall_s: round(wallS, 2), episodes_per_s: round(size / wallS, 1), calls, calls_per_s: round(calls / wallS, 1),
        server_cpu_s: round(cpuMs / 1000, 2), server_cpu_us_per_call: round((cpuMs * 1000) / calls, 1),
        server_peak_rss_bytes: hwm, server_max_sampled_rss_bytes: rssInfo.max_rss_bytes, tools,
      },
    };
    return finalize(tmp, dir, meta);
  } finally {
    srv.kill();
  }
}

// RFC 3339 with microseconds <-> microseconds since the epoch (numbers: exact below 2^53 us, i.e. until 2255).
function parseUs(s) {
  const ms = Date.parse(`${s.slice(0, 19)}Z`);
  const frac = (s.slice(20, 26) + '000000').slice(0, 6);
  return ms * 1000 + Number(frac);
}
function formatUs(us) {
  const ms = Math.floor(us / 1000);
  return `${new Date(ms).toISOString().slice(0, 19)}.${String(us % 1e6).padStart(6, '0')}Z`;
}
function uuid(r) {
  const hex = () => Math.floor(r.next() * 65536).toString(16).padStart(4, '0');
  const h = Array.from({ length: 8 }, hex).join('').split('');
  h[12] = '4';
  h[16] = '89ab'[Math.floor(r.next() * 4)];
  const s = h.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

// Moves every time of an exported episode by `delta` microseconds (durations, and so reward, unchanged).
function shiftTimes(e, delta) {
  const sh = (t) => (t ? formatUs(parseUs(t) + delta) : t);
  e.start_time = sh(e.start_time);
  e.end_time = sh(e.end_time);
  if (e.reflection?.generated_at) e.reflection.generated_at = sh(e.reflection.generated_at);
  for (const s of e.steps) s.timestamp = sh(s.timestamp);
}

// Builds a dataset of `size` episodes by cloning the episodes of the MCP-built seed dataset (seedDir) and
// importing the result. workDir: scratch space (the export and the generated file; removed afterwards).
export async function buildViaImport({ bin, envFor, dir, size, seed, seedDir, workDir, binaryInfo }) {
  const tmp = `${dir}.tmp`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true, mode: 0o700 });
  fs.mkdirSync(workDir, { recursive: true });
  const seedCopy = workCopy(seedDir, path.join(workDir, 'seed-db'));
  const exportFile = path.join(workDir, 'seed-export.jsonl');
  const genFile = path.join(workDir, `generated-${sizeLabel(size)}.jsonl`);
  try {
    log(`  exporting the seed dataset ${path.basename(seedDir)}`);
    const ex = await run(bin, ['export', exportFile], envFor(seedCopy));
    if (ex.code !== 0) throw new Error(`export failed (${ex.code}): ${ex.stderr}`);

    let header = null;
    const seeds = [];
    const rl = readline.createInterface({ input: fs.createReadStream(exportFile), crlfDelay: Infinity });
    for await (const line of rl) {
      if (!line) continue;
      const o = JSON.parse(line);
      if (o.kind === 'header') header = o;
      else if (o.kind === 'episode') seeds.push(line); // parsed per clone (a fresh object each time)
    }
    if (!header || seeds.length === 0) throw new Error(`the seed export ${exportFile} has no header or no episodes`);

    log(`  generating ${size} episodes from ${seeds.length} seed episodes`);
    const tGen = process.hrtime.bigint();
    const out = fs.createWriteStream(genFile);
    const write = (s) => (out.write(s) ? null : new Promise((r) => out.once('drain', r)));
    await write(JSON.stringify({ ...header, exported_at: new Date().toISOString() }) + '\n');
    const nowUs = Date.now() * 1000;
    const spanUs = 180 * 86400 * 1e6;
    const completedIds = [];
    for (let k = 0; k < size; k++) {
      const r = rng(seedFor(seed, k, 3));
      const e = JSON.parse(seeds[k % seeds.length]).episode;
      if (k >= seeds.length) {
        e.episode_id = uuid(r);
        const fresh = makeEpisode(seed + 0x100000, k, {
          domain: e.context.domain, stack: [e.context.language, e.context.framework], task_type: e.task_type,
        });
        e.task_description = fresh.create.task_description;
        e.metadata = { ...e.metadata, ticket: fresh.create.metadata.ticket };
      }
      const start = nowUs - spanUs + Math.floor((k / size) * (spanUs - 3600e6)) + Math.floor(r.next() * 1e6);
      shiftTimes(e, start - parseUs(e.start_time));
      if (e.end_time) completedIds.push(e.episode_id);
      const p = write(JSON.stringify({ kind: 'episode', episode: e }) + '\n');
      if (p) await p;
    }
    await new Promise((resolve, reject) => out.end((err) => (err ? reject(err) : resolve())));
    const genS = Number(process.hrtime.bigint() - tGen) / 1e9;
    const fileBytes = fs.statSync(genFile).size;

    log(`  importing ${(fileBytes / 1048576).toFixed(0)} MB with memory-mcp-server import`);
    const im = await run(bin, ['import', genFile], envFor(tmp));
    if (im.code !== 0) throw new Error(`import failed (${im.code}): ${im.stderr.slice(-3000)}`);
    const tCk = process.hrtime.bigint();
    await checkpoint(tmp);
    const ckS = Number(process.hrtime.bigint() - tCk) / 1e9;
    const c = await counts(tmp);
    if (!c || c.episodes !== size) throw new Error(`import produced ${c?.episodes} episodes, expected ${size}; output:\n${im.stdout}\n${im.stderr}`);
    const meta = {
      size, seed, gen_version: GEN_VERSION, method: 'import', built_at: new Date().toISOString(), binary: binaryInfo,
      ...c, db_bytes: dbBytes(tmp),
      sample_completed_ids: sampleIds(completedIds, SAMPLE_IDS, seed),
      build: {
        method: 'import', seed_dataset: path.basename(seedDir), seed_episodes: seeds.length,
        export_s: round(ex.ms / 1000, 2), generate_s: round(genS, 2), file_bytes: fileBytes,
        import_s: round(im.ms / 1000, 2), import_episodes_per_s: round(size / (im.ms / 1000), 1), checkpoint_s: round(ckS, 2),
        import_output: (im.stdout + im.stderr).trim().split('\n').slice(-5).join('\n'),
      },
    };
    return finalize(tmp, dir, meta);
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

const round = (x, d) => Math.round(x * 10 ** d) / 10 ** d;

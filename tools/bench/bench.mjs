// memory-mcp benchmark harness: drives the real memory-mcp-server binary over stdio on cached synthetic
// datasets, prints a table per dataset size and writes everything as JSON. See README.md; `./run --help`.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { WorkloadContext } from './lib/context.mjs';
import { GEN_VERSION, buildViaImport, buildViaMcp, datasetDir, parseSize, readMeta, sizeLabel, workCopy } from './lib/datasets.mjs';
import { RawServer, callError, probeReady, procStatus, round3, rssSampler, waitIdle } from './lib/server.mjs';
import { connectSdk, sdkPipelined } from './lib/sdk.mjs';
import { fmt, table } from './lib/stats.mjs';
import { TOOLS } from './lib/tools.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../..');

const HELP = `Usage: tools/bench/run [options]

Drives the real memory-mcp-server over stdio and measures per-tool latency (p50/p99), throughput with N requests
in flight, server CPU and memory, and time to ready, on cached synthetic datasets.

  --size LIST         dataset sizes, comma-separated: 1k, 10k, 100k or a number (default 1k)
  --bin PATH          server binary (default build/release/memory-mcp-server under the repo root)
  --depth LIST        in-flight depths for the throughput rows (default 1,8,32)
  --duration SEC      measuring time per row (default 5)
  --count N           measure exactly N calls per row instead (overrides --duration)
  --warmup N          unmeasured calls before each row (default 50; writes: 10)
  --tools LIST        only these rows (names or prefixes from lib/tools.mjs, e.g. ping,query_memory)
  --phases LIST       ready,raw,sdk (default all three)
  --ready-runs N      spawns per time-to-ready probe (default 5)
  --wait-idle SEC     before each row, wait up to SEC s until other processes use < --max-other % of the
                      machine (default 30; 0 = never wait)
  --max-other PCT     a row during which other processes used more than PCT % of the machine (all CPUs) is
                      measured again, up to --retries times (defaults 10 and 2); the least disturbed attempt is kept
  --config NAME       bench (default): rate limits raised to 1000000, audit off
                      audit: as bench, plus the audit log on (file in the work dir, fail-closed as by default)
                      defaults: the server's own defaults (rate limits 20/100 per s: expect -32000 denials)
  --env KEY=VALUE     extra server environment (repeatable; applied last)
  --gen METHOD        how to build a missing dataset: auto (mcp up to 20k episodes, import above), mcp, import
  --gen-agents N      concurrent agents when building through MCP (default 16)
  --seed-size SIZE    MCP-built dataset the import path clones (default 10k)
  --rebuild           rebuild the datasets even if cached
  --seed N            dataset seed (default 1)
  --cache-dir DIR     dataset cache (default $MEMORY_MCP_BENCH_CACHE or build/bench under the repo root)
  --out FILE          JSON output (default <cache-dir>/results/bench-<sizes>-<time>.json)
  --help
`;

function options() {
  const { values } = parseArgs({
    options: {
      size: { type: 'string', default: '1k' },
      bin: { type: 'string' },
      depth: { type: 'string', default: '1,8,32' },
      duration: { type: 'string', default: '5' },
      count: { type: 'string' },
      warmup: { type: 'string', default: '50' },
      tools: { type: 'string' },
      phases: { type: 'string', default: 'ready,raw,sdk' },
      'ready-runs': { type: 'string', default: '5' },
      'wait-idle': { type: 'string', default: '30' },
      'max-other': { type: 'string', default: '10' },
      retries: { type: 'string', default: '2' },
      config: { type: 'string', default: 'bench' },
      env: { type: 'string', multiple: true, default: [] },
      gen: { type: 'string', default: 'auto' },
      'gen-agents': { type: 'string', default: '16' },
      'seed-size': { type: 'string', default: '10k' },
      rebuild: { type: 'boolean', default: false },
      seed: { type: 'string', default: '1' },
      'cache-dir': { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP);
    process.exit(0);
  }
  const list = (s) => s.split(',').map((x) => x.trim()).filter(Boolean);
  const o = {
    sizes: list(values.size).map(parseSize),
    bin: path.resolve(values.bin ?? path.join(repoRoot, 'build/release/memory-mcp-server')),
    depths: list(values.depth).map(Number),
    durationMs: values.count ? Infinity : Number(values.duration) * 1000,
    count: values.count ? Number(values.count) : Infinity,
    warmup: Number(values.warmup),
    tools: values.tools ? list(values.tools) : null,
    phases: new Set(list(values.phases)),
    readyRuns: Number(values['ready-runs']),
    waitIdleS: Number(values['wait-idle']),
    maxOther: Number(values['max-other']),
    retries: Number(values.retries),
    config: values.config,
    extraEnv: values.env,
    gen: values.gen,
    genAgents: Number(values['gen-agents']),
    seedSize: parseSize(values['seed-size']),
    rebuild: values.rebuild,
    seed: Number(values.seed),
    cacheDir: path.resolve(values['cache-dir'] ?? process.env.MEMORY_MCP_BENCH_CACHE ?? path.join(repoRoot, 'build/bench')),
    out: values.out,
  };
  const bad = [];
  if (o.depths.some((d) => !(Number.isInteger(d) && d > 0))) bad.push('--depth: positive integers');
  if (!['bench', 'audit', 'defaults'].includes(o.config)) bad.push('--config: bench, audit or defaults');
  if (!['auto', 'mcp', 'import'].includes(o.gen)) bad.push('--gen: auto, mcp or import');
  for (const kv of o.extraEnv) if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(kv)) bad.push(`--env ${kv}: KEY=VALUE`);
  if (!(o.durationMs > 0) && !(o.count > 0)) bad.push('--duration/--count: positive');
  if (bad.length) {
    process.stderr.write(`bench: ${bad.join('; ')}\n`);
    process.exit(2);
  }
  return o;
}

const log = (...a) => process.stderr.write(`[bench] ${a.join(' ')}\n`);

function binaryInfo(bin) {
  const st = fs.statSync(bin);
  let version = null;
  try {
    version = execFileSync(bin, ['--version'], { encoding: 'utf8', env: { PATH: process.env.PATH } }).trim();
  } catch { /* recorded as null */ }
  let gitHead = null;
  let gitDirty = null;
  try {
    const dir = path.dirname(bin);
    gitHead = execFileSync('git', ['-C', dir, 'rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    gitDirty = execFileSync('git', ['-C', dir, 'status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() !== '';
  } catch { /* not in a git checkout */ }
  const sha256 = crypto.createHash('sha256').update(fs.readFileSync(bin)).digest('hex');
  return { path: bin, version, sha256, bytes: st.size, mtime: st.mtime.toISOString(), git_head_of_binary_dir: gitHead, git_dirty: gitDirty };
}

function hostInfo() {
  const cpus = os.cpus();
  let load = os.loadavg().map((x) => Math.round(x * 100) / 100);
  return { hostname: os.hostname(), cpus: cpus.length, cpu_model: cpus[0]?.model, mem_bytes: os.totalmem(), kernel: os.release(),
    node: process.version, loadavg_at_start: load };
}

// The server's environment: minimal (as the e2e tests do), the config profile, the data dir, HTTP off, --env.
function makeEnvFor(o) {
  const profile = {
    bench: { MCP_RATE_LIMIT_READ_RPS: '1000000', MCP_RATE_LIMIT_READ_BURST: '1000000', MCP_RATE_LIMIT_WRITE_RPS: '1000000',
      MCP_RATE_LIMIT_WRITE_BURST: '1000000', AUDIT_LOG_ENABLED: 'false' },
    audit: { MCP_RATE_LIMIT_READ_RPS: '1000000', MCP_RATE_LIMIT_READ_BURST: '1000000', MCP_RATE_LIMIT_WRITE_RPS: '1000000',
      MCP_RATE_LIMIT_WRITE_BURST: '1000000', AUDIT_LOG_ENABLED: 'true', AUDIT_LOG_DESTINATION: 'file' },
    defaults: {},
  }[o.config];
  const extra = Object.fromEntries(o.extraEnv.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
  const envFor = (dataDir, { profiled = true } = {}) => ({
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    ...(profiled ? profile : {}),
    ...(profiled && o.config === 'audit' ? { AUDIT_LOG_FILE_PATH: path.join(dataDir, 'audit.log') } : {}),
    MEMORY_DATA_DIR: dataDir,
    MEMORY_MCP_HTTP_ADDR: 'off',
    ...extra,
  });
  return { envFor, profile, extra };
}

// Finds or builds the dataset of `size` episodes. Resolves { dir, meta, built }.
async function ensureDataset(o, size, envFor, binInfo) {
  const method = o.gen === 'auto' ? (size <= 20000 ? 'mcp' : 'import') : o.gen;
  const dir = datasetDir(o.cacheDir, size, o.seed, method);
  let meta = readMeta(dir);
  if (meta && !o.rebuild) {
    log(`dataset ${sizeLabel(size)}: cached at ${dir}`);
    return { dir, meta, built: false };
  }
  // Building through the bench profile regardless of --config: rate limits would throttle the build and the
  // audit log is not part of the dataset.
  const buildEnv = (d) => envFor(d, { profiled: false });
  const raised = (d) => ({ ...buildEnv(d), MCP_RATE_LIMIT_READ_RPS: '1000000', MCP_RATE_LIMIT_READ_BURST: '1000000',
    MCP_RATE_LIMIT_WRITE_RPS: '1000000', MCP_RATE_LIMIT_WRITE_BURST: '1000000' });
  if (method === 'mcp') {
    log(`dataset ${sizeLabel(size)}: building through MCP with ${o.genAgents} agents (${size} episodes, about ${size * 12} calls)`);
    meta = await buildViaMcp({ bin: o.bin, envFor: raised, dir, size, seed: o.seed, agents: o.genAgents, binaryInfo: binInfo });
  } else {
    const seedDs = await ensureDataset({ ...o, gen: 'mcp', rebuild: false }, o.seedSize, envFor, binInfo);
    log(`dataset ${sizeLabel(size)}: building through export -> clone -> import from ${sizeLabel(o.seedSize)}`);
    meta = await buildViaImport({ bin: o.bin, envFor: raised, dir, size, seed: o.seed, seedDir: seedDs.dir,
      workDir: path.join(o.cacheDir, 'work', `gen-${sizeLabel(size)}`), binaryInfo: binInfo });
  }
  log(`dataset ${sizeLabel(size)}: built (${JSON.stringify(meta.build).slice(0, 300)})`);
  return { dir, meta, built: true };
}

function median(xs) {
  const s = xs.filter((x) => x !== null && x !== undefined).sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : null;
}

async function measureReady(o, workDir, env) {
  const init = [];
  const http = [];
  let waited = 0;
  for (let k = 0; k < o.readyRuns; k++) {
    waited += await waitIdle(o.waitIdleS, o.maxOther);
    init.push(await probeReady({ bin: o.bin, env }));
  }
  for (let k = 0; k < o.readyRuns; k++) {
    waited += await waitIdle(o.waitIdleS, o.maxOther);
    http.push(await probeReady({ bin: o.bin, env, http: true }));
  }
  const agg = (runs, key) => ({ median: median(runs.map((r) => r[key])), min: Math.min(...runs.map((r) => r[key])), max: Math.max(...runs.map((r) => r[key])) });
  return {
    runs: o.readyRuns,
    spawn_to_initialize_ms: agg(init, 'initialize_ms'),
    spawn_to_http_ready_ms: agg(http, 'ready_ms'),
    spawn_to_first_http_answer_ms: agg(http, 'first_http_ms'),
    stdin_eof_to_exit_ms: agg(init, 'exit_ms'),
    rss_after_ready_bytes: median(init.map((r) => r.rss_after_ready_bytes)),
    waited_idle_s: Math.round(waited * 10) / 10,
    detail: { initialize_only: init, with_http: http },
  };
}

// Which rows to run, in table order with every write row after every read row.
function selectedEntries(o, sdkOnly = false) {
  let entries = TOOLS.filter((e) => !sdkOnly || e.sdk);
  if (o.tools) entries = entries.filter((e) => o.tools.some((t) => e.name === t || e.name.startsWith(`${t}/`) || (e.tool ?? e.name) === t));
  return [...entries.filter((e) => !e.write), ...entries.filter((e) => e.write)];
}

// For `loose` rows: keeps only the argument keys the tool's inputSchema declares; null if a required one is missing.
function schemaFilter(entry, toolDef) {
  if (!entry.loose || !toolDef) return { entry };
  const props = toolDef.inputSchema?.properties ?? {};
  const required = toolDef.inputSchema?.required ?? [];
  const dropped = new Set();
  let missing = null;
  const args = (c, i, lane) => {
    const a = entry.args(c, i, lane);
    if (a === null) return null;
    const out = {};
    for (const [k, v] of Object.entries(a)) {
      if (k in props) out[k] = v;
      else dropped.add(k);
    }
    for (const k of required) if (!(k in out)) missing = k;
    return out;
  };
  return { entry: { ...entry, args }, dropped, missingRequired: () => missing };
}

// Runs one measurement after waiting for a quiet machine; if other processes still took more than
// --max-other % of it during the measurement, measures again (up to --retries times) and keeps the least
// disturbed attempt. Resolves { res, waited, attempts }.
async function measureQuietly(o, measure) {
  let best = null;
  let waited = 0;
  let attempts = 0;
  while (attempts <= o.retries) {
    waited += await waitIdle(o.waitIdleS, o.maxOther);
    const res = await measure();
    attempts++;
    if (!best || (res.otherCpuPct ?? 0) < (best.otherCpuPct ?? 0)) best = res;
    if ((res.otherCpuPct ?? 0) <= o.maxOther) break;
    log(`  (other processes used ${res.otherCpuPct} % of the machine during that row; measuring it again)`);
  }
  return { res: best, waited, attempts };
}

function rowFrom(entry, depth, res, extra = {}) {
  const s = res.samples.summary();
  const wallS = res.wallNs / 1e9;
  return {
    name: entry.name, tool: entry.method ?? entry.tool ?? entry.name, depth, ...s,
    wall_s: round3(wallS), calls_per_s: s.count ? Math.round((s.count / wallS) * 10) / 10 : null,
    errors: res.errors, first_error: res.firstError,
    server_cpu_us_per_call: res.cpuMs !== null && s.count ? Math.round((res.cpuMs * 1000) / s.count) : null,
    driver_cpu_us_per_call: s.count ? Math.round((res.driverCpuMs * 1000) / s.count) : null,
    other_cpu_pct: res.otherCpuPct,
    ...extra,
  };
}

// Raw-stdio measurements of every row on one server process.
async function measureRaw(o, meta, workDir, env) {
  const srv = new RawServer({ bin: o.bin, env }).start();
  try {
    const init = await srv.initialize();
    const tools = await srv.listTools();
    const byName = new Map(tools.map((t) => [t.name, t]));
    const rssAfterInit = procStatus(srv.pid)?.VmRSS ?? null;
    const sampler = rssSampler(srv.pid, 100);
    const unmeasured = async ({ tool, count, args, after }) => {
      const res = await srv.pipelined({
        depth: 16, count,
        next: (i, lane) => { const a = args(i, lane); return a === null ? null : { method: 'tools/call', params: { name: tool, arguments: a } }; },
        onResult: (msg) => { if (!callError(msg) && after) after(msg.result.structuredContent); },
      });
      if (res.errors) throw new Error(`unmeasured ${tool} calls (setting up the write rows) failed: ${res.firstError}`);
    };
    const c = new WorkloadContext({ meta, seed: o.seed, unmeasured });
    const rows = [];
    const skipped = [];
    let readsPeak = null;
    for (const raw of selectedEntries(o)) {
      const toolName = raw.tool ?? raw.name;
      if (!raw.method && !byName.has(toolName)) {
        skipped.push({ name: raw.name, reason: `${toolName} is not in tools/list` });
        continue;
      }
      if (raw.write && readsPeak === null) readsPeak = sampler.peek().max_rss_bytes;
      const { entry, dropped, missingRequired } = schemaFilter(raw, byName.get(toolName));
      for (const depth of entry.depths ? o.depths : [1]) {
        const run = { depth, durationMs: o.durationMs, count: o.count };
        if (entry.prepare) await entry.prepare(c, run);
        const next = (i, lane) => {
          if (entry.method) return { method: entry.method, params: entry.params ? entry.params(c, i) : undefined };
          const args = entry.args(c, i, lane);
          if (args === null) return null;
          if (missingRequired?.()) return null;
          return { method: 'tools/call', params: { name: toolName, arguments: args } };
        };
        const onResult = entry.after ? (msg, i, lane, req) => { if (!callError(msg)) entry.after(c, msg.result.structuredContent, req.params.arguments); } : undefined;
        const warm = entry.write ? Math.min(o.warmup, 10) : o.warmup;
        if (warm > 0) await srv.pipelined({ depth, count: warm, next, onResult });
        const { res, waited, attempts } = await measureQuietly(o, async () => {
          if (entry.prepare) await entry.prepare(c, run);
          return srv.pipelined({ depth, count: o.count, durationMs: o.durationMs, next, onResult });
        });
        if (missingRequired?.()) {
          skipped.push({ name: entry.name, reason: `required argument ${missingRequired()} has no value in the bench's guess; edit lib/tools.mjs` });
          break;
        }
        const row = rowFrom(entry, depth, res, { waited_idle_s: Math.round(waited * 10) / 10, attempts, ...(dropped?.size ? { dropped_args: [...dropped] } : {}) });
        if (res.samples.count === 0) row.note = 'nothing to do (e.g. no episode left to complete, no pattern id found)';
        if (entry.name === 'add_episode_step') c.stepRates.push(row.calls_per_s ?? 0);
        rows.push(row);
        log(`  raw ${entry.name.padEnd(28)} depth ${String(depth).padStart(2)}: p50 ${row.p50_ms} ms, p99 ${row.p99_ms} ms, ${row.calls_per_s} calls/s${row.errors ? `, ${row.errors} errors (${row.first_error})` : ''}`);
      }
    }
    const ping = rows.find((r) => r.name === 'ping' && r.depth === 1);
    for (const r of rows) if (ping?.p50_ms && r.depth === 1 && r.p50_ms !== null) r.p50_over_ping = Math.round((r.p50_ms / ping.p50_ms) * 10) / 10;
    const rss = sampler.stop();
    const status = procStatus(srv.pid);
    const stats = await srv.request('tools/call', { name: 'health_check', arguments: {} }).then(({ msg }) => msg.result?.structuredContent?.storage?.detail ?? null).catch(() => null);
    const closed = await srv.close(60000);
    return {
      initialize_ms: round3(init.ns / 1e6),
      tools_listed: tools.length,
      rows, skipped,
      memory: {
        rss_after_initialize_bytes: rssAfterInit,
        max_sampled_rss_reads_bytes: readsPeak ?? rss.max_rss_bytes,
        max_sampled_rss_bytes: rss.max_rss_bytes,
        rss_at_end_bytes: status?.VmRSS ?? null,
        peak_rss_vmhwm_bytes: status?.VmHWM ?? null,
        threads: status?.Threads ?? null,
        samples: rss.samples,
      },
      store_detail_at_end: stats,
      exit: { code: closed.code, signal: closed.signal, stdin_eof_to_exit_ms: round3(closed.exitMs) },
      protocol: { notifications: srv.notifications, unmatched_responses: srv.unmatched, bad_stdout_lines: srv.badLines },
    };
  } finally {
    srv.kill();
  }
}

// The comparison rows through the official SDK client (depth 1, and every --depth for rows with `depths`).
async function measureSdk(o, meta, env, rawRows) {
  const sdk = await connectSdk({ bin: o.bin, env });
  try {
    const names = new Set(sdk.tools.map((t) => t.name));
    const unmeasured = async ({ tool, count, args, after }) => {
      let i = 0;
      const lane = async (l) => {
        while (i < count) {
          const a = args(i++, l);
          if (a === null) return;
          const r = await sdk.client.callTool({ name: tool, arguments: a });
          if (r.isError) throw new Error(`unmeasured ${tool} via the SDK failed: ${r.content?.[0]?.text}`);
          if (after) after(r.structuredContent);
        }
      };
      await Promise.all(Array.from({ length: 16 }, (_, l) => lane(l)));
    };
    const c = new WorkloadContext({ meta, seed: o.seed, unmeasured }); // same queries and ids as the raw rows
    const rows = [];
    const sampler = rssSampler(sdk.pid, 100);
    for (const entry of selectedEntries(o, true)) {
      if (!entry.method && !names.has(entry.tool ?? entry.name)) continue;
      for (const depth of entry.depths ? o.depths : [1]) {
        const run = { depth, durationMs: o.durationMs, count: o.count };
        if (entry.prepare) await entry.prepare(c, run);
        const warm = entry.write ? Math.min(o.warmup, 10) : o.warmup;
        if (warm > 0) await sdkPipelined({ sdk, entry, c, depth, count: warm });
        const { res, waited, attempts } = await measureQuietly(o, async () => {
          if (entry.prepare) await entry.prepare(c, run);
          return sdkPipelined({ sdk, entry, c, depth, count: o.count, durationMs: o.durationMs });
        });
        if (entry.name === 'add_episode_step') c.stepRates.push((res.samples.count / res.wallNs) * 1e9);
        const raw = rawRows?.find((r) => r.name === entry.name && r.depth === depth);
        const row = rowFrom(entry, depth, res, { waited_idle_s: Math.round(waited * 10) / 10, attempts });
        if (raw?.p50_ms && row.p50_ms !== null) {
          row.raw_p50_ms = raw.p50_ms;
          row.sdk_over_raw_p50 = Math.round((row.p50_ms / raw.p50_ms) * 10) / 10;
          row.raw_calls_per_s = raw.calls_per_s;
        }
        rows.push(row);
        log(`  sdk ${entry.name.padEnd(28)} depth ${String(depth).padStart(2)}: p50 ${row.p50_ms} ms, p99 ${row.p99_ms} ms, ${row.calls_per_s} calls/s${row.errors ? `, ${row.errors} errors (${row.first_error})` : ''}`);
      }
    }
    const ping = rows.find((r) => r.name === 'ping' && r.depth === 1);
    for (const r of rows) if (ping?.p50_ms && r.depth === 1 && r.p50_ms !== null) r.p50_over_ping = Math.round((r.p50_ms / ping.p50_ms) * 10) / 10;
    const rss = sampler.stop();
    return { connect_ms: round3(sdk.connectMs), rows, peak_rss_vmhwm_bytes: procStatus(sdk.pid)?.VmHWM ?? null, max_sampled_rss_bytes: rss.max_rss_bytes };
  } finally {
    await sdk.client.close().catch(() => {});
  }
}

function printRun(run) {
  const d = run.dataset;
  const out = [];
  out.push('');
  out.push(`=== ${sizeLabel(d.size)} episodes: ${d.episodes} stored (${d.completed} completed), ${d.steps} steps, db ${fmt.mb(d.db_bytes)}; built via ${d.method}${run.dataset_built_now ? '' : ' (cached)'}; config ${run.config.profile} ===`);
  const b = d.build;
  if (b?.method === 'mcp') {
    out.push(`build through MCP (${b.agents} agents): ${b.wall_s} s, ${b.episodes_per_s} episodes/s, ${b.calls_per_s} calls/s, server CPU ${b.server_cpu_us_per_call} us/call, peak RSS ${fmt.mb(b.server_peak_rss_bytes)}`);
    out.push(table(Object.entries(b.tools).map(([k, v]) => ({ name: k, ...v })), [
      { key: 'name', title: 'build call', align: 'l' }, { key: 'count', title: 'calls', fmt: fmt.int },
      { key: 'mean_ms', title: 'mean ms', fmt: fmt.ms }, { key: 'p50_ms', title: 'p50 ms', fmt: fmt.ms },
      { key: 'p99_ms', title: 'p99 ms', fmt: fmt.ms }, { key: 'max_ms', title: 'max ms', fmt: fmt.ms }]));
  } else if (b?.method === 'import') {
    out.push(`build through import: ${b.seed_episodes} seed episodes cloned; generate ${b.generate_s} s, file ${fmt.mb(b.file_bytes)}, import ${b.import_s} s (${b.import_episodes_per_s} episodes/s)`);
  }
  if (run.ready) {
    const r = run.ready;
    out.push(`time to ready (median of ${r.runs}, min-max): spawn -> initialize answered ${r.spawn_to_initialize_ms.median} ms (${r.spawn_to_initialize_ms.min}-${r.spawn_to_initialize_ms.max}); spawn -> GET /ready 200 ${r.spawn_to_http_ready_ms.median} ms (${r.spawn_to_http_ready_ms.min}-${r.spawn_to_http_ready_ms.max}); stdin EOF -> exit ${r.stdin_eof_to_exit_ms.median} ms; RSS when ready ${fmt.mb(r.rss_after_ready_bytes)}`);
  }
  const cols = [
    { key: 'name', title: 'tool', align: 'l' }, { key: 'depth', title: 'depth' }, { key: 'count', title: 'calls', fmt: fmt.int },
    { key: 'calls_per_s', title: 'calls/s', fmt: fmt.int }, { key: 'mean_ms', title: 'mean ms', fmt: fmt.ms },
    { key: 'p50_ms', title: 'p50 ms', fmt: fmt.ms }, { key: 'p99_ms', title: 'p99 ms', fmt: fmt.ms },
    { key: 'max_ms', title: 'max ms', fmt: fmt.ms }, { key: 'p50_over_ping', title: 'p50/ping', fmt: fmt.ratio },
    { key: 'server_cpu_us_per_call', title: 'srv cpu us', fmt: fmt.int }, { key: 'driver_cpu_us_per_call', title: 'drv cpu us', fmt: fmt.int },
    { key: 'other_cpu_pct', title: 'other%', fmt: (v) => v.toFixed(0) }, { key: 'errors', title: 'err' },
  ];
  if (run.raw) {
    out.push('raw stdio (pipelined JSON-RPC):');
    out.push(table(run.raw.rows, cols));
    const m = run.raw.memory;
    out.push(`server memory: RSS after initialize ${fmt.mb(m.rss_after_initialize_bytes)}, max sampled ${fmt.mb(m.max_sampled_rss_reads_bytes)} (reads) / ${fmt.mb(m.max_sampled_rss_bytes)} (all), peak VmHWM ${fmt.mb(m.peak_rss_vmhwm_bytes)}, ${m.threads} threads`);
    if (run.raw.skipped.length) out.push(`skipped: ${run.raw.skipped.map((s) => `${s.name} (${s.reason})`).join('; ')}`);
    const errs = run.raw.rows.filter((r) => r.errors);
    for (const r of errs) out.push(`errors in ${r.name} depth ${r.depth}: ${r.errors}, first: ${r.first_error}`);
  }
  if (run.sdk) {
    out.push(`official SDK client (Client + StdioClientTransport; connect ${run.sdk.connect_ms} ms):`);
    out.push(table(run.sdk.rows, [...cols.slice(0, 12), { key: 'raw_p50_ms', title: 'raw p50', fmt: fmt.ms },
      { key: 'sdk_over_raw_p50', title: 'sdk/raw', fmt: fmt.ratio }, { key: 'errors', title: 'err' }]));
  }
  process.stdout.write(out.join('\n') + '\n');
}

async function main() {
  const o = options();
  if (!fs.existsSync(o.bin)) {
    process.stderr.write(`bench: no server binary at ${o.bin} (build it: scripts/build release, or pass --bin)\n`);
    process.exit(2);
  }
  fs.mkdirSync(o.cacheDir, { recursive: true });
  const binInfo = binaryInfo(o.bin);
  const { envFor, profile, extra } = makeEnvFor(o);
  const startedAt = new Date();
  const outFile = path.resolve(o.out ?? path.join(o.cacheDir, 'results',
    `bench-${o.sizes.map(sizeLabel).join('-')}-${startedAt.toISOString().replace(/[:.]/g, '').slice(0, 15)}.json`));
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  const results = {
    harness: 'memory-mcp tools/bench', gen_version: GEN_VERSION, started_at: startedAt.toISOString(), host: hostInfo(), binary: binInfo,
    options: { sizes: o.sizes, depths: o.depths, duration_s: o.durationMs / 1000, count: Number.isFinite(o.count) ? o.count : null,
      warmup: o.warmup, tools: o.tools, phases: [...o.phases], ready_runs: o.readyRuns, seed: o.seed, cache_dir: o.cacheDir },
    config: { profile: o.config, env: { ...profile, ...extra }, note: 'plus MEMORY_DATA_DIR=<work copy>, MEMORY_MCP_HTTP_ADDR=off (127.0.0.1:<free port> for the /ready probe), PATH, HOME; nothing else is inherited' },
    runs: [],
  };
  const save = () => fs.writeFileSync(outFile, JSON.stringify(results, null, 1));
  for (const size of o.sizes) {
    const ds = await ensureDataset(o, size, envFor, binInfo);
    const { sample_completed_ids: _ids, ...dataset } = ds.meta;
    const workDir = workCopy(ds.dir, path.join(o.cacheDir, 'work', sizeLabel(size)));
    const env = envFor(workDir);
    const run = { size, dataset, dataset_dir: ds.dir, dataset_built_now: ds.built, work_dir: workDir,
      config: { profile: o.config, env: Object.fromEntries(Object.entries(env).filter(([k]) => !['PATH', 'HOME'].includes(k))) } };
    results.runs.push(run);
    if (o.phases.has('ready')) {
      log(`${sizeLabel(size)}: time to ready (${o.readyRuns} runs each)`);
      run.ready = await measureReady(o, workDir, env);
      save();
    }
    if (o.phases.has('raw')) {
      log(`${sizeLabel(size)}: raw stdio rows`);
      run.raw = await measureRaw(o, ds.meta, workDir, env);
      save();
    }
    if (o.phases.has('sdk')) {
      // A fresh copy: the raw write rows added thousands of episodes, which would make the SDK's reads slower.
      if (o.phases.has('raw')) workCopy(ds.dir, workDir);
      log(`${sizeLabel(size)}: official SDK client rows`);
      run.sdk = await measureSdk(o, ds.meta, env, run.raw?.rows);
      save();
    }
    run.finished_at = new Date().toISOString();
    save();
    printRun(run);
  }
  results.finished_at = new Date().toISOString();
  save();
  process.stdout.write(`\nJSON: ${outFile}\n`);
}

main().catch((err) => {
  process.stderr.write(`bench: ${err.stack ?? err}\n`);
  process.exit(1);
});

// Retrieval-quality evaluation of memory-mcp: loads the synthetic dataset (dataset.mjs) into a fresh server
// through MCP, runs the held-out queries against query_memory (and recommend_patterns when the server has it),
// prints recall@5 / MRR tables and writes every ranking to a JSON file. Usage: tools/eval/run --help.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { StdioServer } from './client.mjs';
import { generateDataset } from './dataset.mjs';
import { firstRelevantRank, mean, ndcgAtK, recallAtK, reciprocalRank, summarize } from './metrics.mjs';
import { errorClass, patternTarget } from './patterns.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../..');

const HELP = `usage: tools/eval/run [options]
  --bin PATH          server binary (default: build/release/memory-mcp-server under the repo root)
  --seed N            dataset seed (default 42)
  --scale X           episodes per family multiplier (default 1: about 280 episodes, 37 families)
  --out FILE          JSON result file (default: build/eval/eval-seed<N>-scale<X>.json under the repo root)
  --data-dir DIR      parent of the server's temporary data dir (default: the system temp dir)
  --keep-data         keep the server's data dir (its path is printed)
  --concurrency N     episodes recorded in parallel (default 8; 1 = fully deterministic recording order)
  --depth N           results requested per query (default 100, the maximum; MRR counts ranks up to it)
  --failures N        print the N worst query_memory queries with their top 5 (default 12; 0 = none)
  --quiet             only the summary tables
  --min-recall5 X     exit with status 3 when query_memory recall@5 (all queries) is below X (a regression gate)
  --min-mrr X         likewise for query_memory MRR
  -h, --help`;

class UsageError extends Error {}

function parseArgs(argv) {
  const o = { seed: 42, scale: 1, concurrency: 8, depth: 100, failures: 12, keepData: false, quiet: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      if (i + 1 >= argv.length) throw new UsageError(`${a} needs a value`);
      return argv[++i];
    };
    const num = (name) => {
      const v = Number(val());
      if (!Number.isFinite(v)) throw new UsageError(`${name} must be a number`);
      return v;
    };
    switch (a) {
      case '--bin': o.bin = val(); break;
      case '--seed': o.seed = num('--seed'); break;
      case '--scale': o.scale = num('--scale'); break;
      case '--out': o.out = val(); break;
      case '--data-dir': o.dataDir = val(); break;
      case '--keep-data': o.keepData = true; break;
      case '--concurrency': o.concurrency = Math.max(1, num('--concurrency')); break;
      case '--depth': o.depth = Math.min(100, Math.max(5, num('--depth'))); break;
      case '--failures': o.failures = num('--failures'); break;
      case '--quiet': o.quiet = true; break;
      case '--min-recall5': o.minRecall5 = num('--min-recall5'); break;
      case '--min-mrr': o.minMrr = num('--min-mrr'); break;
      case '-h': case '--help': console.log(HELP); process.exit(0); break;
      default: throw new UsageError(`unknown option ${a}\n${HELP}`);
    }
  }
  o.bin = path.resolve(o.bin ?? path.join(repoRoot, 'build/release/memory-mcp-server'));
  o.out = path.resolve(o.out ?? path.join(repoRoot, `build/eval/eval-seed${o.seed}-scale${o.scale}.json`));
  return o;
}

// ------------------------------------------------------------------------------------------ loading

async function recordEpisode(server, ep) {
  const { episode_id } = await server.tool('create_episode', ep.create);
  // Steps of one episode in parallel (distinct step numbers); completion after all of them.
  await Promise.all(ep.steps.map((st) => server.tool('add_episode_step', { episode_id, ...st })));
  const done = await server.tool('complete_episode', { episode_id, ...ep.complete });
  return { episode_id, reward: done.reward.total };
}

async function load(server, episodes, concurrency) {
  const byId = new Map();
  let next = 0;
  const worker = async () => {
    while (next < episodes.length) {
      const ep = episodes[next++];
      const { episode_id, reward } = await recordEpisode(server, ep);
      byId.set(episode_id, { ...ep, episode_id, reward });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return byId;
}

// ------------------------------------------------------------------------------------------ query_memory

const GRADE = { success: 2, partial_success: 1, failure: 1, abstained: 1 };

async function evalQueryMemory(server, ds, byId, depth) {
  const familyEpisodes = new Map();
  for (const ep of byId.values()) {
    if (!familyEpisodes.has(ep.family)) familyEpisodes.set(ep.family, []);
    familyEpisodes.get(ep.family).push(ep);
  }
  const runs = [];
  for (const q of ds.queries)
    for (const mode of ['text_only', 'with_context']) runs.push({ q, mode });
  const rows = await Promise.all(runs.map(async ({ q, mode }) => {
    const args = { query: q.text, limit: depth, ...(mode === 'with_context' ? q.context : {}) };
    const r = await server.tool('query_memory', args);
    const relevant = familyEpisodes.get(q.family);
    const ranked = r.episodes.map((e) => {
      const ep = byId.get(e.episode_id);
      return { id: e.episode_id, family: ep?.family ?? '?', key: ep?.key, variant: ep?.variant, outcome: e.outcome_type,
        score: e.score, breakdown: e.score_breakdown, description: e.task_description };
    });
    const target = (it) => (it.family === q.family ? it.id : null);
    const grades = relevant.map((ep) => GRADE[ep.complete.outcome_type] ?? 1);
    return {
      id: q.id, family: q.family, kind: q.kind, domain: ds.families.find((f) => f.id === q.family).domain, mode, text: q.text,
      context_code: Object.keys(q.context).map((k) => k[0]).join('').replace('dtlf', 'full'),
      context: mode === 'with_context' ? q.context : {}, query_terms: r.query_terms, candidates: r.insights.candidates,
      relevant: relevant.length,
      recall5: recallAtK(ranked, 5, relevant.length, target),
      rr: reciprocalRank(ranked, target),
      ndcg5: ndcgAtK(ranked, 5, (it) => (it.family === q.family ? GRADE[it.outcome] ?? 1 : 0), grades),
      first_relevant_rank: firstRelevantRank(ranked, target),
      relevant_in_results: ranked.filter((it) => it.family === q.family).length,
      top: ranked.slice(0, 10),
      best_relevant: ranked.find((it) => it.family === q.family) ?? null,
    };
  }));
  return report(rows);
}

function report(rows) {
  const group = (key) => {
    const out = {};
    for (const r of rows) (out[key(r)] ??= []).push(r);
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, summarize(v)]));
  };
  // Which families push others out of the top 5.
  const intrusions = {};
  for (const r of rows)
    for (const it of r.top.slice(0, 5))
      if (it.family !== r.family) {
        const k = `${it.family} in ${r.family}`;
        intrusions[k] = (intrusions[k] ?? 0) + 1;
      }
  return {
    summary: { all: summarize(rows), text_only: summarize(rows.filter((r) => r.mode === 'text_only')),
      with_context: summarize(rows.filter((r) => r.mode === 'with_context')) },
    by_query_kind: group((r) => `${r.kind} / ${r.mode}`),
    by_domain: group((r) => r.domain),
    by_family: group((r) => r.family),
    // Paired: the same queries without and with the context they carry (d domain, t task_type, l language, f
    // framework), so the difference is what the context arguments bring.
    by_context_given: group((r) => `${r.context_code.padEnd(4)} ${r.mode}`),
    top_intrusions: Object.entries(intrusions).sort((a, b) => b[1] - a[1]).slice(0, 25).map(([k, n]) => ({ intrusion: k, top5_slots: n })),
    queries: rows,
  };
}

// ------------------------------------------------------------------------------------------ recommend_patterns

async function waitForPatterns(server, probe, { timeoutMs = 15000, intervalMs = 250 } = {}) {
  // The learner may extract patterns after complete_episode returns: wait until a probe answer is stable.
  const deadline = Date.now() + timeoutMs;
  let last = null;
  let stable = 0;
  while (Date.now() < deadline) {
    // Pattern identity and evidence only: scores carry recency, which moves with the clock.
    const r = JSON.stringify(((await server.tool('recommend_patterns', probe)).results ?? []).map((p) => [p.pattern_id, p.occurrences]));
    stable = r === last && r !== '[]' ? stable + 1 : 0;
    if (stable >= 2) return true;
    last = r;
    await new Promise((res) => setTimeout(res, intervalMs));
  }
  return false;
}

async function evalRecommend(server, ds, byId) {
  const fams = new Map(ds.families.map((f) => [f.id, f]));
  const errorClasses = new Map();
  for (const ep of byId.values()) {
    if (ep.variant !== 'recovery') continue;
    const failing = fams.get(ep.family).recovery.failing_tool;
    const st = ep.steps.find((s) => s.tool === failing && s.result?.type === 'error');
    if (!st) continue;
    if (!errorClasses.has(ep.family)) errorClasses.set(ep.family, new Set());
    errorClasses.get(ep.family).add(errorClass(st.result.message));
  }
  const first = ds.queries[0];
  const stable = await waitForPatterns(server, { task_description: first.text, domain: fams.get(first.family).domain, limit: 10 });
  const runs = [];
  for (const q of ds.queries)
    for (const mode of ['text_only', 'with_context']) runs.push({ q, mode });
  const rows = await Promise.all(runs.map(async ({ q, mode }) => {
    const fam = fams.get(q.family);
    // domain is required by recommend_patterns: "text only" here means text + domain.
    const args = { task_description: q.text, domain: fam.domain, limit: 10 };
    if (mode === 'with_context') for (const k of ['task_type', 'language', 'framework']) if (q.context[k]) args[k] = q.context[k];
    let r;
    let error = null;
    try {
      r = await server.tool('recommend_patterns', args);
    } catch (err) {  // a failing call counts as an empty answer; the run goes on and reports it
      error = err.message;
      r = {};
    }
    const results = r.results ?? r.patterns ?? [];
    const classes = errorClasses.get(q.family) ?? new Set();
    const ranked = results.map((p) => ({
      pattern_id: p.pattern_id, kind: p.kind ?? p.pattern_type, tools: p.tools, description: p.description,
      success_rate: p.success_rate, confidence: p.confidence, relevance_score: p.relevance_score,
      target: patternTarget(p, fam, classes),
    }));
    const target = (it) => it.target;
    const nTargets = 2;  // the canonical tool sequence and the typical recovery
    return {
      id: q.id, family: q.family, kind: q.kind, domain: fam.domain, mode, text: q.text, args, error,
      context_code: Object.keys(q.context).map((k) => k[0]).join('').replace('dtlf', 'full'),
      recall5: recallAtK(ranked, 5, nTargets, target), rr: reciprocalRank(ranked, target), ndcg5: null,
      first_relevant_rank: firstRelevantRank(ranked, target), expected: { workflow: fam.workflow, recovery: fam.recovery },
      top: ranked.slice(0, 10),
    };
  }));
  const out = report(rows);
  out.patterns_settled = stable;
  const failed = rows.filter((row) => row.error);
  out.failed_calls = failed.length;
  if (failed.length) out.first_failure = failed[0].error;
  delete out.top_intrusions;
  return out;
}

// ------------------------------------------------------------------------------------------ output

const f3 = (x) => (x === null || x === undefined ? '  -  ' : x.toFixed(3));

function table(title, groups) {
  const lines = [title, `  ${'group'.padEnd(34)} ${'queries'.padStart(7)}  recall@5   MRR    nDCG@5  hit@1`];
  for (const [name, s] of Object.entries(groups))
    lines.push(`  ${name.padEnd(34)} ${String(s.queries).padStart(7)}  ${f3(s.recall_at_5)}    ${f3(s.mrr)}  ${f3(s.ndcg_at_5)}  ${f3(s.hit_at_1)}`);
  return lines.join('\n');
}

function worstQueries(rows, n) {
  const sorted = rows.slice().sort((a, b) => a.rr - b.rr || a.recall5 - b.recall5 || a.id.localeCompare(b.id));
  const lines = [];
  for (const r of sorted.slice(0, n)) {
    const ctx = Object.keys(r.context).length ? ` ${JSON.stringify(r.context)}` : '';
    lines.push(`  ${r.id} [${r.mode}] "${r.text}"${ctx}`);
    lines.push(`    recall@5 ${f3(r.recall5)}  first relevant at ${r.first_relevant_rank ?? '-'}  (${r.relevant_in_results}/${r.relevant} relevant returned, ${r.candidates} candidates; terms ${r.query_terms.join(' ')})`);
    const show = (it, i) => `    ${String(i).padStart(2)}. ${it.family === r.family ? '*' : ' '} ${it.family.padEnd(24)} ` +
      `${it.score.toFixed(3)} (t ${it.breakdown.text.toFixed(2)} c ${it.breakdown.context.toFixed(2)} o ${it.breakdown.outcome.toFixed(2)})  ${it.description.slice(0, 70)}`;
    r.top.slice(0, 5).forEach((it, i) => lines.push(show(it, i + 1)));
    if (r.best_relevant && r.first_relevant_rank > 5) lines.push(show(r.best_relevant, r.first_relevant_rank));
  }
  return lines.join('\n');
}

// ------------------------------------------------------------------------------------------ main

async function main() {
  const opt = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(opt.bin)) throw new UsageError(`no server binary at ${opt.bin} (build it with scripts/build release, or pass --bin)`);
  const t0 = Date.now();
  const ds = generateDataset({ seed: opt.seed, scale: opt.scale });
  const parent = fs.mkdtempSync(path.join(opt.dataDir ?? os.tmpdir(), 'memory-mcp-eval-'));
  const dataDir = path.join(parent, 'data');
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp',
    MEMORY_DATA_DIR: dataDir, MEMORY_MCP_HTTP_ADDR: 'off',
    MCP_RATE_LIMIT_WRITE_RPS: '1000000', MCP_RATE_LIMIT_WRITE_BURST: '1000000',
    MCP_RATE_LIMIT_READ_RPS: '1000000', MCP_RATE_LIMIT_READ_BURST: '1000000',
  };
  const server = new StdioServer(opt.bin, env);
  const result = { meta: { tool: 'tools/eval', bin: opt.bin, seed: opt.seed, scale: opt.scale, started_at: new Date().toISOString() } };
  try {
    const init = await server.initialize();
    result.meta.server = init.serverInfo;
    const tools = await server.listTools();
    const steps = ds.episodes.reduce((n, e) => n + e.steps.length, 0);
    if (!opt.quiet) process.stderr.write(`eval: ${ds.families.length} families, ${ds.episodes.length} episodes (${steps} steps), ${ds.queries.length} queries x 2 modes; recording...\n`);
    const tLoad = Date.now();
    const byId = await load(server, ds.episodes, opt.concurrency);
    const loadMs = Date.now() - tLoad;
    result.dataset = {
      families: ds.families, episodes: ds.episodes.length, steps, queries: ds.queries.length,
      variants: ds.episodes.reduce((m, e) => ((m[e.variant] = (m[e.variant] ?? 0) + 1), m), {}),
      mean_reward: mean([...byId.values()].map((e) => e.reward)),
    };
    const tQuery = Date.now();
    result.query_memory = tools.includes('query_memory')
      ? await evalQueryMemory(server, ds, byId, opt.depth)
      : { skipped: 'the server has no query_memory tool' };
    const queryMs = Date.now() - tQuery;
    const tRec = Date.now();
    result.recommend_patterns = tools.includes('recommend_patterns')
      ? await evalRecommend(server, ds, byId)
      : { skipped: 'the server has no recommend_patterns tool (tools/list); not evaluated' };
    result.meta.timings_ms = { load: loadMs, query_memory: queryMs, recommend_patterns: Date.now() - tRec, total: Date.now() - t0 };
    result.meta.episode_ids = Object.fromEntries([...byId.values()].map((e) => [e.key, e.episode_id]));
  } finally {
    await server.close();
    if (opt.keepData) process.stderr.write(`eval: data kept in ${dataDir}\n`);
    else fs.rmSync(parent, { recursive: true, force: true });
  }

  fs.mkdirSync(path.dirname(opt.out), { recursive: true });
  fs.writeFileSync(opt.out, JSON.stringify(result, null, 1) + '\n');

  const out = [];
  const m = result.meta;
  out.push(`memory-mcp retrieval eval: ${m.server?.name} ${m.server?.version}, seed ${m.seed}, scale ${m.scale}: ` +
    `${result.dataset.episodes} episodes, ${result.dataset.queries} queries x 2 modes ` +
    `(load ${(m.timings_ms.load / 1000).toFixed(1)} s, queries ${(m.timings_ms.query_memory / 1000).toFixed(1)} s)`);
  const qm = result.query_memory;
  if (qm.skipped) out.push(`query_memory: skipped: ${qm.skipped}`);
  else {
    out.push('', table('query_memory', qm.summary), '', table('query_memory by query kind', qm.by_query_kind),
      '', table('query_memory by domain (both modes)', qm.by_domain));
    if (!opt.quiet) {
      const ctx = Object.fromEntries(Object.entries(qm.by_context_given).sort((a, b) => a[0].localeCompare(b[0])));
      out.push('', table('query_memory by context the query carries (same queries, text_only vs with_context)', ctx));
      const fam = Object.entries(qm.by_family).sort((a, b) => a[1].mrr - b[1].mrr).slice(0, 10);
      out.push('', table('query_memory: 10 weakest families (both modes)', Object.fromEntries(fam)));
      out.push('', 'query_memory: most frequent intruders (family in the top 5 of another family\'s query)');
      for (const x of qm.top_intrusions.slice(0, 10)) out.push(`  ${String(x.top5_slots).padStart(4)}  ${x.intrusion}`);
      if (opt.failures > 0) out.push('', `query_memory: ${opt.failures} worst queries (* = relevant; t/c/o = text/context/outcome score)`, worstQueries(qm.queries, opt.failures));
    }
  }
  const rp = result.recommend_patterns;
  if (rp.skipped) out.push('', `recommend_patterns: skipped: ${rp.skipped}`);
  else {
    out.push('', table(`recommend_patterns${rp.patterns_settled ? '' : ' (patterns did not settle within 15 s)'}`, rp.summary),
      '', table('recommend_patterns by query kind', rp.by_query_kind), '', table('recommend_patterns by domain', rp.by_domain));
    if (rp.failed_calls) out.push(`  ${rp.failed_calls} recommend_patterns calls failed (counted as empty answers), e.g.: ${rp.first_failure}`);
  }
  out.push('', `results: ${opt.out}`);
  console.log(out.join('\n'));
  const all = qm.summary?.all;
  const below = [];
  if (opt.minRecall5 !== undefined && !(all?.recall_at_5 >= opt.minRecall5)) below.push(`recall@5 ${f3(all?.recall_at_5)} < ${opt.minRecall5}`);
  if (opt.minMrr !== undefined && !(all?.mrr >= opt.minMrr)) below.push(`MRR ${f3(all?.mrr)} < ${opt.minMrr}`);
  if (below.length) {
    console.error(`eval: query_memory below the gate: ${below.join(', ')}`);
    process.exitCode = 3;
  }
}

main().catch((err) => {
  console.error(`eval: ${err instanceof UsageError ? err.message : err.stack ?? err.message}`);
  process.exit(err instanceof UsageError ? 2 : 1);
});

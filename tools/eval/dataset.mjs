// Deterministic generator of the evaluation set: episodes (as the MCP calls that record them) and held-out
// queries with known relevant answers, from the scenario families in families.mjs. Same seed and scale, same
// dataset, byte for byte.
//
//   import { generateDataset } from './dataset.mjs';
//   const ds = generateDataset({ seed: 42, scale: 1 });
//   ds.episodes[i] = { key, family, variant, create, steps: [add_episode_step args without episode_id], complete }
//   ds.queries[i]  = { id, family, kind: keywords | task, text, context, context_code }
//   ds.families[i] = { id, domain, ..., workflow (collapsed tools), recovery: {failing_tool, error, recovery_tools} }
//
// `node tools/eval/dataset.mjs [--seed N] [--scale X] [--sample]` prints statistics (and a sample episode).
import { FAMILIES } from './families.mjs';
import { rng as makeRng } from '../lib/rng.mjs';

// Consecutive repeats of the same tool collapsed: the shape of a tool_sequence pattern.
export function collapse(tools) {
  return tools.filter((t, i) => i === 0 || t !== tools[i - 1]);
}

// `[a|b]` alternatives (need at least one '|'), then `{slot}` values. An unknown slot is a bug in a family.
function fill(template, vars, rng) {
  const chosen = template.replace(/\[([^\[\]]*\|[^\[\]]*)\]/g, (_, alts) => rng.pick(alts.split('|')));
  return chosen.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (m, name) => {
    if (!(name in vars)) throw new Error(`template "${template}" uses unknown slot {${name}}`);
    return vars[name];
  });
}

function pickSlots(slots, rng) {
  const vars = {};
  for (const [name, values] of Object.entries(slots)) {
    const v = rng.pick(values);
    if (typeof v === 'object') Object.assign(vars, v);
    else vars[name] = v;
  }
  return vars;
}

// Index into `flow` of the step named 'tool' or 'tool#n' (n-th occurrence in the flow).
function stepIndex(flow, at, familyId) {
  const [tool, nth] = at.split('#');
  let seen = 0;
  for (let i = 0; i < flow.length; i++) {
    if (flow[i].tool === tool && ++seen === Number(nth ?? 1)) return i;
  }
  throw new Error(`family ${familyId}: no flow step ${at}`);
}

const LATENCY = {  // typical ms per tool; the generator varies it +-60 %
  grep: 40, read_file: 15, edit_file: 30, write_file: 25, git_commit: 120, git_push: 1800, run_tests: 9000,
  run_command: 2500, pip_install: 6000, npm_install: 9000, go_install: 7000, kubectl: 900, terraform: 12000,
  docker_build: 45000, spark_submit: 600000, airflow_cli: 30000, dbt: 20000, sql_query: 1500, gradle: 48000,
  xcodebuild: 60000, flutter: 7000, python_run: 90000, nvidia_smi: 300, tensorboard: 2000, load_test: 120000,
};

function params(step, vars, rng) {
  if (!step.params) return undefined;
  const out = {};
  for (const [k, v] of Object.entries(step.params)) out[k] = fill(v, vars, rng);
  return out;
}

function stepCall(step, vars, rng, result) {
  const base = LATENCY[step.tool] ?? 800;
  const call = {
    tool: step.tool,
    action: fill(step.action, vars, rng),
    result,
    latency_ms: Math.max(1, Math.round(base * (0.4 + 1.2 * rng.next()))),
  };
  const p = params(step, vars, rng);
  if (p) call.parameters = p;
  return call;
}

const ok = (step, vars, rng) => ({ type: 'success', output: fill(step.out, vars, rng) });
const err = (message, vars, rng) => ({ type: 'error', message: fill(message, vars, rng) });

// The steps of one episode. variant: clean | recovery | failure | partial.
function buildSteps(fam, variant, vars, rng) {
  const flow = fam.flow;
  const recAt = stepIndex(flow, fam.recovery.at, fam.id);
  const failAt = stepIndex(flow, fam.failure.at, fam.id);
  const partAt = stepIndex(flow, fam.partial.at, fam.id);
  const steps = [];
  for (let i = 0; i < flow.length; i++) {
    const step = flow[i];
    const [lo, hi] = step.rep ?? [1, 1];
    const reps = rng.int(lo, hi);
    for (let r = 0; r < reps; r++) {
      let v = vars;
      if (step.vary && r > 0) v = { ...vars, [step.vary]: rng.pick(fam.slots[step.vary]) };
      if (r === 0 && variant === 'recovery' && i === recAt) {
        steps.push(stepCall(step, v, rng, err(fam.recovery.error, v, rng)));
        for (const fix of fam.recovery.fix) steps.push(stepCall(fix, v, rng, ok(fix, v, rng)));
      }
      if (r === 0 && variant === 'failure' && i === failAt) {
        // The failing step, maybe a web search for the error, one or two workarounds that fail the same way;
        // the episode stops there.
        const error = err(fam.failure.error, v, rng);
        steps.push(stepCall(step, v, rng, error));
        if (rng.chance(0.5)) {
          const search = { tool: 'web_search', action: `search for: ${error.message.slice(0, 80)}`, out: '3 similar reports, no accepted fix' };
          steps.push(stepCall(search, v, rng, ok(search, v, rng)));
        }
        for (let a = rng.int(1, 2); a > 0; a--) {
          const attempt = { tool: 'edit_file', action: `try a workaround for: ${error.message.split(':')[0].slice(0, 80)}`, out: 'edited 1 file' };
          steps.push(stepCall(attempt, v, rng, ok(attempt, v, rng)));
          steps.push(stepCall(step, v, rng, error));
        }
        return steps;
      }
      if (r === 0 && variant === 'partial' && i === partAt) {
        steps.push(stepCall(step, v, rng, err(fam.partial.error, v, rng)));
        continue;
      }
      steps.push(stepCall(step, v, rng, ok(step, v, rng)));
    }
  }
  return steps;
}

const COMPLEXITIES = ['simple', 'moderate', 'complex'];
const CONTEXT_KEYS = { d: 'domain', t: 'task_type', l: 'language', f: 'framework' };

function queryContext(fam, code) {
  const ctx = {};
  for (const c of code === 'full' ? 'dtlf' : code) {
    const key = CONTEXT_KEYS[c];
    if (!key) throw new Error(`family ${fam.id}: bad context code ${code}`);
    if (fam[key]) ctx[key] = fam[key];
  }
  return ctx;
}

// Variants of a family's n episodes: at least two clean successes and one recovery, then by chance
// (50 % clean, 25 % recovery, 12 % partial, 13 % failure), shuffled.
function variants(n, rng) {
  const out = ['clean', 'clean', 'recovery'];
  while (out.length < n) {
    const x = rng.next();
    out.push(x < 0.5 ? 'clean' : x < 0.75 ? 'recovery' : x < 0.87 ? 'partial' : 'failure');
  }
  return rng.shuffle(out.slice(0, Math.max(n, 3)));
}

export function familySummary(fam) {
  const first = fam.recovery.fix[0].tool;
  const failing = fam.flow[stepIndex(fam.flow, fam.recovery.at, fam.id)].tool;
  return {
    id: fam.id, domain: fam.domain, task_type: fam.task_type, language: fam.language, framework: fam.framework,
    complexity: fam.complexity, confusable: fam.confusable ?? [],
    workflow: collapse(fam.flow.map((st) => st.tool)),
    recovery: { failing_tool: failing, error: fam.recovery.error, recovery_tools: [...fam.recovery.fix.map((f) => f.tool), failing], first_recovery_tool: first },
  };
}

export function generateDataset({ seed = 42, scale = 1 } = {}) {
  if (!(scale > 0)) throw new Error('scale must be > 0');
  const rng = makeRng(seed);
  const episodes = [];
  const queries = [];
  for (const fam of FAMILIES) {
    const n = Math.max(3, Math.round(rng.int(6, 9) * scale));
    for (const [k, variant] of variants(n, rng).entries()) {
      const vars = pickSlots(fam.slots, rng);
      const description = fill(rng.pick(fam.desc), vars, rng);
      const complexity = rng.chance(0.2) ? rng.pick(COMPLEXITIES) : fam.complexity;
      const tags = rng.shuffle(fam.tags).slice(0, rng.int(1, Math.min(3, fam.tags.length)));
      const create = { task_description: description, domain: fam.domain, task_type: fam.task_type, complexity, tags };
      if (fam.language) create.language = fam.language;
      if (fam.framework) create.framework = fam.framework;
      const steps = buildSteps(fam, variant, vars, rng).map((st, i) => ({ step_number: i + 1, ...st }));
      let complete;
      if (variant === 'failure') complete = { outcome_type: 'failure', reason: fill(fam.failure.reason, vars, rng), error_details: steps[steps.length - 1].result.message };
      else if (variant === 'partial') complete = {
        outcome_type: 'partial_success', verdict: fill(fam.partial.verdict, vars, rng),
        completed: fam.partial.completed.map((c) => fill(c, vars, rng)), failed: fam.partial.failed.map((c) => fill(c, vars, rng)),
      };
      else complete = { outcome_type: 'success', verdict: fill(fam.verdict, vars, rng), artifacts: fam.artifacts.map((a) => fill(a, vars, rng)) };
      episodes.push({ key: `${fam.id}#${k + 1}`, family: fam.id, variant, create, steps, complete });
    }
    for (const [k, [text, code]] of fam.queries.entries())
      queries.push({ id: `${fam.id}/q${k + 1}`, family: fam.id, kind: k === 4 ? 'task' : 'keywords', text, context_code: code, context: queryContext(fam, code) });
  }
  // Held out: no query is the description of an episode.
  const descriptions = new Set(episodes.map((e) => e.create.task_description.toLowerCase()));
  for (const q of queries) if (descriptions.has(q.text.toLowerCase())) throw new Error(`query ${q.id} equals an episode description`);
  // Interleave the families so that the recording order (and so recency) says nothing about them.
  return { seed, scale, families: FAMILIES.map(familySummary), episodes: rng.shuffle(episodes), queries };
}

// ------------------------------------------------------------------------------------------ CLI: statistics
if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name, def) => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? process.argv[i + 1] : def;
  };
  const ds = generateDataset({ seed: Number(arg('--seed', 42)), scale: Number(arg('--scale', 1)) });
  const count = (xs, f) => xs.reduce((m, x) => ((m[f(x)] = (m[f(x)] ?? 0) + 1), m), {});
  const lens = ds.episodes.map((e) => e.steps.length);
  console.log(`families ${ds.families.length}, episodes ${ds.episodes.length}, steps ${lens.reduce((a, b) => a + b, 0)} ` +
    `(per episode ${Math.min(...lens)}-${Math.max(...lens)}), queries ${ds.queries.length}`);
  console.log('variants', count(ds.episodes, (e) => e.variant));
  console.log('domains', count(ds.episodes, (e) => e.create.domain));
  console.log('task types', count(ds.episodes, (e) => e.create.task_type));
  const seqs = count(ds.families, (f) => f.workflow.join('>'));
  const shared = Object.entries(seqs).filter(([, n]) => n > 1);
  console.log(`distinct canonical workflows ${Object.keys(seqs).length}` + (shared.length ? `; shared: ${shared.map(([w, n]) => `${w} x${n}`).join(', ')}` : ''));
  if (process.argv.includes('--sample')) console.log(JSON.stringify(ds.episodes[0], null, 1));
}

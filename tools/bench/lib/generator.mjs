// Synthetic but plausible agent episodes: six domains with their languages, frameworks and components; task
// types with description templates; about ten steps per episode drawn from realistic tool plans (read, grep,
// edit, run tests, commit, HTTP, deploy, ...), some failing steps followed by a recovery, mostly successful
// outcomes with some partial successes, failures and abstentions. Deterministic: the same seed and index always
// give the same episode, so cached datasets and query sets can be regenerated exactly.
//
// The output is in the shape of the MCP tool arguments (create_episode, add_episode_step, complete_episode), so
// the same episode can be written through MCP or turned into an export line.

import { rng } from '../../lib/rng.mjs';

export { rng };

// Per-index seed so episode i does not depend on how many random numbers episode i-1 used.
export function seedFor(seed, index, stream = 0) {
  let h = (seed * 0x9e3779b1) ^ (index * 0x85ebca6b) ^ (stream * 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

export const DOMAINS = {
  web: {
    weight: 24,
    stacks: [['typescript', 'react'], ['typescript', 'nextjs'], ['javascript', 'express'], ['python', 'django'],
      ['python', 'fastapi'], ['ruby', 'rails'], ['typescript', 'vue'], ['go', 'gin']],
    components: ['login form', 'checkout page', 'session cookie handling', 'REST endpoint for orders', 'user profile page',
      'search results pagination', 'image upload handler', 'password reset flow', 'shopping cart', 'admin dashboard',
      'OAuth callback', 'websocket notifications', 'GraphQL resolver', 'server-side rendering', 'CSRF middleware'],
    symptoms: ['500 error on submit', 'hydration mismatch', 'stale cache after logout', 'slow first paint',
      'double form submission', 'broken redirect after login', 'memory leak in the client', 'CORS preflight failure',
      'flaky end-to-end test', 'wrong timezone in dates'],
    features: ['dark mode', 'rate limiting', 'infinite scroll', 'email verification', 'CSV export', 'i18n support',
      'optimistic updates', 'input validation', 'audit logging', 'feature flags'],
    files: ['src/components/LoginForm.tsx', 'src/pages/checkout.tsx', 'app/api/orders/route.ts', 'server/session.js',
      'views/profile.py', 'app/controllers/carts_controller.rb', 'src/hooks/useCart.ts', 'middleware/csrf.js',
      'src/routes/search.ts', 'templates/reset_password.html'],
    tests: ['tests/e2e/login.spec.ts', 'src/__tests__/checkout.test.tsx', 'tests/test_orders.py', 'spec/carts_spec.rb'],
    endpoints: ['/api/orders', '/api/login', '/api/cart', '/api/search?q=shoes', '/health'],
  },
  data: {
    weight: 18,
    stacks: [['python', 'pandas'], ['python', 'airflow'], ['sql', 'dbt'], ['scala', 'spark'], ['python', 'pyspark'],
      ['python', 'polars'], ['sql', null]],
    components: ['daily ETL pipeline', 'orders fact table', 'customer deduplication job', 'parquet export',
      'clickstream ingestion', 'revenue dashboard query', 'schema migration script', 'feature store backfill',
      'data quality checks', 'CDC consumer', 'warehouse partitioning', 'currency conversion model'],
    symptoms: ['duplicate rows after join', 'null values in amount column', 'job exceeds memory', 'schema drift from upstream',
      'slow window query', 'late-arriving events dropped', 'timezone shift in partitions', 'skewed shuffle partition',
      'missing rows for weekends', 'floating point rounding in totals'],
    features: ['incremental loading', 'row-level checks', 'partition pruning', 'SCD type 2 history', 'backfill command',
      'data lineage metadata', 'idempotent reruns', 'column-level encryption'],
    files: ['dags/daily_orders.py', 'models/marts/fct_orders.sql', 'jobs/dedupe_customers.py', 'src/main/scala/Ingest.scala',
      'etl/export_parquet.py', 'models/staging/stg_events.sql', 'quality/checks.yml', 'notebooks/revenue.ipynb'],
    tests: ['tests/test_dedupe.py', 'tests/dbt/test_fct_orders.sql', 'src/test/scala/IngestSpec.scala'],
    endpoints: ['https://warehouse.internal/api/v1/query', 'https://airflow.internal/api/v1/dags/daily_orders/dagRuns'],
  },
  devops: {
    weight: 18,
    stacks: [['hcl', 'terraform'], ['yaml', 'kubernetes'], ['yaml', 'helm'], ['bash', null], ['python', 'ansible'],
      ['yaml', 'github-actions'], ['go', null]],
    components: ['staging Kubernetes cluster', 'helm chart for the API', 'CI pipeline', 'Terraform VPC module',
      'TLS certificate renewal', 'horizontal pod autoscaler', 'log shipping agent', 'blue-green deployment',
      'Postgres backup cron job', 'container image build', 'ingress controller', 'secret rotation'],
    symptoms: ['pods stuck in CrashLoopBackOff', 'deployment rollout timed out', 'CI cache misses', 'certificate expired',
      'disk pressure on nodes', 'terraform plan drift', 'DNS resolution failures', 'OOMKilled containers',
      'image pull backoff', 'alert storm after deploy'],
    features: ['canary releases', 'readiness probes', 'cost tagging', 'multi-region failover', 'SBOM generation',
      'automatic rollbacks', 'pipeline caching', 'least-privilege IAM roles'],
    files: ['charts/api/values.yaml', 'infra/vpc/main.tf', '.github/workflows/ci.yml', 'k8s/deployment.yaml',
      'ansible/roles/backup/tasks/main.yml', 'Dockerfile', 'scripts/rotate_secrets.sh', 'k8s/hpa.yaml'],
    tests: ['tests/infra/test_vpc.py', 'ci/smoke_test.sh', 'tests/helm/api_test.yaml'],
    endpoints: ['https://staging.example.internal/healthz', 'https://ci.example.internal/api/builds/latest'],
  },
  mobile: {
    weight: 14,
    stacks: [['kotlin', 'jetpack-compose'], ['swift', 'swiftui'], ['dart', 'flutter'], ['typescript', 'react-native'],
      ['kotlin', 'android'], ['swift', 'uikit']],
    components: ['onboarding screen', 'push notification handler', 'offline sync queue', 'in-app purchase flow',
      'deep link router', 'image cache', 'settings screen', 'biometric login', 'background location updates',
      'chat message list'],
    symptoms: ['crash on startup', 'battery drain in background', 'janky scrolling', 'notifications not delivered',
      'sync conflict overwrites data', 'keyboard covers input', 'memory warning on large images',
      'wrong locale formatting', 'app rejected for missing permission text'],
    features: ['widget support', 'dark theme', 'pull to refresh', 'accessibility labels', 'crash reporting',
      'offline mode', 'app shortcuts', 'haptic feedback'],
    files: ['app/src/main/java/com/example/SyncWorker.kt', 'ios/App/LoginView.swift', 'lib/screens/onboarding.dart',
      'src/screens/ChatList.tsx', 'app/src/main/AndroidManifest.xml', 'ios/App/Info.plist'],
    tests: ['app/src/test/java/com/example/SyncWorkerTest.kt', 'ios/AppTests/LoginViewTests.swift', 'test/onboarding_test.dart'],
    endpoints: ['/api/v2/sync', '/api/v2/devices/register', '/api/v2/messages'],
  },
  security: {
    weight: 12,
    stacks: [['python', null], ['go', null], ['rust', null], ['typescript', 'express'], ['java', 'spring']],
    components: ['authentication service', 'JWT validation middleware', 'dependency manifest', 'SQL query builder',
      'file upload endpoint', 'secrets in CI logs', 'password hashing', 'CSP headers', 'SSRF-prone URL fetcher',
      'admin API permissions'],
    symptoms: ['SQL injection in search', 'critical CVE in transitive dependency', 'token accepted after expiry',
      'path traversal in uploads', 'secrets leaked to logs', 'missing rate limit on login', 'open redirect',
      'weak bcrypt cost factor', 'XSS in comment rendering'],
    features: ['secret scanning', 'MFA enforcement', 'audit trail', 'content security policy', 'dependency pinning',
      'request signing', 'role-based access control'],
    files: ['auth/jwt.go', 'src/middleware/auth.ts', 'requirements.txt', 'db/query_builder.py', 'src/upload.rs',
      'config/security.yml', 'src/main/java/com/example/AdminController.java'],
    tests: ['auth/jwt_test.go', 'tests/test_query_builder.py', 'tests/security/upload_test.rs'],
    endpoints: ['/api/admin/users', '/api/upload', '/api/login', '/.well-known/jwks.json'],
  },
  ml: {
    weight: 14,
    stacks: [['python', 'pytorch'], ['python', 'tensorflow'], ['python', 'scikit-learn'], ['python', 'huggingface'],
      ['python', 'xgboost'], ['python', 'jax']],
    components: ['training loop', 'data loader', 'tokenizer pipeline', 'model serving endpoint', 'feature pipeline',
      'evaluation harness', 'hyperparameter sweep', 'embedding index', 'churn prediction model', 'ranking model'],
    symptoms: ['GPU out of memory', 'loss becomes NaN', 'overfitting after epoch 3', 'slow inference latency',
      'train/serve skew', 'data leakage in validation split', 'checkpoint fails to load', 'nondeterministic results',
      'class imbalance hurts recall'],
    features: ['mixed precision training', 'early stopping', 'model versioning', 'batch inference', 'drift monitoring',
      'gradient checkpointing', 'distributed training'],
    files: ['train.py', 'src/data/loader.py', 'src/models/ranker.py', 'serve/app.py', 'configs/sweep.yaml',
      'src/features/pipeline.py', 'eval/harness.py'],
    tests: ['tests/test_loader.py', 'tests/test_ranker.py', 'tests/test_serving.py'],
    endpoints: ['http://localhost:8080/v1/models/ranker:predict', 'https://mlflow.internal/api/2.0/mlflow/runs/search'],
  },
};
export const DOMAIN_NAMES = Object.keys(DOMAINS);

const TASK_TYPES = [['debugging', 28], ['code_generation', 26], ['refactoring', 14], ['testing', 14], ['analysis', 10],
  ['documentation', 5], ['other', 3]];

const DESCRIPTIONS = {
  debugging: [(d, r) => `Fix ${r.pick(d.symptoms)} in the ${r.pick(d.components)}`,
    (d, r) => `Investigate ${r.pick(d.symptoms)} reported for the ${r.pick(d.components)}`,
    (d, r) => `Debug ${r.pick(d.symptoms)} after the last release of the ${r.pick(d.components)}`],
  code_generation: [(d, r) => `Implement ${r.pick(d.features)} for the ${r.pick(d.components)}`,
    (d, r) => `Add ${r.pick(d.features)} to the ${r.pick(d.components)}`,
    (d, r) => `Build a new ${r.pick(d.components)} with ${r.pick(d.features)}`],
  refactoring: [(d, r) => `Refactor the ${r.pick(d.components)} to remove duplication`,
    (d, r) => `Split the ${r.pick(d.components)} into smaller modules`,
    (d, r) => `Migrate the ${r.pick(d.components)} to the new ${r.pick(d.features)} API`],
  testing: [(d, r) => `Write integration tests for the ${r.pick(d.components)}`,
    (d, r) => `Add regression tests for ${r.pick(d.symptoms)}`,
    (d, r) => `Increase test coverage of the ${r.pick(d.components)}`],
  analysis: [(d, r) => `Analyze why the ${r.pick(d.components)} shows ${r.pick(d.symptoms)}`,
    (d, r) => `Profile the ${r.pick(d.components)} and report hotspots`,
    (d, r) => `Review the ${r.pick(d.components)} for ${r.pick(d.features)} readiness`],
  documentation: [(d, r) => `Document the ${r.pick(d.components)} and its ${r.pick(d.features)}`,
    (d, r) => `Write a runbook for ${r.pick(d.symptoms)} in the ${r.pick(d.components)}`],
  other: [(d, r) => `Triage open issues about the ${r.pick(d.components)}`,
    (d, r) => `Upgrade dependencies of the ${r.pick(d.components)}`],
};

const ERRORS = {
  run_tests: (d, r) => [`AssertionError in ${r.pick(d.tests)}: expected 200, got 500`,
    `2 failed, 41 passed: ${r.pick(d.symptoms)}`, `TypeError: cannot read properties of undefined (reading 'id')`,
    `test timed out after 30000 ms`],
  build: (d, r) => [`compile error: undefined symbol in ${r.pick(d.files)}`, `type mismatch in ${r.pick(d.files)}`],
  http_request: (d, r) => [`HTTP 502 Bad Gateway from ${r.pick(d.endpoints)}`, `connection refused`, `HTTP 401 Unauthorized`],
  deploy: (d, r) => [`rollout failed: ${r.pick(DOMAINS.devops.symptoms)}`, `health check failed after deploy`],
  run_command: (d, r) => [`exit status 1: permission denied`, `command not found`, `exit status 137 (killed)`],
  lint: (d, r) => [`3 lint errors in ${r.pick(d.files)}`],
  query_db: (d, r) => [`syntax error near "JOIN"`, `relation does not exist`, `statement timeout`],
  edit_file: (d, r) => [`patch did not apply cleanly to ${r.pick(d.files)}`],
  grep: () => [`no matches`],
  git_commit: () => [`pre-commit hook failed: formatting`],
};

// One step as add_episode_step arguments (without episode_id / step_number).
function makeStep(tool, d, spec, r, fail) {
  const file = r.pick(d.files);
  const test = r.pick(d.tests);
  const common = { tool, latency_ms: 0, tokens_used: r.int(40, 2400) };
  let action, parameters, output;
  switch (tool) {
    case 'read_file': action = `Read ${file} to understand the ${spec.component}`; parameters = { path: file };
      output = `${r.int(40, 900)} lines`; common.latency_ms = r.int(5, 80); break;
    case 'grep': { const term = r.pick(spec.keywords); action = `Search the code base for "${term}"`;
      parameters = { pattern: term, path: '.' }; output = `${r.int(1, 25)} matches in ${r.int(1, 9)} files`;
      common.latency_ms = r.int(20, 400); break; }
    case 'edit_file': action = `Edit ${file}: ${r.pick(['handle the edge case', 'add the missing check', 'extract a helper',
      'update the configuration', 'fix the off-by-one', 'add logging around the failure'])}`;
      parameters = { path: file, lines_changed: r.int(2, 80) }; output = 'patch applied'; common.latency_ms = r.int(10, 200); break;
    case 'write_file': action = `Create ${file.replace(/(\.[a-z]+)$/, '_new$1')}`; parameters = { path: file };
      output = `wrote ${r.int(20, 300)} lines`; common.latency_ms = r.int(10, 150); break;
    case 'run_tests': action = `Run ${test}`; parameters = { target: test, parallel: r.chance(0.5) };
      output = `${r.int(5, 240)} passed, 0 failed`; common.latency_ms = r.int(800, 45000); break;
    case 'build': action = `Build the ${spec.framework ?? spec.language} project`; parameters = { target: 'all' };
      output = 'build succeeded'; common.latency_ms = r.int(2000, 90000); break;
    case 'lint': action = `Run the linter on ${file}`; parameters = { path: file }; output = 'no issues';
      common.latency_ms = r.int(300, 6000); break;
    case 'run_command': { const cmd = r.pick(['make check', 'kubectl get pods -n staging', 'terraform plan',
      'docker build -t api:dev .', 'npm run typecheck', 'python -m scripts.reproduce', 'go vet ./...']);
      action = `Run \`${cmd}\``; parameters = { command: cmd }; output = 'exit status 0'; common.latency_ms = r.int(200, 20000); break; }
    case 'http_request': { const ep = r.pick(d.endpoints); action = `Call ${ep} to reproduce the ${spec.component} behaviour`;
      parameters = { method: r.pick(['GET', 'POST']), url: ep }; output = `HTTP 200 in ${r.int(20, 900)} ms`;
      common.latency_ms = r.int(20, 3000); break; }
    case 'query_db': action = `Query the ${spec.component} tables for affected rows`;
      parameters = { sql: 'SELECT count(*) FROM events WHERE ...' }; output = `${r.int(0, 50000)} rows`;
      common.latency_ms = r.int(30, 9000); break;
    case 'git_diff': action = 'Review the diff before committing'; parameters = {}; output = `${r.int(1, 9)} files changed`;
      common.latency_ms = r.int(10, 120); break;
    case 'git_commit': action = `Commit: ${spec.description.toLowerCase()}`; parameters = { message: spec.description };
      output = `[main ${r.int(0x1000000, 0xfffffff).toString(16)}] committed`; common.latency_ms = r.int(50, 900); break;
    case 'deploy': action = `Deploy the ${spec.component} to staging`; parameters = { environment: 'staging' };
      output = 'rollout complete'; common.latency_ms = r.int(20000, 240000); break;
    case 'web_search': action = `Search the web for "${spec.keywords.slice(0, 3).join(' ')} ${spec.framework ?? spec.language ?? ''}"`.trim();
      parameters = { query: spec.keywords.join(' ') }; output = `${r.int(3, 10)} results`; common.latency_ms = r.int(300, 2500); break;
    default: action = `Use ${tool}`; parameters = {}; output = 'ok';
  }
  const step = { ...common, action, parameters };
  if (fail === 'error') step.result = { type: 'error', message: r.pick((ERRORS[tool] ?? (() => ['failed']))(d, r)) };
  else if (fail === 'timeout') { step.result = { type: 'timeout' }; step.latency_ms = Math.max(step.latency_ms, 30000); }
  else step.result = { type: 'success', output };
  if (r.chance(0.15)) step.metadata = { attempt: String(r.int(1, 3)) };
  return step;
}

// Tool plans per task type: a skeleton of about ten tools; failures are sprinkled in afterwards.
const PLANS = {
  debugging: ['read_file', 'grep', 'run_tests', 'read_file', 'edit_file', 'run_tests', 'http_request', 'edit_file', 'run_tests', 'git_commit'],
  code_generation: ['read_file', 'grep', 'write_file', 'edit_file', 'build', 'run_tests', 'edit_file', 'lint', 'run_tests', 'git_commit'],
  refactoring: ['read_file', 'grep', 'edit_file', 'edit_file', 'build', 'run_tests', 'lint', 'edit_file', 'run_tests', 'git_commit'],
  testing: ['read_file', 'grep', 'write_file', 'run_tests', 'edit_file', 'run_tests', 'run_command', 'run_tests', 'git_diff', 'git_commit'],
  analysis: ['read_file', 'grep', 'query_db', 'run_command', 'http_request', 'read_file', 'web_search', 'query_db', 'write_file', 'git_commit'],
  documentation: ['read_file', 'read_file', 'grep', 'web_search', 'write_file', 'edit_file', 'lint', 'git_diff', 'write_file', 'git_commit'],
  other: ['read_file', 'run_command', 'grep', 'edit_file', 'build', 'run_tests', 'http_request', 'run_command', 'git_diff', 'git_commit'],
};
const DOMAIN_EXTRA = { devops: ['run_command', 'deploy'], data: ['query_db'], web: ['http_request'], security: ['grep', 'run_command'],
  mobile: ['build'], ml: ['run_command'] };

// Episode `index` of dataset `seed`: { create, steps[], complete | null (left in progress), tags[] (episode tags) }.
export function makeEpisode(seed, index, overrides = {}) {
  const r = rng(seedFor(seed, index));
  const domain = overrides.domain ?? r.weighted(DOMAIN_NAMES.map((n) => [n, DOMAINS[n].weight]));
  const d = DOMAINS[domain];
  const [language, framework] = overrides.stack ?? r.pick(d.stacks);
  const taskType = overrides.task_type ?? r.weighted(TASK_TYPES);
  const description = r.pick(DESCRIPTIONS[taskType])(d, r);
  const component = d.components.find((c) => description.includes(c)) ?? r.pick(d.components);
  const keywords = description.toLowerCase().split(/[^a-z0-9]+/).filter((w) => w.length > 3);
  const complexity = r.weighted([['simple', 30], ['moderate', 50], ['complex', 20]]);
  const spec = { domain, language, framework, taskType, description, component, keywords };

  const create = { task_description: description, domain, task_type: taskType, complexity };
  if (language) create.language = language;
  if (framework) create.framework = framework;
  const ctxTags = r.sample([domain === 'web' ? 'frontend' : domain, framework ?? language ?? 'tooling',
    r.pick(['ci', 'prod-incident', 'tech-debt', 'customer-report', 'perf', 'q3-roadmap', 'oncall'])], r.int(1, 3))
    .filter(Boolean).map((t) => t.toLowerCase().replace(/[^a-z0-9_-]/g, '-'));
  create.tags = [...new Set(ctxTags)];
  create.metadata = { ticket: `${domain.toUpperCase().slice(0, 3)}-${r.int(100, 9999)}`, agent: r.pick(['coder-a', 'coder-b', 'reviewer', 'oncall-bot']) };
  if (r.chance(0.3)) create.metadata.test_coverage = String(r.int(40, 95));

  // Steps: the plan, with a domain-specific tool swapped in, length 6..12 plus recovery steps (average about 10).
  let plan = PLANS[taskType].slice();
  const extra = DOMAIN_EXTRA[domain];
  plan[r.int(2, 7)] = r.pick(extra);
  const n = r.weighted([[6, 5], [7, 10], [8, 20], [9, 30], [10, 20], [11, 10], [12, 5]]);
  while (plan.length < n) plan.splice(r.int(1, plan.length - 1), 0, r.pick(['read_file', 'grep', 'edit_file', 'run_tests']));
  plan = plan.slice(0, n);
  const outcomeType = overrides.outcome_type ?? r.weighted([['success', 75], ['partial_success', 12], ['failure', 10], ['abstained', 3]]);
  const failRate = outcomeType === 'success' ? 0.08 : 0.25;
  const steps = [];
  for (let i = 0; i < plan.length; i++) {
    const tool = plan[i];
    const canFail = ['run_tests', 'build', 'http_request', 'deploy', 'run_command', 'lint', 'query_db', 'edit_file'].includes(tool);
    if (canFail && i < plan.length - 1 && r.chance(failRate)) {
      steps.push(makeStep(tool, d, spec, r, r.chance(0.85) ? 'error' : 'timeout'));
      // Recovery: fix something, then retry the same tool successfully.
      steps.push(makeStep(tool === 'edit_file' ? 'read_file' : 'edit_file', d, spec, r, null));
      if (steps.length < 14) steps.push(makeStep(tool, d, spec, r, null));
    } else {
      steps.push(makeStep(tool, d, spec, r, null));
    }
  }
  steps.splice(14);
  if (outcomeType === 'failure' && steps.length > 0) {
    const last = steps[steps.length - 1];
    if (last.result.type === 'success') steps[steps.length - 1] = makeStep(last.tool, d, spec, r, 'error');
  }
  steps.forEach((s, i) => { s.step_number = i + 1; });

  let complete;
  switch (outcomeType) {
    case 'success': complete = { outcome_type: 'success', verdict: r.pick(['all tests pass', 'fix verified in staging',
      'feature merged and deployed', 'review approved', 'issue no longer reproduces', 'report delivered']),
      artifacts: r.sample([...d.files, ...d.tests], r.int(0, 3)) }; break;
    case 'partial_success': complete = { outcome_type: 'partial_success', verdict: 'main path fixed, follow-ups remain',
      completed: r.sample(['reproduce', 'root cause', 'fix', 'unit tests', 'docs'], r.int(1, 3)),
      failed: r.sample(['integration tests', 'staging deploy', 'performance check', 'edge cases'], r.int(1, 2)) }; break;
    case 'failure': complete = { outcome_type: 'failure', reason: `could not resolve ${r.pick(d.symptoms)}`,
      error_details: steps.filter((s) => s.result?.type === 'error').map((s) => s.result.message).slice(-1)[0] ?? 'gave up' }; break;
    default: complete = { outcome_type: 'abstained', reason: 'task needs access the agent does not have',
      stopped_at_step: r.int(1, steps.length), infeasibility_signals: ['missing credentials', 'requires human approval'].slice(0, r.int(1, 2)) };
  }
  if (!overrides.outcome_type && r.chance(0.02)) complete = null; // abandoned: stays in progress
  const tags = r.chance(0.2) ? r.sample(['needs-review', 'reusable', 'hotfix', 'customer-facing', 'postmortem', 'good-example'], r.int(1, 2)) : [];
  return { create, steps, complete, tags, spec };
}

// A realistic multi-word query an agent might send before a task, drawn from the dataset vocabulary: a fresh
// task in a random domain, phrased from its description words plus sometimes the framework or a symptom.
export function makeQuery(seed, index) {
  const r = rng(seedFor(seed, index, 7));
  const ep = makeEpisode(seed ^ 0x5bd1e995, index);
  const d = DOMAINS[ep.spec.domain];
  const stop = new Set(['the', 'for', 'with', 'from', 'after', 'into', 'last', 'new', 'its', 'and', 'release', 'reported']);
  const words = ep.spec.description.toLowerCase().split(/[^a-z0-9]+/).filter((w) => w.length > 2 && !stop.has(w));
  let picked = r.sample(words, Math.min(words.length, r.int(2, 4)));
  if (ep.spec.framework && r.chance(0.4)) picked.push(ep.spec.framework);
  if (r.chance(0.25)) picked.push(...r.pick(d.symptoms).split(' ').slice(0, 2));
  picked = [...new Set(picked)];
  return { query: picked.join(' '), domain: ep.spec.domain, task_type: ep.spec.taskType, language: ep.create.language };
}

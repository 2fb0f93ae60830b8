// What the bench measures: one entry per row of the result table. Adding a tool is one line here.
//
//   name     row label (unique); also the MCP tool name unless `tool` says otherwise
//   tool     the MCP tool called through tools/call; `method` instead sends that JSON-RPC method (ping)
//   args     (c, i, lane) -> the arguments; `c` is the workload context below, i the request index, lane the
//            in-flight lane (0..depth-1; requests on one lane are sequential). Return null when there is nothing
//            left to do (e.g. no episode left to complete): the lane stops.
//   depths   also measured at every --depth (throughput with N requests in flight); otherwise depth 1 only
//   sdk      also measured through the official SDK client (the comparison run)
//   write    changes the database: measured after every read, on the working copy of the dataset
//   loose    args are a guess (tools that do not exist yet): keys the tool's inputSchema does not declare are
//            dropped, and the row is skipped if a required argument is still missing
//   after    (c, structuredContent, args) after each successful call (e.g. remember a created episode)
//   prepare  async (c, run) before the measurement at each depth (run = { depth, durationMs, count })
//
// Rows whose tool is not in the server's tools/list are skipped (reported as such), so entries for tools that
// are being written can sit here already.
export const TOOLS = [
  // --- protocol floor ---
  { name: 'ping', method: 'ping', depths: true, sdk: true },
  // --- reads ---
  { name: 'health_check', args: () => ({}) },
  { name: 'get_episode', args: (c) => ({ episode_id: c.completedId() }), depths: true, sdk: true },
  { name: 'get_episode/fields', tool: 'get_episode', args: (c) => ({ episode_id: c.completedId(), fields: ['outcome', 'reward.total', 'context.domain'] }) },
  { name: 'get_episode_timeline', args: (c) => ({ episode_id: c.completedId() }) },
  { name: 'bulk_episodes/10', tool: 'bulk_episodes', args: (c) => ({ episode_ids: c.completedIds(10) }) },
  { name: 'list_episodes', args: () => ({}) },
  { name: 'list_episodes/domain', tool: 'list_episodes', args: (c) => ({ domain: c.domain(), limit: 50 }) },
  { name: 'list_episodes/domain+type', tool: 'list_episodes', args: (c) => ({ domain: c.domain(), task_type: c.taskType(), status: 'completed' }) },
  { name: 'list_episodes/in_progress', tool: 'list_episodes', args: () => ({ status: 'in_progress' }) },
  { name: 'list_episodes/failure', tool: 'list_episodes', args: (c) => ({ outcome_type: 'failure', domain: c.domain() }) },
  { name: 'list_episodes/tag', tool: 'list_episodes', args: (c) => ({ tag: c.episodeTag() }) },
  { name: 'search_episodes_by_tags', args: (c) => ({ tags: [c.episodeTag()], limit: 20 }) },
  { name: 'query_memory', args: (c, i) => ({ query: c.query(i).query }), depths: true, sdk: true },
  { name: 'query_memory/domain', tool: 'query_memory', args: (c, i) => { const q = c.query(i); return { query: q.query, domain: q.domain }; } },
  { name: 'query_memory/filter_domain', tool: 'query_memory', args: (c, i) => { const q = c.query(i); return { query: q.query, domain: q.domain, filter_by_domain: true }; } },
  { name: 'query_memory/context', tool: 'query_memory', args: (c, i) => { const q = c.query(i); return { query: q.query, domain: q.domain, task_type: q.task_type, language: q.language, limit: 5 }; } },
  { name: 'query_memory/one_word', tool: 'query_memory', args: (c, i) => ({ query: c.query(i).query.split(' ')[0] }) },
  { name: 'query_memory/empty', tool: 'query_memory', args: () => ({ query: '' }) },
  { name: 'query_memory/full', tool: 'query_memory', args: (c, i) => ({ query: c.query(i).query, limit: 5, full: true }) },
  { name: 'resources/read', method: 'resources/read', params: (c) => ({ uri: `memory://episodes/${c.completedId()}` }) },
  // --- learning and recall ---
  { name: 'search_patterns', args: (c, i) => { const q = c.query(i); return { query: q.query, domain: q.domain, limit: 10 }; }, after: (c, r) => c.harvestPatternIds(r) },
  { name: 'recommend_patterns', args: (c, i) => { const q = c.query(i); return { task_description: q.query, domain: q.domain, task_type: q.task_type, limit: 5 }; }, after: (c, r) => c.harvestPatternIds(r) },
  { name: 'recommend_playbook', args: (c, i) => { const q = c.query(i); return { task_description: q.query, domain: q.domain, task_type: q.task_type, language: q.language, max_steps: 10 }; } },
  { name: 'analyze_patterns', args: (c) => ({ task_type: c.taskType(), domain: c.domain(), min_success_rate: 0.5, limit: 20 }), after: (c, r) => c.harvestPatternIds(r) },
  { name: 'explain_pattern', args: (c) => (c.patternIds.length ? { pattern_id: c.patternId() } : null) },
  { name: 'quality_metrics', args: () => ({ time_range: 'all' }) },
  { name: 'get_metrics', args: () => ({}) },
  // --- writes (after every read; they grow the working copy only) ---
  { name: 'create_episode', write: true, args: (c, i) => c.newEpisodeArgs(i), after: (c, r) => c.fresh.push(r.episode_id), sdk: true },
  { name: 'add_episode_step', write: true, depths: true, sdk: true, prepare: (c, run) => c.ensureFresh(run), args: (c, i, lane) => c.nextStepArgs(lane) },
  { name: 'complete_episode', write: true, prepare: (c, run) => c.ensureFilled(run), args: (c, i) => c.completeArgs(i) },
  { name: 'update_episode', write: true, args: (c) => ({ episode_id: c.completedId(), metadata: { reviewed_by: 'bench' } }) },
  { name: 'add_episode_tags', write: true, args: (c) => ({ episode_id: c.completedId(), tags: ['bench-touched'] }) },
];

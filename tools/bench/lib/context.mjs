// The workload context the tool table's argument functions draw from: ids of stored episodes (a sample kept with
// the cached dataset), the dataset vocabulary (domains, task types, episode tags, realistic queries), and the
// write-side bookkeeping (fresh episodes without steps, lanes adding steps, filled episodes ready to complete).
import { DOMAIN_NAMES, makeEpisode, makeQuery, rng } from './generator.mjs';

const TASK_TYPES = ['code_generation', 'debugging', 'refactoring', 'testing', 'analysis', 'documentation'];
const EPISODE_TAGS = ['needs-review', 'reusable', 'hotfix', 'customer-facing', 'postmortem', 'good-example'];

// Seeds of the episodes the write phases create, kept apart from the dataset's own episodes.
const WRITE_SEED_OFFSET = 0x77777;

export class WorkloadContext {
  // meta: the dataset's meta.json. unmeasured({ tool, count, args(i, lane) -> args | null, after(structured) }):
  // async, runs up to `count` calls of `tool` with several in flight, not measured (setting up write rows).
  constructor({ meta, seed, unmeasured, queries = 512 }) {
    this.meta = meta;
    this.seed = seed;
    this.r = rng(seed ^ 0xbe7c4);
    this.unmeasured = unmeasured;
    this.ids = meta.sample_completed_ids;
    if (!this.ids?.length) throw new Error('dataset meta.json has no sample_completed_ids');
    this.queries = Array.from({ length: queries }, (_, j) => makeQuery(seed, j));
    this.fresh = []; // created, no steps yet
    this.filled = []; // { id, ep }: all generated steps added, ready for complete_episode
    this.lanes = []; // lane -> { id, ep, k }
    this.writeIndex = 0;
    this.patternIds = [];
    this.stepRates = [];
  }

  completedId() { return this.r.pick(this.ids); }
  completedIds(n) { return Array.from({ length: n }, () => this.completedId()); }
  domain() { return this.r.pick(DOMAIN_NAMES); }
  taskType() { return this.r.pick(TASK_TYPES); }
  episodeTag() { return this.r.pick(EPISODE_TAGS); }
  query(i) { return this.queries[i % this.queries.length]; }

  #template() { return makeEpisode(this.seed + WRITE_SEED_OFFSET, this.writeIndex++); }

  newEpisodeArgs() { return this.#template().create; }

  // Makes sure enough fresh episodes exist for an add_episode_step run: count/10, or for a timed run a
  // generous guess from the best step rate seen so far (at least 3000 steps/s).
  async ensureFresh({ durationMs, count }) {
    const steps = Number.isFinite(count) ? count : (Math.max(3000, 3 * Math.max(0, ...this.stepRates)) * durationMs) / 1000;
    const need = Math.ceil(steps / 9) + 64 - this.fresh.length;
    if (need > 0) await this.unmeasured({ tool: 'create_episode', count: need, args: () => this.newEpisodeArgs(), after: (r) => this.fresh.push(r.episode_id) });
  }

  // Makes sure enough filled episodes (all steps added) exist for a complete_episode run: `count`, or for a timed
  // run a guess of 1000 completions/s. Adds the steps through the lanes, unmeasured.
  async ensureFilled({ durationMs, count }) {
    const need = Math.ceil(Number.isFinite(count) ? count : (1000 * durationMs) / 1000) + 16 - this.filled.length;
    if (need <= 0) return;
    await this.ensureFresh({ count: need * 10 + 200 });
    const target = this.filled.length + need;
    // Lanes 1000+ so no lane state is shared with the measured add_episode_step rows.
    await this.unmeasured({ tool: 'add_episode_step', count: Infinity,
      args: (i, lane) => (this.filled.length >= target ? null : this.nextStepArgs(lane + 1000)) });
  }

  // The next step of the episode lane `lane` works on; a lane moves to a fresh episode after the last step of
  // its template (about 10). Null when no fresh episode is left.
  nextStepArgs(lane) {
    let st = this.lanes[lane];
    if (!st || st.k >= st.ep.steps.length) {
      if (st) this.filled.push({ id: st.id, ep: st.ep });
      const id = this.fresh.shift();
      if (!id) {
        this.lanes[lane] = undefined;
        return null;
      }
      st = this.lanes[lane] = { id, ep: this.#template(), k: 0 };
    }
    const step = st.ep.steps[st.k++];
    return { episode_id: st.id, ...step };
  }

  // Completes filled episodes with their template's outcome (a success when the template was left open).
  completeArgs() {
    const f = this.filled.shift();
    if (!f) return null;
    return { episode_id: f.id, ...(f.ep.complete ?? { outcome_type: 'success', verdict: 'done' }) };
  }

  // Collects pattern ids from any result of the pattern tools (keys pattern_id, or id inside a patterns array).
  harvestPatternIds(result) {
    const walk = (v, inPatterns) => {
      if (Array.isArray(v)) v.forEach((x) => walk(x, inPatterns));
      else if (v && typeof v === 'object') {
        for (const [k, x] of Object.entries(v)) {
          if (typeof x === 'string' && (k === 'pattern_id' || (inPatterns && k === 'id'))) {
            if (this.patternIds.length < 1000 && !this.patternIds.includes(x)) this.patternIds.push(x);
          } else walk(x, k === 'patterns' || k === 'recommendations');
        }
      }
    };
    walk(result, false);
  }

  patternId() { return this.r.pick(this.patternIds); }
}

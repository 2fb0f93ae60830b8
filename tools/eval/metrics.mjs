// Retrieval metrics over one ranked list. `isRelevant(item)` says whether an item is relevant; `target(item)`
// (optional) names the relevant answer an item stands for, so that several items standing for the same answer
// count once (recommend_patterns: "the canonical sequence", "the recovery").

// recall@k: distinct relevant answers in the top k / min(k, number of relevant answers).
export function recallAtK(ranked, k, nRelevant, target) {
  if (nRelevant === 0) return null;
  const hit = new Set();
  for (const item of ranked.slice(0, k)) {
    const t = target(item);
    if (t !== null && t !== undefined) hit.add(t);
  }
  return hit.size / Math.min(k, nRelevant);
}

// Reciprocal rank of the first relevant item (0 when none is returned).
export function reciprocalRank(ranked, target) {
  const i = ranked.findIndex((item) => target(item) !== null && target(item) !== undefined);
  return i < 0 ? 0 : 1 / (i + 1);
}

export function firstRelevantRank(ranked, target) {
  const i = ranked.findIndex((item) => target(item) !== null && target(item) !== undefined);
  return i < 0 ? null : i + 1;
}

// nDCG@k with graded gains: gain(item) >= 0 per item; ideal = the best `grades` sorted descending.
export function ndcgAtK(ranked, k, gain, grades) {
  const dcg = (gs) => gs.slice(0, k).reduce((sum, g, i) => sum + (2 ** g - 1) / Math.log2(i + 2), 0);
  const ideal = dcg([...grades].sort((a, b) => b - a));
  return ideal === 0 ? null : dcg(ranked.map(gain)) / ideal;
}

export function mean(xs) {
  const v = xs.filter((x) => x !== null && x !== undefined);
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
}

// Averages the per-query metrics of `rows` ({recall5, rr, ndcg5, hit1}).
export function summarize(rows) {
  return {
    queries: rows.length,
    recall_at_5: mean(rows.map((r) => r.recall5)),
    mrr: mean(rows.map((r) => r.rr)),
    ndcg_at_5: mean(rows.map((r) => r.ndcg5)),
    hit_at_1: mean(rows.map((r) => (r.rr === 1 ? 1 : 0))),
  };
}

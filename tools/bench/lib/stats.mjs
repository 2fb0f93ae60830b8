// Latency statistics. Samples are nanoseconds (numbers; a request never takes 2^53 ns); summaries are in
// milliseconds. Percentiles use the nearest-rank method on the sorted samples.

export class Samples {
  constructor() {
    this.buf = new Float64Array(1024);
    this.n = 0;
  }

  add(ns) {
    if (this.n === this.buf.length) {
      const bigger = new Float64Array(this.buf.length * 2);
      bigger.set(this.buf);
      this.buf = bigger;
    }
    this.buf[this.n++] = ns;
  }

  get count() { return this.n; }

  // { count, mean_ms, p50_ms, p90_ms, p99_ms, max_ms, min_ms } (null fields when empty).
  summary() {
    if (this.n === 0) return { count: 0, mean_ms: null, min_ms: null, p50_ms: null, p90_ms: null, p99_ms: null, max_ms: null };
    const s = this.buf.slice(0, this.n).sort();
    const rank = (p) => s[Math.min(this.n - 1, Math.max(0, Math.ceil((p / 100) * this.n) - 1))];
    let sum = 0;
    for (let i = 0; i < this.n; i++) sum += s[i];
    const ms = (ns) => Math.round(ns / 1e3) / 1e3; // ms with microsecond precision
    return { count: this.n, mean_ms: ms(sum / this.n), min_ms: ms(s[0]), p50_ms: ms(rank(50)), p90_ms: ms(rank(90)),
      p99_ms: ms(rank(99)), max_ms: ms(s[this.n - 1]) };
  }
}

// Fixed-width text table. `cols`: [{ key, title, align: 'l'|'r', fmt? }].
export function table(rows, cols) {
  const cell = (row, c) => {
    const v = row[c.key];
    if (v === null || v === undefined || Number.isNaN(v)) return '-';
    return c.fmt ? c.fmt(v, row) : String(v);
  };
  const texts = rows.map((r) => cols.map((c) => cell(r, c)));
  const widths = cols.map((c, i) => Math.max(c.title.length, ...texts.map((t) => t[i].length)));
  const line = (vals) => vals.map((v, i) => (cols[i].align === 'l' ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join('  ');
  return [line(cols.map((c) => c.title)), line(widths.map((w) => '-'.repeat(w))), ...texts.map(line)].join('\n');
}

export const fmt = {
  ms: (v) => (v >= 100 ? v.toFixed(1) : v >= 10 ? v.toFixed(2) : v.toFixed(3)),
  int: (v) => Math.round(v).toLocaleString('en-US'),
  ratio: (v) => `${v >= 10 ? v.toFixed(0) : v.toFixed(1)}x`,
  mb: (bytes) => `${(bytes / 1048576).toFixed(1)} MB`,
};

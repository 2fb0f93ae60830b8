// SIGHUP: the env file is re-read; new limits apply to new calls, the audit file is reopened (logrotate's
// rename-and-create), an invalid file is rejected with the old configuration kept, and every reload is audited.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, renameSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { RawServer, serverEnv, tempDir, pollUntil } from './helpers.mjs';

const lines = (file) => readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));

test('SIGHUP reloads the env file, reopens the audit log, and keeps the old config when the new one is invalid', async () => {
  const dir = tempDir('mm-sighup-');
  const envFile = join(dir, '.env');
  const audit = join(dir, 'audit.log');
  const settings = (burst) =>
    `MCP_RATE_LIMIT_WRITE_RPS=0.001\nMCP_RATE_LIMIT_WRITE_BURST=${burst}\nAUDIT_LOG_ENABLED=true\n` +
    `AUDIT_LOG_DESTINATION=file\nAUDIT_LOG_FILE_PATH=${audit}\n`;
  writeFileSync(envFile, settings(2), { mode: 0o600 });
  const s = new RawServer({ env: serverEnv({ MEMORY_DATA_DIR: dir, MEMORY_MCP_ENV_FILE: envFile, MCP_RATE_LIMIT_ENABLED: 'true' }) });
  try {
    await s.initialize();
    const create = async () => (await s.request('tools/call', { name: 'create_episode', arguments: { task_description: 't', domain: 'd', task_type: 'testing' } }));
    const limited = async (n) => { const out = []; for (let i = 0; i < n; i++) out.push(Boolean((await create()).error)); return out; };
    assert.deepEqual(await limited(3), [false, false, true], 'burst 2, then denied');

    // Rotate the audit log the way logrotate does, raise the burst, SIGHUP.
    renameSync(audit, `${audit}.1`);
    writeFileSync(envFile, settings(50), { mode: 0o600 });
    s.child.kill('SIGHUP');
    await pollUntil(() => /configuration reloaded/.test(s.stderr), { what: 'reload logged' });
    assert.deepEqual(await limited(3), [false, false, false], 'the new burst applies to new calls');
    assert.equal(statSync(audit).mode & 0o777, 0o600, 'the reopened audit file is owner-only');

    // An invalid file is rejected; the old configuration stays in force and the process keeps serving.
    writeFileSync(envFile, 'MCP_RATE_LIMIT_WRITE_BURST=-1\n', { mode: 0o600 });
    s.child.kill('SIGHUP');
    await pollUntil(() => /new configuration rejected, keeping the current one: MCP_RATE_LIMIT_WRITE_BURST: invalid value/.test(s.stderr),
      { what: 'rejection logged' });
    assert.deepEqual(await limited(2), [false, false]);
    assert.deepEqual((await s.request('ping')).result, {});

    await pollUntil(() => lines(audit).some((l) => l.operation === 'config_reload' && l.result === 'failure'), { what: 'failed reload audited' });
    const rotated = lines(`${audit}.1`);
    assert.ok(rotated.some((l) => l.operation === 'rate_limit' && l.result === 'denied'));
    assert.ok(!rotated.some((l) => l.operation === 'config_reload'), 'nothing is written to the rotated file after SIGHUP');
    const current = lines(audit);
    assert.equal(current[0].operation, 'config_reload');
    assert.equal(current[0].result, 'success');
    // Fail-closed auditing writes a "started" line before each mutating call runs, then its outcome.
    const calls = current.filter((l) => l.operation === 'tools/call');
    assert.equal(calls.filter((l) => l.result === 'started').length, 5);
    assert.equal(calls.filter((l) => l.result === 'success').length, 5);
    for (const l of [...rotated, ...current]) assert.deepEqual(Object.keys(l).slice(0, 5), ['timestamp', 'level', 'client_id', 'operation', 'result']);
    const exit = await s.closeStdin();
    assert.equal(exit.code ?? exit, 0);
  } finally {
    await s.dispose();
  }
});

// The audit log: fail-closed when its sink cannot be written (the default), fail-open when configured, and the
// line format fail2ban and SIEMs rely on (key order, one object per line, secrets redacted).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { RawServer, serverEnv, tempDir, pollUntil } from './helpers.mjs';

const createArgs = { task_description: 'audit me', domain: 'd', task_type: 'testing' };

test('a mutating call is refused when the audit sink cannot be written; reads still work', async () => {
  const s = new RawServer({ env: serverEnv({ AUDIT_LOG_ENABLED: 'true', AUDIT_LOG_DESTINATION: 'file', AUDIT_LOG_FILE_PATH: '/dev/full' }) });
  try {
    await s.initialize();
    const r = await s.request('tools/call', { name: 'create_episode', arguments: createArgs });
    assert.equal(r.result.isError, true);
    assert.match(r.result.content[0].text, /audit log unavailable .*AUDIT_LOG_FAIL_CLOSED=true.*nothing was done/);
    const list = await s.request('tools/call', { name: 'list_episodes', arguments: {} });
    assert.deepEqual(list.result.structuredContent.episodes, [], 'the refused call wrote nothing');
    const hc = await s.request('tools/call', { name: 'health_check', arguments: {} });
    const auditor = hc.result.structuredContent.components.find((c) => c.name === 'auditor');
    assert.equal(auditor.state, 'degraded');
    assert.match(auditor.detail, /cannot write \/dev\/full/);
    await pollUntil(() => /audit sink cannot be written/.test(s.stderr), { what: 'the failure logged' });
  } finally {
    await s.dispose();
  }
});

test('with AUDIT_LOG_FAIL_CLOSED=false the call runs and the failure is counted', async () => {
  const s = new RawServer({ env: serverEnv({ AUDIT_LOG_ENABLED: 'true', AUDIT_LOG_DESTINATION: 'file', AUDIT_LOG_FILE_PATH: '/dev/full', AUDIT_LOG_FAIL_CLOSED: 'false' }) });
  try {
    await s.initialize();
    const r = await s.request('tools/call', { name: 'create_episode', arguments: createArgs });
    assert.notEqual(r.result.isError, true);
  } finally {
    await s.dispose();
  }
});

test('audit lines: one JSON object per line, fixed leading keys, 0600 file, secrets redacted', async () => {
  const dir = tempDir('mm-audit-');
  const file = join(dir, 'audit.log');
  const s = new RawServer({ env: serverEnv({ MEMORY_DATA_DIR: dir, AUDIT_LOG_ENABLED: 'true', AUDIT_LOG_DESTINATION: 'file', AUDIT_LOG_FILE_PATH: file }) });
  try {
    await s.initialize();
    const r = await s.request('tools/call', { name: 'create_episode', arguments: createArgs });
    assert.notEqual(r.result.isError, true);
    s.send('{"jsonrpc":"2.0","id":"x","method":"tools/call","params":{"name":"create_episode","arguments":{"token":"Bearer abc"'); // malformed
    await pollUntil(() => readFileSync(file, 'utf8').includes('security_violation'), { what: 'the violation audited' });
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    for (const l of lines) {
      assert.deepEqual(Object.keys(l).slice(0, 5), ['timestamp', 'level', 'client_id', 'operation', 'result']);
      assert.match(l.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    }
    assert.deepEqual(lines.filter((l) => l.tool === 'create_episode').map((l) => l.result), ['started', 'success']);
    const violation = lines.find((l) => l.operation === 'security_violation');
    assert.equal(violation.result, 'denied');
    assert.equal(violation.kind, 'malformed_input');
    assert.ok(!JSON.stringify(lines).includes('Bearer abc'), 'no secret-looking input reaches the audit log');
  } finally {
    await s.dispose();
  }
});

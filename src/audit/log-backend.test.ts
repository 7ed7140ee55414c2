import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { backupName, LogBackend } from './log-backend.ts';
import type { AuditEvent } from './types.ts';

const dir = mkdtempSync(join(tmpdir(), 'extapi-audit-log-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const event = (n: number, pad = 0): AuditEvent => ({
  kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'Metadata', auditID: `id-${n}`, stage: 'ResponseComplete', requestURI: `/x/${'p'.repeat(pad)}`,
  verb: 'get', user: { username: 'u' }, requestReceivedTimestamp: '2026-01-01T00:00:00.000000Z', stageTimestamp: '2026-01-01T00:00:00.000001Z',
});

describe('audit log backend', () => {
  it('writes one JSON event per line, appending to what is there', async () => {
    const path = join(dir, 'plain.log');
    writeFileSync(path, 'earlier\n');
    const log = new LogBackend({ path });
    log.process([event(1), event(2)]);
    await log.shutdown();
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    assert.equal(lines[0], 'earlier');
    assert.deepEqual(lines.slice(1).map((l) => JSON.parse(l).auditID), ['id-1', 'id-2']);
  });

  it('rotates at maxsize into name-<UTC time>.ext and keeps maxbackup files', async () => {
    const path = join(dir, 'audit.log');
    const log = new LogBackend({ path, maxSizeMB: 1, maxBackups: 2 });
    const big = 300 * 1024;
    for (let i = 0; i < 14; i++) {
      log.process([event(i, big)]);
      await new Promise((r) => setTimeout(r, 2));
    }
    await log.shutdown();
    const files = readdirSync(dir).filter((f) => f.startsWith('audit'));
    const backups = files.filter((f) => f !== 'audit.log');
    assert.equal(backups.length, 2, files.join(','));
    for (const b of backups) assert.match(b, /^audit-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}\.log$/);
    for (const f of files) assert.ok(readFileSync(join(dir, f)).length <= 1024 * 1024, `${f} is over 1 MB`);
    const ids = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l).auditID);
    assert.deepEqual(ids, ['id-12', 'id-13']);
  });

  it('removes rotated files older than maxage', async () => {
    const sub = mkdtempSync(join(dir, 'age-'));
    const path = join(sub, 'a.log');
    const old = backupName(path, new Date(Date.now() - 3 * 86_400_000));
    writeFileSync(old, 'old\n');
    utimesSync(old, new Date(), new Date());
    const log = new LogBackend({ path, maxSizeMB: 1, maxAgeDays: 2 });
    log.process([event(1, 700 * 1024), event(2, 700 * 1024)]);
    await log.shutdown();
    const files = readdirSync(sub).sort();
    assert.equal(files.length, 2, files.join(','));
    assert.ok(!files.includes(old.split('/').pop()!), 'the 3-day-old backup (by its name) is gone');
  });

  it('creates the directory, and refuses at start a path it cannot write', async () => {
    const nested = join(dir, 'new', 'deeper', 'x.log');
    await (await LogBackend.open({ path: nested })).shutdown();
    assert.ok(readdirSync(join(dir, 'new', 'deeper')).includes('x.log'));
    writeFileSync(join(dir, 'afile'), '');
    await assert.rejects(LogBackend.open({ path: join(dir, 'afile', 'x.log') }), /^Error: cannot open the audit log .*afile\/x\.log: cannot create directory .*afile: a file of that name exists; give --audit-log-path a writable file$/);
    assert.throws(() => new LogBackend({ path: join(dir, 'afile', 'x.log') }), /^Error: cannot open the audit log .*afile\/x\.log: ENOTDIR; give --audit-log-path a writable file$/);
  });

  it('fails fast, in one sentence, where a directory cannot be made (under /proc Node\'s recursive mkdir never returns)', async () => {
    await assert.rejects(LogBackend.open({ path: '/proc/extapi-audit/deeper/x.log' }), /^Error: cannot open the audit log \/proc\/extapi-audit\/deeper\/x\.log: cannot create directory \/proc\/extapi-audit\/deeper: [a-z ]+; give --audit-log-path a writable file$/);
  });
});

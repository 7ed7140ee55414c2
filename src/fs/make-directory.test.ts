import assert from 'node:assert/strict';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DirectoryError, makeDirectory } from './make-directory.ts';

test('makeDirectory creates missing parents, accepts an existing directory, and fails fast with the reason (issue 18, item 8)', async () => {
  const root = await mkdtemp(join(tmpdir(), 'mkdir-'));
  try {
    await makeDirectory(join(root, 'a/b/c'));
    assert.ok((await stat(join(root, 'a/b/c'))).isDirectory());
    await makeDirectory(join(root, 'a/b/c'));
    await writeFile(join(root, 'file'), 'x');
    await assert.rejects(makeDirectory(join(root, 'file')), (e: Error) => e instanceof DirectoryError && /a file of that name exists/.test(e.message));
    await assert.rejects(makeDirectory(join(root, 'file/sub')), (e: Error) => e instanceof DirectoryError && /is a file, not a directory/.test(e.message));
    // Node 20's recursive mkdir never returns for this path (a core spins): ours answers at once.
    await assert.rejects(makeDirectory('/proc/x/y'), (e: Error) => e instanceof DirectoryError && /^cannot create directory \/proc\/x\/y: /.test(e.message));
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

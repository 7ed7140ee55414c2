import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/** Why a directory could not be made; `message` names the directory and the reason in words. */
export class DirectoryError extends Error {
  constructor(readonly path: string, readonly reason: string, options?: { cause?: unknown }) {
    super(`cannot create directory ${path}: ${reason}`, options);
    this.name = 'DirectoryError';
  }
}

const REASONS: Record<string, string> = {
  EACCES: 'permission denied', EPERM: 'operation not permitted', EROFS: 'read-only file system',
  ENOTDIR: 'a parent is a file, not a directory', EEXIST: 'a file of that name exists', ENOENT: 'this file system does not allow it',
  ENOSPC: 'no space left on the device', ENAMETOOLONG: 'the name is too long', ELOOP: 'too many symbolic links',
};

/**
 * `mkdir -p` that fails fast: creates `path` and its missing parents one at a time, each
 * without `recursive` (Node 20's recursive mkdir loops forever where a parent refuses new
 * entries with ENOENT, e.g. under /proc), and throws a DirectoryError whose message says which
 * directory and why. Resolves when `path` is (or already was) a directory. `mode` applies to
 * the directories it creates.
 */
export async function makeDirectory(path: string, mode?: number): Promise<void> {
  const target = resolve(path);
  const missing: string[] = [];
  for (let dir = target; ; dir = dirname(dir)) {
    const kind = await stat(dir).then((s) => (s.isDirectory() ? 'dir' : 'file'), (err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? 'none' : err));
    if (kind === 'dir') break;
    if (kind === 'file') throw new DirectoryError(path, dir === target ? 'a file of that name exists' : `${dir} is a file, not a directory`);
    if (kind !== 'none') throw new DirectoryError(path, REASONS[kind.code ?? ''] ?? kind.message, { cause: kind });
    missing.unshift(dir);
    if (dirname(dir) === dir) break;
  }
  for (const dir of missing) {
    try {
      await mkdir(dir, { mode });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? '';
      if (code === 'EEXIST' && (await stat(dir).then((s) => s.isDirectory(), () => false))) continue;
      throw new DirectoryError(path, REASONS[code] ?? (err as Error).message, { cause: err });
    }
  }
}

/** Writes a new project's files (`extapi init`), refusing to touch a directory that already has files. */
import { existsSync, readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { usageError } from '../errors.ts';
import { projectFiles, type ProjectTemplate } from './templates.ts';
import { makeDirectory } from '../../fs/make-directory.ts';

/** Creates `dir` with every file of the project; returns the relative paths written. */
export async function writeProject(dir: string, project: ProjectTemplate): Promise<string[]> {
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw usageError(`${dir} already exists and is not empty; choose another name or remove it`);
  }
  const files = projectFiles(project);
  for (const [path, content] of Object.entries(files)) {
    await makeDirectory(dirname(join(dir, path)));
    await writeFile(join(dir, path), content, { flag: 'wx' });
  }
  return Object.keys(files);
}

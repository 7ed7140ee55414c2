/** `extapi add resource`: one more defineResource block in a project's src/resources.ts, listed in `resources`. */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { usageError } from '../errors.ts';
import { PROJECT_RESOURCES_MODULE } from '../target.ts';
import { identifierOf, pluralOf } from './names.ts';
import { RESOURCES_LINE, resourceBlock, type ResourceTemplate } from './templates.ts';

/** Adds `resource` to `<projectDir>/src/resources.ts`; returns the file's path. Throws a usage error when it cannot. */
export async function addResource(projectDir: string, resource: ResourceTemplate): Promise<string> {
  const file = join(projectDir, PROJECT_RESOURCES_MODULE);
  if (!existsSync(file)) throw usageError(`${PROJECT_RESOURCES_MODULE} not found; run \`extapi add resource\` in a project made by \`extapi init\``);
  const source = await readFile(file, 'utf8');
  const list = RESOURCES_LINE.exec(source);
  if (!list) throw usageError(`${PROJECT_RESOURCES_MODULE} has no \`export const resources = [...];\` line; add the resource by hand`);
  const id = identifierOf(resource.kind);
  const names = list[1].split(',').map((s) => s.trim()).filter(Boolean);
  if (names.includes(id) || new RegExp(`plural: '${pluralOf(resource.kind)}'`).test(source)) {
    throw usageError(`${PROJECT_RESOURCES_MODULE} already has a resource ${pluralOf(resource.kind)}; choose another kind`);
  }
  const listed = list[0].replace(/\[.*\];$/, `[${[...names, id].join(', ')}];`);
  const updated = `${source.slice(0, list.index)}${resourceBlock(resource)}\n${listed}${source.slice(list.index + list[0].length)}`;
  await writeFile(file, updated);
  return file;
}

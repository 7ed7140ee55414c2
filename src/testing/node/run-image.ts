/**
 * Runs an OCI image tarball (as writeOciImage makes it) with runc, without a node: its layers
 * unpacked into a bundle's rootfs, the image config's user, env, working directory and
 * entrypoint in the runtime spec, and the host's network (no network namespace), so a server in
 * the container listens on this machine's loopback.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { host } from './host.ts';
import type { ImageRuntimeConfig } from './oci-image.ts';
import { spawnManaged, type ManagedProcess } from '../processes.ts';

/** A running container: its process (runc run) and its root filesystem on this machine. */
export interface RunningContainer {
  process: ManagedProcess;
  rootfs: string;
  /** Kills the container and deletes it from runc's state. */
  stop(): Promise<void>;
}

interface Descriptor { digest: string }

function blobPath(layout: string, d: Descriptor): string {
  return join(layout, 'blobs', 'sha256', d.digest.replace(/^sha256:/, ''));
}

/** Unpacks `imageTar` into `<bundle>/rootfs`; returns the image's runtime config. */
function unpackImage(imageTar: string, bundle: string): ImageRuntimeConfig {
  const layout = join(bundle, 'layout');
  const rootfs = join(bundle, 'rootfs');
  mkdirSync(layout, { recursive: true });
  mkdirSync(rootfs, { recursive: true });
  host('tar', ['--extract', '--file', imageTar, '-C', layout]);
  const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as { manifests: Descriptor[] };
  const manifest = JSON.parse(readFileSync(blobPath(layout, index.manifests[0]), 'utf8')) as { config: Descriptor; layers: Descriptor[] };
  for (const layer of manifest.layers) host('tar', ['--extract', '--same-owner', '--numeric-owner', '--file', blobPath(layout, layer), '-C', rootfs]);
  return (JSON.parse(readFileSync(blobPath(layout, manifest.config), 'utf8')) as { config: ImageRuntimeConfig }).config;
}

/**
 * Runs `imageTar` in `bundle` (a new directory) with the runc binary `runc`; `args` replace the
 * image's CMD as a pod's `args` do. The container is named after the bundle's last path part.
 */
export function runImage(runc: string, imageTar: string, bundle: string, args: string[] | undefined, logPath: string): RunningContainer {
  const config = unpackImage(imageTar, bundle);
  host(runc, ['spec', '--bundle', bundle]);
  const spec = JSON.parse(readFileSync(join(bundle, 'config.json'), 'utf8'));
  const [uid, gid] = (config.User ?? '0:0').split(':').map(Number);
  spec.process = {
    ...spec.process, terminal: false, user: { uid, gid: gid ?? uid },
    args: [...(config.Entrypoint ?? []), ...(args ?? config.Cmd ?? [])], env: config.Env ?? [], cwd: config.WorkingDir ?? '/',
  };
  spec.root = { path: 'rootfs', readonly: false };
  spec.linux.namespaces = spec.linux.namespaces.filter((n: { type: string }) => n.type !== 'network');
  writeFileSync(join(bundle, 'config.json'), JSON.stringify(spec, null, 2));
  const state = join(bundle, 'runc-state');
  const id = bundle.split('/').filter(Boolean).at(-1)!;
  const process = spawnManaged(`runc ${id}`, runc, ['--root', state, 'run', '--bundle', bundle, id], { logPath });
  return {
    process, rootfs: join(bundle, 'rootfs'),
    async stop() {
      try { host(runc, ['--root', state, 'kill', id, 'KILL']); } catch { /* already gone */ }
      await process.stop();
      try { host(runc, ['--root', state, 'delete', '--force', id]); } catch { /* never created */ }
    },
  };
}

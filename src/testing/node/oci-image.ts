/**
 * OCI images without Docker: layers are plain tar files (GNU tar, numeric owners), packed with a
 * config and manifest into an OCI image layout tarball that `ctr images import` takes. The image is
 * named by the `io.containerd.image.name` annotation, so pods run it with `imagePullPolicy: Never`.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { host } from './host.ts';

/** The runtime part of an image config (the Dockerfile's ENV, WORKDIR, USER, ENTRYPOINT, CMD, EXPOSE). */
export interface ImageRuntimeConfig {
  User?: string;
  Env?: string[];
  WorkingDir?: string;
  Entrypoint?: string[];
  Cmd?: string[];
  ExposedPorts?: Record<string, Record<string, never>>;
}

/** One layer: a directory tree to pack, with the owner its files get in the image. */
export interface LayerSource {
  /** Root of the tree; every path under it lands at the same path under `/` in the image. */
  root: string;
  /** Paths (relative to root) to pack; default everything. */
  paths?: string[];
  /** Numeric owner of the packed files (default 0:0). */
  owner?: { uid: number; gid: number };
}

interface Blob { digest: string; size: number }

async function sha256File(path: string): Promise<Blob> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return { digest: `sha256:${hash.digest('hex')}`, size: (await stat(path)).size };
}

/** Packs layer sources into one uncompressed tar (later sources appended; same path = later wins). */
export function packLayer(out: string, sources: LayerSource[]): void {
  sources.forEach((s, i) => {
    const owner = s.owner ?? { uid: 0, gid: 0 };
    host('tar', [i === 0 ? '--create' : '--append', '--file', out, '--numeric-owner',
      `--owner=${owner.uid}`, `--group=${owner.gid}`, '--sort=name', '--mtime=@0', '-C', s.root, ...(s.paths ?? ['.'])]);
  });
}

/**
 * Writes an OCI image layout for `name` (e.g. `extapi.local/wardle:dev`) from layer tars into
 * `workDir` and packs it as `<workDir>/image.tar`; returns that path.
 */
export async function writeOciImage(workDir: string, name: string, layerTars: string[], config: ImageRuntimeConfig): Promise<string> {
  const layout = join(workDir, 'layout');
  const blobs = join(layout, 'blobs', 'sha256');
  await mkdir(blobs, { recursive: true });
  const layers: Blob[] = [];
  for (const tar of layerTars) {
    const blob = await sha256File(tar);
    await rename(tar, join(blobs, blob.digest.slice(7)));
    layers.push(blob);
  }
  const putJson = async (value: unknown): Promise<Blob> => {
    const bytes = Buffer.from(JSON.stringify(value));
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    await writeFile(join(blobs, digest.slice(7)), bytes);
    return { digest, size: bytes.length };
  };
  const imageConfig = await putJson({
    architecture: 'amd64', os: 'linux', config: config,
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) },
    history: layers.map(() => ({ created_by: 'extapi src/testing/node/oci-image.ts' })),
  });
  const manifest = await putJson({
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...imageConfig },
    layers: layers.map((l) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...l })),
  });
  const tag = name.slice(name.lastIndexOf(':') + 1);
  await writeFile(join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  await writeFile(join(layout, 'index.json'), JSON.stringify({
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [{
      mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest,
      annotations: { 'io.containerd.image.name': name, 'org.opencontainers.image.ref.name': tag },
    }],
  }));
  const out = join(workDir, 'image.tar');
  host('tar', ['--create', '--file', out, '-C', layout, '.']);
  return out;
}

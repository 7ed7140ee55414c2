/**
 * What `/version` answers: the fields of Kubernetes' version.Info that mean something for an
 * extapi server. Build stamps nobody set keep Kubernetes' own unstamped defaults (as an unstamped
 * kube-apiserver answers); `compiler` names the runtime. goVersion and the emulation /
 * minimum-compatibility versions describe a Go build of Kubernetes and are left out.
 */
export interface VersionInfo {
  major: string;
  minor: string;
  gitVersion: string;
  gitCommit: string;
  gitTreeState: string;
  buildDate: string;
  compiler: string;
  platform: string;
}

/** The server's version.Info: extapi's defaults, overridden field by field by `stamp` (the server's `version` option). */
export function versionInfo(stamp: Partial<Record<string, string>> = {}): VersionInfo & Record<string, string> {
  const defaults: VersionInfo = {
    major: '0', minor: '1', gitVersion: 'v0.1.0-extapi', gitCommit: '$Format:%H$', gitTreeState: '',
    buildDate: '1970-01-01T00:00:00Z', compiler: 'node', platform: `${process.platform === 'win32' ? 'windows' : process.platform}/${goArch(process.arch)}`,
  };
  return { ...defaults, ...Object.fromEntries(Object.entries(stamp).filter(([, v]) => v !== undefined)) } as VersionInfo & Record<string, string>;
}

/** Node's architecture names in Go's spelling (GOARCH), as version.Info's platform uses them. */
function goArch(arch: string): string {
  return ({ x64: 'amd64', ia32: '386', arm: 'arm', arm64: 'arm64', ppc64: 'ppc64le', s390x: 's390x' } as Record<string, string>)[arch] ?? arch;
}

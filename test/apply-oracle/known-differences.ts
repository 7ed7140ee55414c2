/**
 * Differences between extapi and kube-apiserver that the apply oracle accepts, each with its
 * reason and the exact paths it covers. Anything else is a bug.
 */

/** A documented difference: `covers` says whether it explains the difference of one step. */
export interface KnownDifference {
  id: string;
  /** The paths of the normalised answer it covers. */
  paths: string[];
  why: string;
  covers(crd: any, extapi: any): boolean;
}

function listItems(message: string): string[] | undefined {
  const m = /^(.* is invalid: )\[(.*)\]$/s.exec(message);
  return m ? [m[1], ...m[2].split(', ').sort()] : undefined;
}

/** The documented differences. */
export const KNOWN_DIFFERENCES: KnownDifference[] = [
  {
    id: 'invalid-message-order',
    paths: ['.message'],
    why: 'a 422 with several schema errors lists them in `[a, b]` in the order kube-openapi meets them, which follows '
      + 'Go map iteration over schema properties; extapi lists them in schema order. The causes (compared as a set) are equal.',
    covers(crd, extapi) {
      if (crd?.status !== 422 || extapi?.status !== 422 || crd.reason !== extapi.reason) return false;
      if (JSON.stringify(crd.causes) !== JSON.stringify(extapi.causes)) return false;
      const a = listItems(crd.message);
      const b = listItems(extapi.message);
      return !!a && !!b && JSON.stringify(a) === JSON.stringify(b);
    },
  },
];

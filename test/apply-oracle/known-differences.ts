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
  {
    id: 'typed-patch-500',
    paths: ['.status', '.reason'],
    why: 'an applied configuration with a field the schema does not declare (outside preserve-unknown-fields) fails to become a '
      + 'typed object; kube-apiserver answers 500 with no reason (the error is not a StatusError), extapi answers 400 BadRequest '
      + 'with the same message: the request is at fault, not the server (the standard: bad input is a 4xx).',
    covers(crd, extapi) {
      return crd?.status === 500 && crd.reason === undefined && extapi?.status === 400 && extapi.reason === 'BadRequest'
        && typeof crd.message === 'string' && crd.message.startsWith('failed to create typed patch object (') && crd.message === extapi.message
        && JSON.stringify(crd.causes) === JSON.stringify(extapi.causes);
    },
  },
  {
    id: 'scale-apply-500',
    paths: ['.status', '.reason', '.message'],
    why: 'kube-apiserver 1.36 cannot apply to a custom resource\'s /scale: its field manager converts the autoscaling/v1 Scale '
      + 'with the CRD\'s converter and answers 500 "... request to convert CR to an invalid group/version: autoscaling/v1"; '
      + 'extapi refuses the apply with 415 and, like kube-apiserver, changes nothing.',
    covers(crd, extapi) {
      return crd?.status === 500 && /request to convert CR to an invalid group\/version: autoscaling\/v1$/.test(crd.message ?? '')
        && extapi?.status === 415 && extapi.reason === 'UnsupportedMediaType'
        && extapi.message === 'server-side apply is not supported for the scale subresource';
    },
  },
];

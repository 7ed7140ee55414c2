/**
 * The CLI's one error translation point: every failure becomes an {@link ActionableError}
 * whose message is one sentence saying what is wrong and what to do. `main` prints it and
 * exits non-zero; no stack trace unless `EXTAPI_DEBUG=1`.
 */
import { DirectoryError } from '../fs/make-directory.ts';
import { KubeApiError } from '../kube/client.ts';

/** Exit codes of the CLI. */
export const ExitCode = {
  /** Everything went as asked. */
  ok: 0,
  /** The operation failed, or `doctor` found a failing check. */
  failure: 1,
  /** Bad flags or arguments. */
  usage: 2,
} as const;

/** Options of {@link ActionableError}. */
export interface ActionableErrorOptions {
  /** Process exit code; default {@link ExitCode.failure}. */
  exitCode?: number;
  /** Extra lines printed under the message (e.g. what was applied before the failure). */
  details?: string[];
  /** The underlying error (shown with EXTAPI_DEBUG=1). */
  cause?: unknown;
}

/** An error whose message tells the user what is wrong and what to do about it. */
export class ActionableError extends Error {
  /** Process exit code main should use. */
  readonly exitCode: number;
  /** Extra lines printed after the message. */
  readonly details: string[];
  constructor(message: string, opts: ActionableErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'ActionableError';
    this.exitCode = opts.exitCode ?? ExitCode.failure;
    this.details = opts.details ?? [];
  }
}

/** A usage error (bad flag or argument): exit code 2. */
export function usageError(message: string): ActionableError {
  return new ActionableError(message, { exitCode: ExitCode.usage });
}

/** What the translation knows about the cluster, to name it in messages. */
export interface ErrorContext {
  /** kube-apiserver URL. */
  server?: string;
  /** kubeconfig context name. */
  context?: string;
}

const NETWORK_HINTS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name lookup failed',
  ETIMEDOUT: 'timed out',
};

const TLS_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_SIGNATURE_FAILURE',
]);

/** The Node error code of `err` (`ECONNREFUSED`, ...), or ''. */
export function errorCode(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
}

/**
 * Turns any error into an {@link ActionableError}: kube-apiserver Status errors, network and
 * TLS failures reaching the cluster, and (last resort) anything else, worded as one sentence.
 */
export function toActionableError(err: unknown, ctx: ErrorContext = {}): ActionableError {
  if (err instanceof ActionableError) return err;
  const where = ctx.server ? `the cluster at ${ctx.server}` : 'the cluster';
  const contextHint = ctx.context ? ` (kubeconfig context "${ctx.context}")` : '';
  if (err instanceof KubeApiError) return fromKubeApiError(err, where);
  if (err instanceof DirectoryError) return new ActionableError(`${err.message}; choose a directory you can write`, { cause: err });
  const code = errorCode(err);
  const message = (err as Error | undefined)?.message ?? String(err);
  if (NETWORK_HINTS[code] || /timed out/.test(message)) {
    return new ActionableError(
      `cannot reach ${where}${contextHint}: ${NETWORK_HINTS[code] ?? 'timed out'}; check that the cluster is running and that the kubeconfig points at it (--kubeconfig, --context)`,
      { cause: err });
  }
  if (TLS_CODES.has(code)) {
    return new ActionableError(
      `${where} presented a certificate the kubeconfig does not trust (${code}); fix certificate-authority-data in the kubeconfig${contextHint}`,
      { cause: err });
  }
  return new ActionableError(`unexpected error: ${message}; rerun with EXTAPI_DEBUG=1 for details and report it if it persists`, { cause: err });
}

function fromKubeApiError(err: KubeApiError, where: string): ActionableError {
  if (err.code === 401) {
    return new ActionableError(`${where} rejected the kubeconfig's credentials (401 Unauthorized); renew them or choose another context with --context`, { cause: err });
  }
  const terminating = /unable to create new content in namespace (\S+) because it is being terminated/.exec(err.message);
  if (err.code === 403 && terminating) {
    return new ActionableError(`namespace ${terminating[1]} is being deleted, so nothing can be created in it; wait for the deletion to finish (\`extapi doctor -n ${terminating[1]}\` names what blocks it), then rerun`, { cause: err });
  }
  if (err.code === 403) {
    return new ActionableError(`${trimDot(err.message)}; ask a cluster admin for this permission or use a context that has it`, { cause: err });
  }
  return new ActionableError(`${where} answered ${err.code}${err.reason ? ` ${err.reason}` : ''}: ${trimDot(err.message)}`, { cause: err });
}

function trimDot(s: string): string {
  return s.replace(/[.\s]+$/, '');
}

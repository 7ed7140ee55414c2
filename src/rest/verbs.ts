import type { Rest } from './interfaces.ts';

/** A Kubernetes API verb, as RequestInfo, discovery and SubjectAccessReviews name it. */
export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

/** The verb a connect method is authorized and listed as (kube-apiserver's RequestInfo mapping). */
export const CONNECT_METHOD_VERBS: Record<string, Verb> = {
  GET: 'get', POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete',
};

/**
 * The members a REST object needs to serve each verb — the one place that says so: patch needs
 * get + update (a patch applies to the current object), watch needs list (it starts from one).
 */
export const VERB_MEMBERS = {
  get: ['get'], list: ['list'], watch: ['watch', 'list', 'currentRevision'], create: ['create'], update: ['update'],
  patch: ['update', 'get'], delete: ['delete'], deletecollection: ['deleteCollection'],
} as const satisfies Record<Verb, readonly (keyof Rest)[]>;

/** True when `rest` has every one of `members` (a type guard for the verb interfaces). */
export function implementsAll<K extends keyof Rest>(rest: Rest, ...members: readonly K[]): rest is Rest & Required<Pick<Rest, K>> {
  return members.every((m) => rest[m] !== undefined);
}

/** Whether `rest` serves `verb`: it has the verb's members, or a connect method of that verb. */
export function serves(rest: Rest, verb: Verb): boolean {
  return implementsAll(rest, ...VERB_MEMBERS[verb]) || connects(rest, verb);
}

function connects(rest: Rest, verb: Verb): boolean {
  return !!rest.connect && (rest.connectMethods ?? []).some((m) => CONNECT_METHOD_VERBS[m] === verb);
}

const ALL_VERBS: Verb[] = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** The verbs `rest` serves, sorted as kube-apiserver lists them in discovery. */
export function verbsOf(rest: Rest): Verb[] {
  return ALL_VERBS.filter((v) => serves(rest, v));
}

/**
 * A view of `rest` with only the given members (bound to it), for objects that share an
 * implementation but not its verbs (a read-only computed resource over the generic store).
 */
export function withMembers(rest: Rest, members: readonly (keyof Rest)[]): Rest {
  const view: Record<string, unknown> = { resource: rest.resource, kind: rest.kind };
  for (const m of members) {
    const value = rest[m];
    if (value !== undefined) view[m] = typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(rest) : value;
  }
  return view as unknown as Rest;
}

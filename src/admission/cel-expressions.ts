/**
 * Admission CEL (ValidatingAdmissionPolicy expressions and webhook matchConditions) as
 * k8s.io/apiserver's admission CEL plugin runs it: the variables `object`, `oldObject`,
 * `request`, `params`, `namespaceObject` and `variables` (composited, evaluated lazily, once),
 * compile errors kept per expression and reported when it runs, errors worded as upstream
 * (`expression 'x' resulted in error: no such key: y`, `compilation failed: ...`,
 * `composited variable "v" fails to evaluate: ...`).
 */
import { CelCompileError, CelEvaluationError, compileCel, type CelProgram } from '../cel/index.ts';
import { celErrorText } from '../cel/program.ts';
import type { NamedExpression } from './policies/types.ts';

/**
 * The variables an admission expression may use. `authorizer` is not offered: extapi has no
 * CEL authorizer library yet, so an expression using it does not compile.
 */
export const ADMISSION_CEL_VARIABLES = ['object', 'oldObject', 'request', 'params', 'namespaceObject', 'variables'] as const;

/** The values of one evaluation, already CEL values (see toCelValue); absent ones are null. */
export interface AdmissionCelInput {
  object: unknown;
  oldObject: unknown;
  request: unknown;
  params?: unknown;
  namespaceObject?: unknown;
}

/** What one expression gave: a value, or an error worded as upstream. */
export type ExpressionResult = { value: unknown; error?: undefined } | { error: string; value?: undefined };

/** One expression compiled once; a compile error is kept and becomes its result each time it runs. */
export class AdmissionExpression {
  readonly source: string;
  private readonly program: CelProgram | undefined;
  private readonly compileError: string | undefined;

  constructor(source: string) {
    this.source = source;
    try {
      this.program = compileCel(source, ADMISSION_CEL_VARIABLES);
    } catch (err) {
      if (!(err instanceof CelCompileError)) throw err;
      this.compileError = `compilation failed: ${err.message}`;
    }
  }

  /** Runs against `activation` (see {@link AdmissionActivation}); errors worded as a policy or matchCondition reports them. */
  evaluate(activation: AdmissionActivation): ExpressionResult {
    const raw = this.run(activation);
    if (raw.compileError !== undefined) return { error: raw.compileError };
    if (raw.runtimeError !== undefined) return { error: `expression '${this.source}' resulted in error: ${raw.runtimeError}` };
    return { value: raw.value };
  }

  /** Runs, keeping cel-go's bare runtime error text (what a composited variable reports). */
  run(activation: AdmissionActivation): { value?: unknown; compileError?: string; runtimeError?: string } {
    if (this.compileError !== undefined) return { compileError: this.compileError };
    try {
      return { value: this.program!.evaluate(activation.values) };
    } catch (err) {
      return { runtimeError: err instanceof CelEvaluationError ? err.message : celErrorText(err) };
    }
  }
}

/** A composited variable's failure, raised when an expression reads it. */
class VariableError extends Error {}

/** The compiled `variables` of a policy, in declaration order (each may use the earlier ones). */
export class CompositedVariables {
  private readonly entries: { name: string; expression: AdmissionExpression }[];

  constructor(variables: NamedExpression[] = []) {
    this.entries = variables.map((v) => ({ name: v.name, expression: new AdmissionExpression(v.expression) }));
  }

  /** The activation for one input: `variables.x` is evaluated on first use and kept. */
  activation(input: AdmissionCelInput): AdmissionActivation {
    const variables: Record<string, unknown> = {};
    const values: Record<string, unknown> = {
      object: input.object ?? null, oldObject: input.oldObject ?? null, request: input.request,
      params: input.params ?? null, namespaceObject: input.namespaceObject ?? null, variables,
    };
    const activation = { values };
    for (const { name, expression } of this.entries) {
      let cached: ReturnType<AdmissionExpression['run']> | undefined;
      Object.defineProperty(variables, name, {
        enumerable: true,
        get: () => {
          cached ??= expression.run(activation);
          if (cached.compileError !== undefined) throw new VariableError(`composited variable "${name}" fails to compile: ${cached.compileError}`);
          if (cached.runtimeError !== undefined) throw new VariableError(`composited variable "${name}" fails to evaluate: ${cached.runtimeError}`);
          return cached.value;
        },
      });
    }
    return activation;
  }
}

/** The values one evaluation sees (built by {@link CompositedVariables.activation}). */
export interface AdmissionActivation {
  readonly values: Record<string, unknown>;
}

/** The outcome of a list of matchConditions: all true, one false (its name), or errors. */
export type MatchConditionsOutcome = { matches: true } | { matches: false; failed: string } | { matches: true; errors: string[] };

/**
 * matchConditions as upstream's matcher: any condition false → no match (even after errors);
 * otherwise errors are returned for the caller's failurePolicy; otherwise a match.
 */
export function evaluateMatchConditions(conditions: { name: string; expression: AdmissionExpression }[], activation: AdmissionActivation): MatchConditionsOutcome {
  const errors: string[] = [];
  for (const { name, expression } of conditions) {
    const result = expression.evaluate(activation);
    if (result.error !== undefined) errors.push(result.error);
    else if (result.value === false) return { matches: false, failed: name };
  }
  return errors.length ? { matches: true, errors } : { matches: true };
}

/** Several errors as Go's utilerrors.NewAggregate prints them: one as itself, more as `[a, b]`. */
export function aggregateErrors(errors: string[]): string {
  return errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`;
}

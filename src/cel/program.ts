/**
 * Compiling and running one CEL expression, with errors worded as cel-go words them
 * (`no such key: x`, `division by zero`, `no such overload`, ...).
 */
import { celEnvironment } from './environment.ts';

/** A compiled CEL expression. */
export interface CelProgram {
  readonly source: string;
  /** Whether the expression references the variable `name` (e.g. `oldSelf` makes a transition rule). */
  uses(name: string): boolean;
  /** Evaluates with `activation` (variable name → CEL value). Throws {@link CelEvaluationError}. */
  evaluate(activation: Record<string, unknown>): unknown;
}

/** An expression that does not parse or type-check; `message` is the compiler's. */
export class CelCompileError extends Error {}

/** A runtime error of an expression, worded as cel-go (`no such key: spec`). */
export class CelEvaluationError extends Error {}

/** cel-go's wording of a runtime error raised by @marcbachmann/cel-js or a library function. */
export function celErrorText(err: unknown): string {
  const text = err instanceof Error ? err.message.split('\n')[0] : String(err);
  const index = /^No such key: index out of bounds, index (-?\d+)/.exec(text);
  if (index !== null) return `index out of bounds: ${index[1]}`;
  if (text.startsWith('No such key: ')) return `no such key: ${text.slice('No such key: '.length)}`;
  if (text.startsWith('integer overflow')) return 'integer overflow';
  if (text.startsWith('no such overload')) return 'no such overload';
  if (text.startsWith('Invalid regular expression: ')) return `error parsing regexp: ${text.slice('Invalid regular expression: '.length)}`;
  return text;
}

interface AstLike { op: string; args: unknown }

function referencesVariable(node: unknown, name: string): boolean {
  if (node === null || typeof node !== 'object') return false;
  if (Array.isArray(node)) return node.some((n) => referencesVariable(n, name));
  const ast = node as AstLike;
  if (ast.op === 'id') return ast.args === name;
  if (typeof ast.op === 'string' && 'args' in ast) return referencesVariable(ast.args, name);
  return false;
}

/**
 * Parses and type-checks `source` with `variables` declared (as `dyn`). Throws
 * {@link CelCompileError} with the compiler's message when it does not compile.
 */
export function compileCel(source: string, variables: readonly string[]): CelProgram {
  const env = celEnvironment(variables);
  let run: ReturnType<typeof env.parse>;
  try {
    run = env.parse(source);
  } catch (err) {
    throw new CelCompileError((err as Error).message);
  }
  const checked = run.check();
  if (!checked.valid) throw new CelCompileError(checked.error?.message ?? 'type check failed');
  return {
    source,
    uses: (name) => referencesVariable(run.ast, name),
    evaluate(activation) {
      try {
        return run(activation);
      } catch (err) {
        throw new CelEvaluationError(celErrorText(err));
      }
    },
  };
}

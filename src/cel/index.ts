/**
 * CEL for extapi: the one place expressions are compiled and run (schema validation rules,
 * admission policies, webhook match conditions), on @marcbachmann/cel-js with the Kubernetes
 * libraries.
 * @module
 */
export { compileCel, celErrorText, CelCompileError, CelEvaluationError, type CelProgram } from './program.ts';
export { toCelValue, fromCelValue, celToString, celEquals } from './values.ts';

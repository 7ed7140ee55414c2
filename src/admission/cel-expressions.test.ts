import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toCelValue } from '../cel/index.ts';
import { AdmissionExpression, CompositedVariables, evaluateMatchConditions } from './cel-expressions.ts';

const input = (object: unknown, params: unknown = null) => ({ object: toCelValue(object), oldObject: null, request: toCelValue({ operation: 'CREATE' }), params: toCelValue(params) });

describe('admission CEL expressions', () => {
  it('reads object, request and params', () => {
    const vars = new CompositedVariables();
    const act = vars.activation(input({ spec: { replicas: 3 } }, { data: { max: '5' } }));
    assert.deepEqual(new AdmissionExpression('object.spec.replicas <= int(params.data.max) && request.operation == "CREATE"').evaluate(act), { value: true });
  });

  it('words a runtime error as upstream', () => {
    const act = new CompositedVariables().activation(input({ spec: {} }));
    assert.deepEqual(new AdmissionExpression('object.spec.replicas > 1').evaluate(act), { error: "expression 'object.spec.replicas > 1' resulted in error: no such key: replicas" });
  });

  it('evaluates variables lazily, once, in order, and reports a failing one where it is read', () => {
    const vars = new CompositedVariables([{ name: 'n', expression: 'object.spec.name' }, { name: 'long', expression: 'size(variables.n) > 3' }, { name: 'bad', expression: 'object.spec.missing' }]);
    const act = vars.activation(input({ spec: { name: 'abcdef' } }));
    assert.deepEqual(new AdmissionExpression('variables.long').evaluate(act), { value: true });
    assert.deepEqual(new AdmissionExpression('variables.n == "abcdef"').evaluate(act), { value: true });
    assert.deepEqual(new AdmissionExpression('variables.bad == 1').evaluate(act), { error: `expression 'variables.bad == 1' resulted in error: composited variable "bad" fails to evaluate: no such key: missing` });
  });

  it('keeps a compile error for the expression that has it', () => {
    const result = new AdmissionExpression('object.spec.').evaluate(new CompositedVariables().activation(input({})));
    assert.match(result.error ?? '', /^compilation failed: /);
  });

  it('matchConditions: a false condition wins over errors; errors otherwise', () => {
    const act = new CompositedVariables().activation(input({ spec: {} }));
    const c = (name: string, e: string) => ({ name, expression: new AdmissionExpression(e) });
    assert.deepEqual(evaluateMatchConditions([c('err', 'object.x == 1'), c('no', 'false')], act), { matches: false, failed: 'no' });
    assert.deepEqual(evaluateMatchConditions([c('err', 'object.x == 1'), c('yes', 'true')], act), { matches: true, errors: ["expression 'object.x == 1' resulted in error: no such key: x"] });
    assert.deepEqual(evaluateMatchConditions([c('yes', 'true')], act), { matches: true });
  });
});

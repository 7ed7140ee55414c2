/**
 * `string.format(list)` of cel-go's strings extension: `%s`, `%d`, `%f`/`%.Nf`, `%e`, `%b`,
 * `%o`, `%x`/`%X` and `%%`, with cel-go's error texts for a missing argument or an unknown verb.
 */
import { celToString } from '../values.ts';

function fixed(v: unknown, precision: number): string {
  if (typeof v === 'bigint') return Number(v).toFixed(precision);
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return 'NaN';
    if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
    return v.toFixed(precision);
  }
  throw new Error(`error during formatting: fixed-point clause can only be used on doubles, was given ${typeof v}`);
}

function integer(v: unknown, radix: number, verb: string): string {
  if (typeof v === 'bigint') return v.toString(radix);
  if (typeof v === 'object' && v !== null && 'valueOf' in v && typeof v.valueOf() === 'bigint') return (v.valueOf() as bigint).toString(radix);
  if (verb === 'x' && typeof v === 'string') return Buffer.from(v, 'utf8').toString('hex');
  throw new Error(`error during formatting: only integers${verb === 'x' ? ', byte buffers, and strings' : ''} can be formatted as ${verb === 'd' ? 'decimal' : verb === 'b' ? 'binary' : verb === 'o' ? 'octal' : 'hex'}, was given ${typeof v}`);
}

function one(verb: string, precision: number | undefined, v: unknown): string {
  switch (verb) {
    case 's': return celToString(v);
    case 'd': return integer(v, 10, 'd');
    case 'f': return fixed(v, precision ?? 6);
    case 'e': return typeof v === 'number' || typeof v === 'bigint' ? Number(v).toExponential(precision ?? 6).replace(/e([+-])(\d)$/, 'e$10$2') : fixed(v, 0);
    case 'b': return integer(v, 2, 'b');
    case 'o': return integer(v, 8, 'o');
    case 'x': return integer(v, 16, 'x');
    case 'X': return integer(v, 16, 'x').toUpperCase();
    default: throw new Error(`could not parse formatting clause: unrecognized formatting clause "${verb}"`);
  }
}

/** Formats `template` with `args` as cel-go's `string.format`. */
export function formatCelString(template: string, args: unknown[]): string {
  let out = '';
  let next = 0;
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if (c !== '%') { out += c; continue; }
    if (template[i + 1] === '%') { out += '%'; i++; continue; }
    const m = /^(?:\.(\d+))?([a-zA-Z])/.exec(template.slice(i + 1));
    if (m === null) throw new Error('could not parse formatting clause: unexpected end of format string');
    if (next >= args.length) throw new Error(`index ${next} out of range`);
    out += one(m[2], m[1] === undefined ? undefined : Number(m[1]), args[next++]);
    i += m[0].length;
  }
  return out;
}

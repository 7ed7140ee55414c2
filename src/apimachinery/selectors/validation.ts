/**
 * The validation texts label selectors need, shared with ObjectMeta validation
 * (src/apimachinery/validation): one implementation of each apimachinery rule.
 */
import { goQuote } from '../validation/go-format.ts';

export { DNS1123_SUBDOMAIN_MAX_LENGTH, isDNS1123Subdomain, isQualifiedName, isValidLabelValue, regexError } from '../validation/names.ts';
export { goQuote } from '../validation/go-format.ts';

/** Maximum length, in UTF-8 bytes, of a label value and of the name part of a label key. */
export const LABEL_MAX_LENGTH = 63;

/** field.Invalid(path, value, detail).Error(): `<path>: Invalid value: "<value>": <detail>`. */
export function invalidValueMessage(path: string, value: string, detail: string): string {
  return `${path}: Invalid value: ${goQuote(value)}${detail ? `: ${detail}` : ''}`;
}

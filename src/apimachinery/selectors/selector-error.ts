/**
 * The error every selector parser in this folder throws. Its `message` is exactly the text
 * kube-apiserver puts in the `message` of its 400 BadRequest Status for the same input, so a
 * handler can answer `badRequest(err.message)` without rewording anything.
 */
export class SelectorParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SelectorParseError';
  }
}

/** True when `err` is a {@link SelectorParseError}. */
export function isSelectorParseError(err: unknown): err is SelectorParseError {
  return err instanceof SelectorParseError;
}

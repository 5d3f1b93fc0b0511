// Only imported where the runtime parses `await using` natively (Node 24 and later).
export async function awaitUsing(stack, body) {
  await using _ = stack;
  body();
}

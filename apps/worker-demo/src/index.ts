// The Worker: the classic examples as a route, and a bank transfer that holds a distributed lock
// (durableLock) while the Bank object moves money inside a transaction (durableTransaction).
import { asyncWith } from "@asyncwith/core";
import { durableLock, withScope } from "@asyncwith/edge";
import type { Bank } from "./bank.js";
import { classic } from "./classic.js";

export { Bank } from "./bank.js";
export { DurableLock } from "@asyncwith/edge";

export interface Env {
  BANK: DurableObjectNamespace<Bank>;
  LOCKS: DurableObjectNamespace;
}

const bankOf = (env: Env) => env.BANK.get(env.BANK.idFromName("bank"));

export default {
  fetch: withScope<Env>(async (request, env, _ctx, scope) => {
    const url = new URL(request.url);
    const bank = bankOf(env);
    switch (`${request.method} ${url.pathname}`) {
      case "GET /classic":
        return new Response((await classic()).join("\n"));
      case "POST /reset":
        await bank.reset({ alice: 1_000, bob: 1_000 });
        return Response.json(await bank.balances());
      case "GET /balances":
        return Response.json(await bank.balances());
      case "GET /audit":
        return Response.json(await bank.audits());
      case "POST /transfer": {
        const [from, to, amount] = [
          url.searchParams.get("from") ?? "alice",
          url.searchParams.get("to") ?? "bob",
          Number(url.searchParams.get("amount") ?? 1),
        ];
        const fail = url.searchParams.has("fail");
        let outcome = "failed";
        // After the response, whatever happened: an audit line (the check looks for it).
        scope.deferBackground(() => bank.audit(`transfer ${amount} ${from}→${to}: ${outcome}`));
        await asyncWith(durableLock(env.LOCKS, "bank", { ttl: 10_000 }), async () => {
          const result = await bank.transfer(from, to, amount, fail);
          if (!result.ok) throw new Error(result.error); // withScope answers 500, after every exit ran
        });
        outcome = "done";
        return Response.json(await bank.balances());
      }
      default:
        return new Response("Not found", { status: 404 });
    }
  }),
};

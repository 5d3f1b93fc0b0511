import { type AsyncContextManager, resource } from "@asyncwith/core";
import { expected } from "@asyncwith/core/adapter";

/**
 * A Workers RPC stub for the block, disposed on exit (releasing the remote object and what it
 * holds, rather than waiting for the end of the request or garbage collection).
 *
 * @example
 * const total = await asyncWith(rpcStub(await env.CART.open(id)), (cart) => cart.total());
 */
export function rpcStub<S extends Disposable>(stub: S): AsyncContextManager<S, false> {
  if (typeof (stub as Partial<Disposable> | null)?.[Symbol.dispose] !== "function")
    throw expected("rpcStub() to be given an RPC stub (with Symbol.dispose)", stub);
  return resource(
    () => stub,
    () => stub[Symbol.dispose](),
    "rpcStub",
  );
}

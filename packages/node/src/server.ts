import { once } from "node:events";
import type { AddressInfo, Server, Socket } from "node:net";
import { type AsyncContextManager, contextManager, exitOptions } from "@asyncwith/core";
import { checkOptions, expected } from "@asyncwith/core/adapter";
import { _cleanupAfter, _ms } from "./_shared.js";

/** Options of `server`: where to listen, and how long a graceful close may take. */
export interface ServerOptions {
  /** Port to listen on; 0 (the default) picks a free one. */
  port?: number;
  /** Address to bind. Default: Node's (all interfaces). */
  host?: string;
  /** How long in-flight requests may take to finish after the exit starts. Default: 10,000 ms. */
  grace?: number;
}

/**
 * Listens for the block and shuts down gracefully on exit: stops accepting, closes idle
 * keep-alive connections, lets in-flight requests finish for up to `grace` ms, then destroys
 * whatever connection is left (at once when an exit deadline, `exitWithin`, passes) and waits for
 * the server to close. Works for `http`, `https`,
 * `http2` and plain `net` servers. The block gets the bound address (with the real port).
 *
 * @example
 * await asyncWith(server(createServer(app), { port: 8080 }), async ({ port }) => {
 *   console.log(`listening on ${port}`);
 *   await once(process, "SIGTERM");
 * });
 */
export function server(instance: Server, options: ServerOptions = {}): AsyncContextManager<AddressInfo, false> {
  if (instance === null || typeof instance !== "object" || typeof (instance as Server).listen !== "function") {
    throw expected("server() to be given a server from createServer(), not yet listening", instance);
  }
  checkOptions("server()", options);
  const { port = 0, host } = options;
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw expected("server() options.port to be an integer from 0 to 65535", port);
  const grace = _ms("server() options.grace", options.grace ?? 10_000);
  return contextManager(
    async function* () {
      if (instance.listening)
        throw expected("a server that is not listening yet (server() listens for you)", "one already listening");
      const sockets = new Set<Socket>();
      const track = (socket: Socket) => {
        sockets.add(socket);
        socket.once("close", () => sockets.delete(socket));
      };
      instance.on("connection", track).on("secureConnection", track);
      instance.listen(port, host);
      await once(instance, "listening");
      const stopTracking = () => void instance.off("connection", track).off("secureConnection", track);
      try {
        yield instance.address() as AddressInfo;
      } catch (error) {
        const deadline = exitOptions().signal; // an exitWithin() deadline ends the grace period early
        return await _cleanupAfter(error, () => _shutDown(instance, sockets, grace, deadline).finally(stopTracking));
      }
      await _shutDown(instance, sockets, grace, exitOptions().signal).finally(stopTracking);
    },
    { name: "server" },
  )();
}

async function _shutDown(
  instance: Server,
  sockets: Set<Socket>,
  grace: number,
  deadline: AbortSignal | undefined,
): Promise<void> {
  // The block may have closed it already: then there is nothing to stop, only connections to end.
  const closed = instance.listening
    ? new Promise<void>((resolve, reject) => instance.close((error) => (error ? reject(error) : resolve())))
    : _drained(sockets);
  const http = instance as Server & { closeIdleConnections?: () => void };
  http.closeIdleConnections?.();
  // A keep-alive connection becomes idle when its in-flight response ends: keep closing idle ones.
  const sweep = setInterval(() => http.closeIdleConnections?.(), 50);
  const destroyAll = () => {
    for (const socket of sockets) socket.destroy();
  };
  const timer = setTimeout(destroyAll, grace);
  if (deadline?.aborted) destroyAll();
  deadline?.addEventListener("abort", destroyAll, { once: true });
  try {
    await closed;
  } finally {
    clearInterval(sweep);
    clearTimeout(timer);
    deadline?.removeEventListener("abort", destroyAll);
  }
}

/** Resolves once every tracked connection has closed (the server itself was closed by the block). */
async function _drained(sockets: Set<Socket>): Promise<void> {
  for (const socket of sockets) if (!socket.destroyed) await once(socket, "close");
}

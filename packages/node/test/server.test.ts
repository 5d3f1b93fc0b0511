import { createServer as createHttpServer } from "node:http";
import { connect, createServer as createNetServer } from "node:net";
import { once } from "node:events";
import { asyncWith, exitWithin, TimeoutError } from "@asyncwith/core";
import { describe, expect, it } from "vitest";
import { server } from "../src/index.ts";
import { boom } from "./helpers.ts";

describe("server", () => {
  it("listens for the block (giving the real port) and has stopped listening after it", async () => {
    const http = createHttpServer((_req, res) => res.end("hello"));
    const port = await asyncWith(server(http, { host: "127.0.0.1" }), async ({ port, address }) => {
      expect(address).toBe("127.0.0.1");
      expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe("hello");
      return port;
    });
    expect(http.listening).toBe(false);
    await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow();
  });

  it("lets an in-flight request finish, and closes its kept-alive connection", async () => {
    let arrived!: () => void;
    const arrival = new Promise<void>((resolve) => (arrived = resolve));
    let respond!: () => void;
    const http = createHttpServer((_req, res) => {
      respond = () => res.end("finished after the exit began");
      arrived();
    });
    const response = await asyncWith(server(http, { host: "127.0.0.1" }), async ({ port }) => {
      const pending = fetch(`http://127.0.0.1:${port}/`).then((r) => r.text());
      await arrival;
      setImmediate(() => respond()); // answered only once the exit is already shutting down
      return pending;
    });
    expect(await response).toBe("finished after the exit began");
    expect(http.listening).toBe(false);
  });

  it("destroys connections still busy after the grace period, and rethrows the block's error", async () => {
    let arrived!: () => void;
    const arrival = new Promise<void>((resolve) => (arrived = resolve));
    const http = createHttpServer(() => arrived()); // never responds
    const error = boom();
    let request: Promise<unknown> = Promise.resolve();
    const result = asyncWith(server(http, { host: "127.0.0.1", grace: 50 }), async ({ port }) => {
      request = fetch(`http://127.0.0.1:${port}/`).catch((e: unknown) => e);
      await arrival;
      throw error;
    });
    await expect(result).rejects.toBe(error);
    expect(await request).toBeInstanceOf(TypeError); // fetch failed: the socket was destroyed
  });

  it("an exit deadline (exitWithin) ends the grace period early: busy connections are destroyed at once", async () => {
    let arrived!: () => void;
    const arrival = new Promise<void>((resolve) => (arrived = resolve));
    const http = createHttpServer(() => arrived()); // never responds
    let request: Promise<unknown> = Promise.resolve();
    const result = asyncWith(exitWithin(50, server(http, { host: "127.0.0.1", grace: 600_000 })), async ({ port }) => {
      request = fetch(`http://127.0.0.1:${port}/`).catch((e: unknown) => e);
      await arrival;
    });
    await expect(result).rejects.toBeInstanceOf(TimeoutError);
    expect(await request).toBeInstanceOf(TypeError); // the socket was destroyed, not left for 10 minutes
    expect(http.listening).toBe(false);
  });

  it("works for a plain net.Server too", async () => {
    const tcp = createNetServer((socket) => socket.end("tcp hello"));
    const text = await asyncWith(server(tcp, { host: "127.0.0.1" }), async ({ port }) => {
      const socket = connect(port, "127.0.0.1");
      let received = "";
      socket.on("data", (chunk) => (received += chunk));
      await once(socket, "close");
      return received;
    });
    expect(text).toBe("tcp hello");
  });

  it("fails the enter when the port is taken, and never runs the block", async () => {
    await asyncWith(server(createNetServer(), { host: "127.0.0.1" }), async ({ port }) => {
      let ran = false;
      await expect(
        asyncWith(server(createNetServer(), { port, host: "127.0.0.1" }), () => (ran = true)),
      ).rejects.toMatchObject({ code: "EADDRINUSE" });
      expect(ran).toBe(false);
    });
  });

  it("rejects bad input, saying what it got", async () => {
    expect(() => server({} as never)).toThrow(
      "Expected server() to be given a server from createServer(), not yet listening, got an object",
    );
    expect(() => server(createNetServer(), { port: 70_000 })).toThrow(
      "Expected server() options.port to be an integer from 0 to 65535, got 70000",
    );
    const listening = createNetServer().listen(0, "127.0.0.1");
    await once(listening, "listening");
    await expect(asyncWith(server(listening), () => {})).rejects.toThrow(
      "Expected a server that is not listening yet (server() listens for you)",
    );
    listening.close();
  });

  it("a block that closed the server itself gets no ERR_SERVER_NOT_RUNNING at exit", async () => {
    const http = createHttpServer((_req, res) => res.end("ok"));
    await asyncWith(server(http, { host: "127.0.0.1" }), async () => {
      await new Promise<void>((resolve, reject) => http.close((error) => (error ? reject(error) : resolve())));
    });
    expect(http.listening).toBe(false);
  });
});

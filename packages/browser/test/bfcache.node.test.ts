// webLock and the back/forward cache, in real Chromium with the cache turned on (Playwright turns
// it off by default): a page that navigates away mid-block while another tab waits for its lock.
import { createServer, type Server } from "node:http";
import { buildSync } from "esbuild";
import { chromium, type Browser } from "playwright";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumArgs, chromiumPath } from "../../../vitest.browser.ts";

type Page = { log: string[]; hold(name: string): Promise<void>; take(name: string): Promise<string> };
let server: Server;
let origin: string;
let browser: Browser;

beforeAll(async () => {
  const script = buildSync({
    entryPoints: [new URL("fixtures/bfcache-page.ts", import.meta.url).pathname],
    bundle: true,
    format: "esm",
    write: false,
  }).outputFiles[0]!.text;
  server = createServer((request, response) =>
    request.url === "/page.js"
      ? response.writeHead(200, { "content-type": "text/javascript" }).end(script)
      : response.writeHead(200, { "content-type": "text/html" }).end('<script type="module" src="/page.js"></script>'),
  );
  await new Promise<void>((listening) => server.listen(0, "127.0.0.1", listening));
  origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  browser = await chromium.launch({
    executablePath: chromiumPath(),
    args: chromiumArgs,
    ignoreDefaultArgs: ["--disable-back-forward-cache"],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  server?.close();
});

describe("webLock and the back/forward cache (real Chromium, bfcache on)", () => {
  it("a page cached mid-block releases the lock to the waiting tab, and its block learns it", async () => {
    const context = await browser.newContext();
    const [a, b] = [await context.newPage(), await context.newPage()];
    await a.goto(`${origin}/a`);
    await a.evaluate(() => (globalThis as unknown as Page).hold("shared"));
    await b.goto(`${origin}/b`);
    const taking = b.evaluate(() => (globalThis as unknown as Page).take("shared"));
    await b.waitForFunction(async () => (await navigator.locks.query()).pending?.some((l) => l.name === "shared"));
    await a.goto(`${origin}/elsewhere`); // A goes into the bfcache with its block still running
    expect(await taking).toBe("granted"); // before: B waited for as long as A slept in the cache
    await a.goBack({ waitUntil: "commit" });
    await a.waitForFunction(() => (globalThis as unknown as Page).log.includes("pageshow persisted=true"));
    const message = 'The lock "shared" was released because the page entered the back/forward cache';
    expect(await a.evaluate(() => (globalThis as unknown as Page).log)).toEqual([
      "pageshow persisted=false",
      "pagehide persisted=true", // it did enter the cache: and came back from it, below
      `signal: ${message}`,
      `exit threw: ${message} while held, so the block did not run exclusively. Watch the block's signal to stop early.`,
      "pageshow persisted=true",
    ]);
    await context.close();
  }, 60_000);
});

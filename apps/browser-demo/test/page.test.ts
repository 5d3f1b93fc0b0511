// Drives the built page in real headless Chromium (Debian's, through Playwright), as a user would,
// and checks what IndexedDB and the Web Locks API say afterwards.
import { fileURLToPath } from "node:url";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright";
import { preview, type PreviewServer } from "vite";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { chromiumArgs, chromiumPath } from "../../../vitest.browser.ts";

type Demo = {
  demo: { saveDraft(o?: object): Promise<void>; stored(): Promise<string[]>; saveLog(): Promise<string[]> };
};
declare const window: Window & Demo & { proceed?: () => void };

let server: PreviewServer;
let browser: Browser;
let context: BrowserContext;
let url = "";
const errors: string[] = [];

beforeAll(async () => {
  server = await preview({
    root: fileURLToPath(new URL("..", import.meta.url)),
    preview: { port: 0, host: "127.0.0.1" },
    logLevel: "silent",
  });
  url = server.resolvedUrls!.local[0]!;
  browser = await chromium.launch({ executablePath: chromiumPath(), args: chromiumArgs, headless: true });
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});
beforeEach(async () => {
  context = await browser.newContext(); // fresh IndexedDB and locks for each test
});
afterEach(async () => {
  await context.close();
  expect(errors.splice(0)).toEqual([]); // no uncaught error on any page
});

async function open(name = "page"): Promise<Page> {
  const page = await context.newPage();
  page.on("pageerror", (error) => errors.push(`${name}: ${error.message}`));
  await page.goto(`${url}?page=${name}`);
  await page.waitForSelector("body[data-ready]");
  return page;
}

async function add(page: Page, ...items: string[]) {
  for (const item of items) {
    await page.fill("#text", item);
    await page.click("#add button");
  }
}

describe("browser-demo in real Chromium", () => {
  it("replays the classic examples on the page and in the console", async () => {
    const page = await context.newPage();
    const console: string[] = [];
    page.on("console", (message) => message.type() === "log" && console.push(message.text()));
    await page.goto(url);
    await page.waitForSelector("body[data-ready]");
    const lines = (await page.textContent("#classic"))!.trim().split("\n");
    expect(lines.slice(0, 8)).toEqual([
      "1. enter → body → exit",
      "enter",
      "within the manager",
      "exit",
      "2. the body throws: the exit still runs, and the error still surfaces",
      "enter",
      "within the manager",
      "exit",
    ]);
    expect(lines).toContain("caught: something went wrong in the body");
    expect(lines.join("\n")).toContain("got a Promise (did you forget to await it?)");
    expect(lines.join("\n")).toContain("[aenter] but no [aexit]");
    expect(lines.join("\n")).toContain(
      "Expected a fresh contextManager() manager, got one already entered: managers are single-use",
    );
    expect(lines.join("\n")).not.toContain("!! no error");
    expect(console).toEqual(lines);
  });

  it("a failing save leaves the store exactly as it was, shows the error, and frees the lock", async () => {
    const page = await open();
    await add(page, "milk", "eggs");
    await page.click("#save");
    await expect.poll(() => page.textContent("#status")).toBe("saved 2 items");
    expect(await page.evaluate(() => window.demo.stored())).toEqual(["milk", "eggs"]);

    await add(page, "bread", "jam", "tea");
    await page.click("#save-fail");
    await expect
      .poll(() => page.textContent("#status"))
      .toBe("The save failed and nothing was changed: the save failed halfway, after 2 of 5 items");
    expect(await page.getAttribute("#status", "class")).toBe("error");
    expect(await page.evaluate(() => window.demo.stored())).toEqual(["milk", "eggs"]);
    expect(await page.locator("#stored li").allTextContents()).toEqual(["milk", "eggs"]);

    const other = await open("other");
    const free = await other.evaluate(() =>
      navigator.locks.request("todos-save", { ifAvailable: true }, (lock) => lock !== null),
    );
    expect(free).toBe(true); // a second page gets the lock at once
  });

  it("two pages saving at once never interleave: the lock serialises them", async () => {
    const [a, b] = [await open("A"), await open("B")];
    await add(a, "from A 1", "from A 2");
    await add(b, "from B 1", "from B 2", "from B 3");
    const held = (page: Page) =>
      page.evaluate(async () => (await navigator.locks.query()).held!.some((l) => l.name === "todos-save"));
    const waiting = (page: Page) =>
      page.evaluate(async () => (await navigator.locks.query()).pending!.some((l) => l.name === "todos-save"));

    // A takes the lock and stays inside it until told to go on; B then tries to save.
    const savingA = a.evaluate(() =>
      window.demo.saveDraft({ holding: () => new Promise<void>((resolve) => (window.proceed = resolve)) }),
    );
    await expect.poll(() => held(a)).toBe(true);
    const savingB = b.evaluate(() => window.demo.saveDraft());
    await expect.poll(() => waiting(b)).toBe(true);
    expect(await b.evaluate(() => window.demo.saveLog())).toEqual(["A start"]); // B has not started
    await a.evaluate(() => window.proceed!());
    await Promise.all([savingA, savingB]);

    expect(await a.evaluate(() => window.demo.saveLog())).toEqual(["A start", "A end", "B start", "B end"]);
    expect(await a.evaluate(() => window.demo.stored())).toEqual(["from B 1", "from B 2", "from B 3"]);
    expect(await a.textContent("#status")).toBe("saved 2 items");
    expect(await b.textContent("#status")).toBe("saved 3 items");
  });
});

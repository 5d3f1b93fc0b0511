// The API site `npm run docs` builds (TypeDoc over every package, docs/site): TypeDoc itself fails the
// build on an undocumented export or a broken {@link} (typedoc.json: validation, treatWarningsAsErrors).
// This checks the built pages: every link inside the site lands on a page and an anchor that exist,
// and in real Chromium the first page is the three-step guide, the search finds an export, and an
// export's page shows its example.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import { dirname, extname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser } from "playwright";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumArgs, chromiumPath } from "../../vitest.browser.ts";

const site = fileURLToPath(new URL("../../docs/site/", import.meta.url));
const pages = existsSync(site) ? walk(site).filter((f) => f.endsWith(".html")) : [];

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
  );
}

describe("the built site", () => {
  it("has a page for every package", () => {
    expect(pages.length, "docs/site is built by `npm run docs` (npm test builds it first)").toBeGreaterThan(0);
    const modules = readFileSync(join(site, "modules.html"), "utf8");
    for (const name of ["core", "node", "browser", "edge", "otel", "postgres"])
      expect(modules).toContain(`@asyncwith/${name}`);
  });

  it("links only to pages and anchors that exist", () => {
    const ids = new Map<string, Set<string>>();
    const idsOf = (file: string) => {
      if (!ids.has(file))
        ids.set(file, new Set([...readFileSync(file, "utf8").matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]!)));
      return ids.get(file)!;
    };
    const broken: string[] = [];
    for (const page of pages) {
      const html = readFileSync(page, "utf8");
      for (const [, href] of html.matchAll(/\shref="([^"]+)"/g)) {
        if (/^(https?:|mailto:|data:)/.test(href!)) continue; // outside the site
        const [path, anchor] = href!.split("#");
        const target = path ? join(dirname(page), decodeURIComponent(path)) : page;
        if (!existsSync(target)) broken.push(`${relative(site, page)} → ${href} (no such file)`);
        // Anchors into pages (not into the SVG sprite): the id must be on the target page.
        else if (anchor && extname(target) === ".html" && !idsOf(target).has(decodeURIComponent(anchor)))
          broken.push(`${relative(site, page)} → ${href} (no such anchor)`);
      }
    }
    expect(broken).toEqual([]);
  });
});

describe("the site in Chromium", () => {
  let browser: Browser | undefined;
  let server: ReturnType<typeof createServer> | undefined;
  let url = "";
  beforeAll(async () => {
    server = createServer((request, response) => {
      const file = join(site, decodeURIComponent(new URL(request.url!, "http://x").pathname));
      if (!file.startsWith(site) || !existsSync(file)) return response.writeHead(404).end();
      const type = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml" };
      response.writeHead(200, {
        "content-type": type[extname(file) as keyof typeof type] ?? "application/octet-stream",
      });
      response.end(readFileSync(file));
    });
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const { chromium } = await import("playwright");
    browser = await chromium.launch({ executablePath: chromiumPath(), headless: true, args: chromiumArgs });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    server?.close();
  });

  it("opens on the three-step guide, with its examples", async () => {
    const page = await browser!.newPage();
    await page.goto(`${url}/index.html`);
    await expect.poll(() => page.locator("h1, h2").allTextContents()).toContain("Your first manager in three steps");
    const code = (await page.locator("pre").allTextContents()).join("\n");
    expect(code).toContain("contextManager(async function*");
    expect(code).toContain("await using work = await enter(");
    await page.close();
  });

  it("finds an export by its name through the search box", async () => {
    const page = await browser!.newPage();
    await page.goto(`${url}/index.html`);
    await page.click("#tsd-search-trigger");
    await page.fill("#tsd-search-input", "TaskGroup");
    const results = page.locator("#tsd-search-results a");
    await expect
      .poll(() => results.allTextContents(), { timeout: 10_000 })
      .toContainEqual(expect.stringContaining("TaskGroup"));
    await results.filter({ hasText: "TaskGroup" }).first().click();
    await expect.poll(() => page.url()).toContain("TaskGroup");
    expect(await page.locator("h1").textContent()).toContain("TaskGroup");
    await page.close();
  });

  it("shows an export's @example on its page", async () => {
    const file = pages.find((p) => /functions\/_asyncwith_core\.index\.asyncWith\.html$/.test(p));
    expect(file, "a page for core's asyncWith").toBeTruthy();
    const page = await browser!.newPage();
    await page.goto(`${url}/${relative(site, file!)}`);
    expect(await page.locator("h4, h3").allTextContents()).toContainEqual(expect.stringMatching(/Example/));
    expect((await page.locator("pre").allTextContents()).join("\n")).toContain("asyncWith(");
    await page.close();
  });
});

// The API site's checks (scripts/docs/site.test.ts), run by `npm test` after `typedoc` built it.
import { defineConfig } from "vitest/config";
import { reportAs } from "../../vitest.shared.ts";

export default defineConfig({
  test: {
    root: new URL(".", import.meta.url).pathname,
    include: ["site.test.ts"],
    ...reportAs("docs site (chromium)"),
  },
});

// Shared by every package whose tests also run in real Chromium (vitest browser mode with
// Playwright's provider and Debian's chromium; `npx playwright install` cannot download here).
import { execFileSync } from "node:child_process";
import { playwright } from "@vitest/browser-playwright";

/** Debian's chromium (or CHROMIUM_PATH): Playwright cannot download its own browser here. */
export function chromiumPath(): string {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) return fromEnv;
  try {
    return execFileSync("sh", ["-c", "command -v chromium"], { encoding: "utf8" }).trim();
  } catch {
    throw new Error(
      "Expected a Chromium for the browser tests, got none: install Debian's `chromium` (apt-get install chromium) or set CHROMIUM_PATH to a Chromium binary. `npm test` installs it when it can.",
    );
  }
}

/** Flags for headless Chromium as root on a closed network (no sandbox, no background traffic). */
export const chromiumArgs = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

/** vitest browser mode in real headless Chromium, through Playwright. */
export function chromium() {
  return {
    enabled: true,
    headless: true,
    provider: playwright({
      launchOptions: {
        executablePath: chromiumPath(),
        args: chromiumArgs,
      },
    }),
    instances: [{ browser: "chromium" as const }],
    // A failing test's error says what failed; a screenshot of a blank test page adds nothing and
    // would land in the repository.
    screenshotFailures: false,
  };
}

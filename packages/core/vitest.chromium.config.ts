// The core's runtime-agnostic tests, unchanged, inside real headless Chromium.
import { defineConfig } from "vitest/config";
import { chromium } from "../../vitest.browser.ts";
import { agnostic } from "./vitest.agnostic.ts";

export default defineConfig({ test: { ...agnostic("chromium"), browser: chromium() } });

// The conformance suite on PGlite (in Node here, in Chromium with vitest.chromium.config.ts).
import { testConformance } from "./suites/conformance.ts";
import { pglite } from "./suites/pglite.ts";

testConformance(pglite);

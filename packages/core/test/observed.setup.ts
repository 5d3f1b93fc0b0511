// The lifecycle suite again, with someone watching: an observer that does nothing and leak
// detection on, for every test (vitest.observed.config.ts). Observing may report; it may not change
// what a block does. Every test of this suite asserts outcomes, values and exit calls, so running
// them twice — unwatched and watched — is the differential: the same assertions must hold.
import { afterAll, afterEach, expect } from "vitest";
import { failOnUnhandledRejections } from "../../../test-setup/no-unhandled-rejections.ts";
import { detectLeaks, observe } from "../src/index.js";

failOnUnhandledRejections(afterEach);
const stopObserving = observe({});
const leaks: string[] = [];
const stopLeaks = detectLeaks({ warn: (message) => void leaks.push(message) });
afterAll(() => {
  stopObserving();
  stopLeaks();
  expect(leaks).toEqual([]); // leak detection saw no false leak in this file
});

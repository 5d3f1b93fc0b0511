// advisoryLock() on PGlite: the shared suite (suites/advisory-lock.ts), which the server run repeats with pg.
import { testAdvisoryLock } from "./suites/advisory-lock.ts";
import { pglite } from "./suites/pglite.ts";

testAdvisoryLock(pglite);

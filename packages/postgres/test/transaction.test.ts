// transaction() on PGlite: the shared suite (suites/transaction.ts), which the server run repeats with pg.
import { testTransaction } from "./suites/transaction.ts";
import { pglite } from "./suites/pglite.ts";

testTransaction(pglite);

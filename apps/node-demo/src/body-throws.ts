// Run as its own process by the demo: the body throws, the exit still runs, and the error
// surfaces as an uncaught rejection — so this process prints it and exits non-zero.
import { asyncWith } from "@asyncwith/core";
import { managed } from "./managed.js";

await asyncWith(managed(console.log), () => {
  console.log("within the manager");
  throw new Error("something went wrong in the body");
});

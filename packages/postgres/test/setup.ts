import { afterEach } from "vitest";
import { failOnUnhandledRejections } from "../../../test-setup/no-unhandled-rejections.ts";

failOnUnhandledRejections(afterEach);

import { expect, it } from "vitest";
import { testSize } from "../../../test-setup/size.ts";

testSize({ it, expect }, "@asyncwith/otel", 200);

import { managerName } from "./symbols.js";

/** The name a manager goes by: its `managerName`, else its class's, else "manager". */
export function nameOf(manager: unknown): string {
  const own = (manager as { [managerName]?: unknown } | null)?.[managerName];
  if (typeof own === "string") return own;
  const target = (manager as { target?: unknown; dispose?: unknown } | null)?.dispose
    ? (manager as { target: unknown }).target
    : manager;
  const name = (target as { constructor?: { name?: string } } | null)?.constructor?.name;
  return name && name !== "Object" && name !== "Function" ? name : "manager";
}

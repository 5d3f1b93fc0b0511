// The few web-standard globals the core uses. Node, browsers, Deno, Bun and workerd all have them;
// declaring just these (instead of lib "DOM" or @types/node) keeps every other runtime API out of
// the core at compile time. Not emitted: consumers get these types from their own environment.
interface AbortSignal {
  readonly aborted: boolean;
  readonly reason: any;
  throwIfAborted(): void;
  addEventListener(type: "abort", listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: "abort", listener: () => void): void;
}
declare var AbortSignal: { prototype: AbortSignal; any(signals: AbortSignal[]): AbortSignal };
interface AbortController {
  readonly signal: AbortSignal;
  abort(reason?: any): void;
}
declare var AbortController: { prototype: AbortController; new (): AbortController };
interface DOMException extends Error {}
declare var DOMException: { prototype: DOMException; new (message?: string, name?: string): DOMException };
declare function setTimeout(callback: () => void, ms?: number): unknown;
declare function clearTimeout(id: unknown): void;
declare function queueMicrotask(callback: () => void): void;
declare var performance: { now(): number };
declare var console: { error(...data: unknown[]): void; warn(...data: unknown[]): void };

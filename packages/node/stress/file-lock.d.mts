export interface StressResult {
  ok: boolean;
  workers: number;
  increments: number;
  kills: number;
  freezes: number;
  counter: number;
  reported: number;
  unreported: number;
  missing: number;
  doubled: number;
  overlaps: number;
  failures: number;
}
export function stress(options?: {
  workers?: number;
  increments?: number;
  kills?: number;
  freezes?: number;
}): Promise<StressResult>;

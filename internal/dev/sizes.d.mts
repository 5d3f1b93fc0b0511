export interface Size {
  label: string;
  exports: Record<string, string[] | "*">;
  external?: string[];
  platform?: "neutral" | "node" | "browser";
  budget?: number;
  goal?: number;
}
export declare const sizes: Size[];
export declare function measure(size: Pick<Size, "exports" | "external" | "platform">): Promise<number>;
export declare function measureAll(): Promise<Array<Record<string, unknown>>>;

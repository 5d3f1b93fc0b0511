export function postgresBin(): string;
export function startCluster(): { config: { host: string; user: string; database: string; bin: string }; stop(): void };

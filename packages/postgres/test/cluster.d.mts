type Config = { host: string; user: string; database: string; bin: string; data: string };
export function postgresBin(): string;
export function startCluster(): { config: Config; stop(): void };
export function restartCluster(config: Config): void;

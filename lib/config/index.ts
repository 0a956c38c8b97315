export * from './schema';
export { ConfigError, CONFIG_FILE_KEY, loadConfig } from './load';
export { GPU_MEMORY_GB, modelServerWorkers, WORKER_GPU_MEMORY_GB } from './model-server';

export * from './schema';
export { ConfigError, CONFIG_FILE_KEY, loadConfig } from './load';

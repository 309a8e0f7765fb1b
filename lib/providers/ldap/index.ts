export * from './escape.js';
export * from './client.js';

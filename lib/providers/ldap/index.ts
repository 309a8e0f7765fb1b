export * from './escape.js';
export * from './client.js';
export * from './controls.js';
export * from './extended.js';

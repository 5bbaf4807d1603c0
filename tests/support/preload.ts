import { afterAll } from 'bun:test';
import { stopSystem } from './system';

// Registered before any test file: runs once after the last one, whichever files started the system.
afterAll(async () => {
  await stopSystem();
});

import { Router } from 'express';
import type { Services } from '../app';

/** Compare two artists, or your taste with an artist (issue #7, item 2). */
export function compareRouter(_services: Services): Router {
  const router = Router();
  return router;
}

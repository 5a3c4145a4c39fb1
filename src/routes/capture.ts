import { Router } from 'express';
import type { Services } from '../app';

/** Live capture of recently played tracks into the history store (issue #7, item 3). */
export function captureRouter(_services: Services): Router {
  const router = Router();
  return router;
}

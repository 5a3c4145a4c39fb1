import { Router } from 'express';
import type { Services } from '../app';

/** Public, revocable yearly summary links with an Open Graph image (issue #7, item 7). */
export function shareRouter(_services: Services): Router {
  const router = Router();
  return router;
}

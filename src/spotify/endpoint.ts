import { SPOTIFY_ID_PATTERN } from './ids';
/** Path template for metrics and logs: ids replaced, query dropped ("GET /v1/albums/{id}"). */
export function endpointTemplate(method: string, url: string): string {
  const pathname = url.replace(/^https?:\/\/[^/]+/, '').split('?')[0];
  return `${method.toUpperCase()} ${pathname.replace(new RegExp(`/${SPOTIFY_ID_PATTERN}(?=/|$)`, 'g'), '/{id}')}`;
}

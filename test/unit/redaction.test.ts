import { redactUrl } from '../../src/logger';
import { endpointTemplate } from '../../src/spotify/endpoint';

describe('redactUrl', () => {
  it('hides OAuth codes, state and tokens in logged URLs', () => {
    expect(redactUrl('/auth/spotify/callback?code=AQBsecret&state=abc123')).toBe('/auth/spotify/callback?code=[redacted]&state=[redacted]');
    expect(redactUrl('/x?a=1&access_token=zzz&b=2')).toBe('/x?a=1&access_token=[redacted]&b=2');
    expect(redactUrl('/search?q=code')).toBe('/search?q=code');
  });
});

describe('endpointTemplate', () => {
  it('replaces Spotify ids and drops the query', () => {
    expect(endpointTemplate('get', 'http://127.0.0.1:5002/v1/albums/4aawyAB9vmqN3uQ7FjRGTy/tracks?offset=50')).toBe(
      'GET /v1/albums/{id}/tracks',
    );
    expect(endpointTemplate('GET', '/v1/albums?ids=a,b')).toBe('GET /v1/albums');
  });
});

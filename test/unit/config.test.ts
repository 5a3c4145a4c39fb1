import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { ConfigError, loadConfig } from '../../src/config';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sda-config-'));

describe('loadConfig', () => {
  it('defaults to demo mode on 127.0.0.1:5001 with the sandbox URLs and embedded DynamoDB', () => {
    const c = loadConfig({ DATA_DIR: dataDir });
    expect(c.port).toBe(5001);
    expect(c.host).toBe('127.0.0.1');
    expect(c.demoMode).toBe(true);
    expect(c.callbackUrl).toBe('http://127.0.0.1:5001/auth/spotify/callback');
    expect(c.spotify.accountsUrl).toBe('http://127.0.0.1:5002');
    expect(c.spotify.apiUrl).toBe('http://127.0.0.1:5002/v1');
    expect(c.spotify.clientId).toBe('sandbox-client');
    expect(c.dynamo.embedded).toBe(true);
    expect(c.sessionSecret.length).toBeGreaterThanOrEqual(32);
  });

  it('keeps the generated demo secret in DATA_DIR so sessions survive restarts', () => {
    expect(loadConfig({ DATA_DIR: dataDir }).sessionSecret).toBe(loadConfig({ DATA_DIR: dataDir }).sessionSecret);
  });

  it('uses Spotify when credentials are set and then requires SESSION_SECRET', () => {
    expect(() => loadConfig({ DATA_DIR: dataDir, SPOTIFY_CLIENT_ID: 'id', SPOTIFY_CLIENT_SECRET: 'secret' })).toThrow(
      /SESSION_SECRET/,
    );
    const c = loadConfig({ SPOTIFY_CLIENT_ID: 'id', SPOTIFY_CLIENT_SECRET: 'secret', SESSION_SECRET: 'x'.repeat(40), AWS_REGION: 'eu-west-1' });
    expect(c.demoMode).toBe(false);
    expect(c.spotify.accountsUrl).toBe('https://accounts.spotify.com');
    expect(c.spotify.apiUrl).toBe('https://api.spotify.com/v1');
    expect(c.dynamo.embedded).toBe(false);
  });

  it.each([
    [{ PORT: 'abc' }, /^Invalid configuration: PORT: .*"abc"/],
    [{ PORT: '70000' }, /^Invalid configuration: PORT/],
    [{ PUBLIC_URL: 'not a url' }, /^Invalid configuration: PUBLIC_URL/],
    [{ SPOTIFY_API_PROFILE: 'turbo' }, /^Invalid configuration: SPOTIFY_API_PROFILE/],
    [{ FEATURES_PROVIDER: 'magic' }, /^Invalid configuration: FEATURES_PROVIDER/],
    [{ LOG_LEVEL: 'loud' }, /^Invalid configuration: LOG_LEVEL/],
    [{ SESSION_SECRET: 'short' }, /^Invalid configuration: SESSION_SECRET: must be at least 32 characters \(got "\*\*\*"\)$/],
    [{ SPOTIFY_CLIENT_ID: 'only-id' }, /^Invalid configuration: SPOTIFY_CLIENT_SECRET/],
    [{ DYNAMODB_TABLE_PREFIX: 'bad prefix!' }, /^Invalid configuration: DYNAMODB_TABLE_PREFIX/],
  ])('rejects %j with one line naming the variable', (env, pattern) => {
    let error: unknown;
    try {
      loadConfig({ DATA_DIR: dataDir, ...env });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(pattern);
    expect((error as Error).message).not.toContain('\n');
  });

  it('derives URLs from PUBLIC_URL and never leaves a trailing slash', () => {
    const c = loadConfig({ DATA_DIR: dataDir, PUBLIC_URL: 'https://stats.example.org/' });
    expect(c.callbackUrl).toBe('https://stats.example.org/auth/spotify/callback');
  });
});

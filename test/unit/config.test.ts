import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { keptSecret } from '../../src/bootstrap';
import { ConfigError, loadConfig, readEnvironment, resolveConfig } from '../../src/config';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sda-config-'));

describe('loadConfig', () => {
  const demoSecret = 'demo-secret-that-is-long-enough-0123456789';

  it('defaults to demo mode on 127.0.0.1:5001 with the sandbox URLs and embedded DynamoDB', () => {
    const c = loadConfig({ DATA_DIR: dataDir }, { generatedSecret: demoSecret });
    expect(c.port).toBe(5001);
    expect(c.host).toBe('127.0.0.1');
    expect(c.demoMode).toBe(true);
    expect(c.callbackUrl).toBe('http://127.0.0.1:5001/auth/spotify/callback');
    expect(c.spotify.accountsUrl).toBe('http://127.0.0.1:5002');
    expect(c.spotify.apiUrl).toBe('http://127.0.0.1:5002/v1');
    expect(c.spotify.clientId).toBe('sandbox-client');
    expect(c.dynamo.embedded).toBe(true);
    expect(c.sessionSecret).toBe(demoSecret);
  });

  it('parses without touching the disk: demo mode without SESSION_SECRET leaves the secret to start-up', () => {
    const dir = path.join(dataDir, 'never-created');
    const settings = readEnvironment({ DATA_DIR: dir });
    expect(settings.sessionSecret).toBeUndefined();
    expect(fs.existsSync(dir)).toBe(false);
    expect(() => resolveConfig(settings)).toThrow(/SESSION_SECRET/);
  });

  it('start-up keeps the generated demo secret in DATA_DIR (mode 0600) so sessions survive restarts', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sda-secret-'));
    const first = keptSecret(dir);
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(keptSecret(dir)).toBe(first);
    expect(fs.statSync(path.join(dir, 'session-secret')).mode & 0o777).toBe(0o600);
  });

  it('is frozen after parsing and after resolving', () => {
    const settings = readEnvironment({ DATA_DIR: dataDir });
    const c = resolveConfig(settings, { generatedSecret: demoSecret });
    expect(Object.isFrozen(settings) && Object.isFrozen(settings.spotify)).toBe(true);
    expect(Object.isFrozen(c) && Object.isFrozen(c.spotify) && Object.isFrozen(c.rateLimits)).toBe(true);
    expect(() => {
      (c.spotify as { apiUrl: string }).apiUrl = 'http://evil.example';
    }).toThrow(TypeError);
  });

  it('points the default sandbox URLs and the OAuth callback at the ports start-up got for SANDBOX_PORT=0 and PORT=0', () => {
    const settings = readEnvironment({ DATA_DIR: dataDir, PORT: '0', SANDBOX_PORT: '0', RECCOBEATS_URL: 'https://recco.example' });
    const c = resolveConfig(settings, { generatedSecret: demoSecret, sandboxUrl: 'http://127.0.0.1:41234', listenUrl: 'http://127.0.0.1:40000' });
    expect(c.spotify.accountsUrl).toBe('http://127.0.0.1:41234');
    expect(c.spotify.apiUrl).toBe('http://127.0.0.1:41234/v1');
    expect(c.genres.musicbrainzUrl).toBe('http://127.0.0.1:41234/musicbrainz');
    expect(c.features.reccobeatsUrl).toBe('https://recco.example');
    expect(c.publicUrl).toBe('http://127.0.0.1:40000');
    expect(c.callbackUrl).toBe('http://127.0.0.1:40000/auth/spotify/callback');
    expect(settings.spotify.apiUrl).toBe('http://127.0.0.1:0/v1');
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
    [{ SPOTIFY_MARKET: 'usa' }, /^Invalid configuration: SPOTIFY_MARKET: an ISO 3166-1 alpha-2 country code/],
    [{ FEATURES_PROVIDER: 'magic' }, /^Invalid configuration: FEATURES_PROVIDER/],
    [{ LOG_LEVEL: 'loud' }, /^Invalid configuration: LOG_LEVEL/],
    [{ SESSION_SECRET: 'short' }, /^Invalid configuration: SESSION_SECRET: must be at least 32 characters \(got "\*\*\*"\)$/],
    [{ SPOTIFY_CLIENT_ID: 'only-id' }, /^Invalid configuration: SPOTIFY_CLIENT_SECRET/],
    [{ DYNAMODB_TABLE_PREFIX: 'bad prefix!' }, /^Invalid configuration: DYNAMODB_TABLE_PREFIX/],
  ])('rejects %j with one line naming the variable', (env, pattern) => {
    let error: unknown;
    try {
      loadConfig({ DATA_DIR: dataDir, ...env }, { generatedSecret: demoSecret });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(pattern);
    expect((error as Error).message).not.toContain('\n');
  });

  it('derives URLs from PUBLIC_URL and never leaves a trailing slash', () => {
    const c = loadConfig({ DATA_DIR: dataDir, PUBLIC_URL: 'https://stats.example.org/' }, { generatedSecret: demoSecret });
    expect(c.callbackUrl).toBe('https://stats.example.org/auth/spotify/callback');
  });
});

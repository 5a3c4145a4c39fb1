import request from 'supertest';
import type { Express } from 'express';

export const CLIENT_ID = 'sandbox-client';
export const CLIENT_SECRET = 'sandbox-secret';
export const REDIRECT_URI = 'http://127.0.0.1:5001/auth/spotify/callback';
export const ALL_SCOPES = 'user-top-read user-read-recently-played user-read-private user-read-email';

export const basic = (id = CLIENT_ID, secret = CLIENT_SECRET): string =>
  `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

/** Approves the consent form as `listener` and returns the authorization code. */
export async function authorize(app: Express, listener = 'ava.demo', scope = ALL_SCOPES, redirectUri = REDIRECT_URI): Promise<string> {
  const res = await request(app).post('/authorize').type('form')
    .send({ client_id: CLIENT_ID, redirect_uri: redirectUri, scope, state: 'st4te', listener, decision: 'approve' })
    .expect(302);
  const location = new URL(res.headers.location as string);
  const code = location.searchParams.get('code');
  if (!code) throw new Error(`no code in ${location.toString()}`);
  return code;
}

export interface UserTokens { access_token: string; refresh_token: string; expires_in: number; scope: string }

export async function userToken(app: Express, listener = 'ava.demo', scope = ALL_SCOPES): Promise<UserTokens> {
  const code = await authorize(app, listener, scope);
  const res = await request(app).post('/api/token').set('Authorization', basic()).type('form')
    .send({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI }).expect(200);
  return res.body as UserTokens;
}

export async function appToken(app: Express): Promise<string> {
  const res = await request(app).post('/api/token').set('Authorization', basic()).type('form')
    .send({ grant_type: 'client_credentials' }).expect(200);
  return res.body.access_token as string;
}

export const bearer = (token: string): [string, string] => ['Authorization', `Bearer ${token}`];

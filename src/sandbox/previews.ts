/**
 * Preview clips for the string preview_url the quirks send: one second of silent MPEG audio, so a
 * player pointed at a sandbox preview plays (nothing) instead of failing on a 404.
 */
import type { Request, Response } from 'express';
import { BASE62_ID } from './random';

// MPEG-1 Layer III, 128 kbit/s, 44.1 kHz, joint stereo: 417-byte frames of 1152 samples each.
// A zeroed body (no side info, no main data) decodes as silence.
const FRAME_BYTES = 417;
const FRAMES_PER_SECOND = 39;
let silence: Buffer | undefined;

function silentSecond(): Buffer {
  if (!silence) {
    const frame = Buffer.alloc(FRAME_BYTES);
    frame.set([0xff, 0xfb, 0x90, 0x44]);
    silence = Buffer.concat(Array.from({ length: FRAMES_PER_SECOND }, () => frame));
  }
  return silence;
}

export function previewHandler(req: Request, res: Response): void {
  const m = /^([0-9A-Za-z]{22})\.mp3$/.exec(String(req.params.file));
  if (!m || !BASE62_ID.test(m[1])) {
    res.status(404).json({ error: { status: 404, message: 'Preview not found' } });
    return;
  }
  res.type('audio/mpeg').set('Cache-Control', 'public, max-age=86400').send(silentSecond());
}

import { crc32, inflateSync } from 'node:zlib';

/** A decoded PNG: `data` holds `channels` bytes per pixel, rows top to bottom, no filter bytes. */
export interface Png {
  width: number;
  height: number;
  channels: 3 | 4;
  data: Buffer;
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * Decodes the PNGs a browser writes for screenshots: 8-bit RGB or RGBA, not interlaced, any of the
 * five row filters. Anything else is rejected with a message saying what it was.
 */
export function decodePng(buf: Buffer): Png {
  if (buf.length < 8 || !buf.subarray(0, 8).equals(SIGNATURE)) throw new Error('not a PNG (bad signature)');
  let width = 0, height = 0, channels: 3 | 4 = 3, seenHeader = false;
  const idat: Buffer[] = [];
  for (let at = 8; at + 12 <= buf.length;) {
    const len = buf.readUInt32BE(at);
    const type = buf.toString('latin1', at + 4, at + 8);
    const body = buf.subarray(at + 8, at + 8 + len);
    if (body.length !== len) throw new Error(`PNG chunk ${type} is truncated`);
    if (buf.readUInt32BE(at + 8 + len) !== crc32(buf.subarray(at + 4, at + 8 + len))) throw new Error(`PNG chunk ${type} has a bad CRC`);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      const depth = body[8]!, color = body[9]!, interlace = body[12]!;
      if (depth !== 8 || (color !== 2 && color !== 6)) throw new Error(`unsupported PNG: bit depth ${depth}, colour type ${color} (only 8-bit RGB or RGBA)`);
      if (interlace !== 0) throw new Error('unsupported PNG: interlaced');
      channels = color === 6 ? 4 : 3;
      seenHeader = true;
    } else if (type === 'IDAT') {
      idat.push(body);
    } else if (type === 'IEND') {
      break;
    }
    at += 12 + len;
  }
  if (!seenHeader) throw new Error('PNG without an IHDR chunk');
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  if (raw.length < height * (stride + 1)) throw new Error(`PNG data too short: ${raw.length} bytes for ${width}x${height}`);
  const data = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const src = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const row = y * stride, prev = row - stride;
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? data[row + i - channels]! : 0;
      const b = y > 0 ? data[prev + i]! : 0;
      const c = y > 0 && i >= channels ? data[prev + i - channels]! : 0;
      let p: number;
      switch (filter) {
        case 0: p = 0; break;
        case 1: p = a; break;
        case 2: p = b; break;
        case 3: p = (a + b) >> 1; break;
        case 4: p = paeth(a, b, c); break;
        default: throw new Error(`PNG row ${y}: unknown filter type ${filter}`);
      }
      data[row + i] = (src[i]! + p) & 0xff;
    }
  }
  return { width, height, channels, data };
}

export function paeth(a: number, b: number, c: number): number {
  const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

export function rgbOf(hex: string): [number, number, number] {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) throw new Error(`not a #rrggbb colour: ${hex}`);
  return [parseInt(m[1]!, 16), parseInt(m[2]!, 16), parseInt(m[3]!, 16)];
}

/** How many pixels are within `tolerance` of `rgb` on every channel (alpha ignored). */
export function countColor(img: Png, rgb: readonly [number, number, number], tolerance = 3): number {
  let n = 0;
  for (let i = 0; i < img.data.length; i += img.channels) {
    if (Math.abs(img.data[i]! - rgb[0]) <= tolerance && Math.abs(img.data[i + 1]! - rgb[1]) <= tolerance && Math.abs(img.data[i + 2]! - rgb[2]) <= tolerance) n++;
  }
  return n;
}

/**
 * A minimal PNG encoder (8-bit RGB, no interlace, filter 0 on every row) on Node's zlib, so that
 * the result scripts can embed raster pictures (density heatmaps, digit grids) in their SVGs as
 * data URIs without a new dependency and without one SVG rectangle per pixel.
 */
import { crc32, deflateSync } from 'node:zlib';

/** An RGB image: `rgb` holds width * height * 3 bytes, row by row from the top. */
export interface RgbImage {
  width: number;
  height: number;
  rgb: Uint8Array;
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0);
  return Buffer.concat([length, body, crc]);
}

/** The PNG file of an RGB image. */
export function encodePng(image: RgbImage): Buffer {
  const { width, height, rgb } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new Error(`PNG size must be positive integers, got ${width} x ${height}`);
  }
  if (rgb.length !== width * height * 3) throw new Error(`PNG of ${width} x ${height} needs ${width * height * 3} RGB bytes, got ${rgb.length}`);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: truecolour
  // compression 0, filter method 0, interlace 0: bytes 10-12 stay 0.
  const raw = Buffer.alloc(height * (1 + width * 3));
  for (let y = 0; y < height; y++) {
    const row = y * (1 + width * 3);
    raw[row] = 0; // filter type None
    raw.set(rgb.subarray(y * width * 3, (y + 1) * width * 3), row + 1);
  }
  return Buffer.concat([SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

/** `data:image/png;base64,...` of an RGB image, for an SVG `<image href>`. */
export function pngDataUri(image: RgbImage): string {
  return `data:image/png;base64,${encodePng(image).toString('base64')}`;
}

import { crc32, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodePng, type RgbImage } from './png';
import { heatmapImage, imageGrid, rasterPanels, viridis } from './raster';

/** Decodes what encodePng writes (RGB, filter 0 rows), checking the chunk CRCs: the round trip test. */
function decodePng(png: Buffer): RgbImage {
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  let at = 8;
  let width = 0;
  let height = 0;
  const idat: Buffer[] = [];
  const types: string[] = [];
  while (at < png.length) {
    const length = png.readUInt32BE(at);
    const type = png.toString('ascii', at + 4, at + 8);
    const data = png.subarray(at + 8, at + 8 + length);
    expect(png.readUInt32BE(at + 8 + length)).toBe(crc32(png.subarray(at + 4, at + 8 + length)) >>> 0);
    types.push(type);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      expect([data[8], data[9], data[10], data[11], data[12]]).toEqual([8, 2, 0, 0, 0]);
    }
    if (type === 'IDAT') idat.push(data);
    at += 12 + length;
  }
  expect(types).toEqual(['IHDR', 'IDAT', 'IEND']);
  const raw = inflateSync(Buffer.concat(idat));
  expect(raw.length).toBe(height * (1 + 3 * width));
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    expect(raw[y * (1 + 3 * width)]).toBe(0);
    rgb.set(raw.subarray(y * (1 + 3 * width) + 1, (y + 1) * (1 + 3 * width)), y * width * 3);
  }
  return { width, height, rgb };
}

function pixel(image: RgbImage, x: number, y: number): number[] {
  return [...image.rgb.subarray(3 * (y * image.width + x), 3 * (y * image.width + x) + 3)];
}

describe('encodePng', () => {
  it('round-trips the pixels of a non-square image through zlib', () => {
    const width = 3;
    const height = 2;
    const rgb = Uint8Array.from({ length: width * height * 3 }, (_, k) => (k * 37) % 256);
    const back = decodePng(encodePng({ width, height, rgb }));
    expect(back.width).toBe(3);
    expect(back.height).toBe(2);
    expect([...back.rgb]).toEqual([...rgb]);
  });

  it('rejects a byte count that does not match the size', () => {
    expect(() => encodePng({ width: 2, height: 2, rgb: new Uint8Array(11) })).toThrow(/needs 12 RGB bytes, got 11/);
    expect(() => encodePng({ width: 0, height: 2, rgb: new Uint8Array(0) })).toThrow(/positive integers/);
  });
});

describe('viridis', () => {
  it('runs from dark purple to yellow through the table stops and clamps outside [0, 1]', () => {
    expect(viridis(0)).toEqual([68, 1, 84]);
    expect(viridis(1)).toEqual([253, 231, 37]);
    expect(viridis(0.5)).toEqual([33, 145, 140]);
    // Halfway between the first two stops.
    expect(viridis(1 / 16)).toEqual([70, 23, 104]);
    expect(viridis(-3)).toEqual(viridis(0));
    expect(viridis(7)).toEqual(viridis(1));
    expect(viridis(NaN)).toEqual(viridis(0));
  });
});

describe('heatmapImage', () => {
  it('puts row j = 0 at the bottom, scales each node to a block and draws null as the low colour', () => {
    // 2 x 2 grid: bottom row [lo, hi], top row [null, mid].
    const image = heatmapImage(
      [
        [0, 10],
        [null, 5],
      ],
      0,
      10,
      2,
    );
    expect([image.width, image.height]).toEqual([4, 4]);
    expect(pixel(image, 0, 3)).toEqual(viridis(0)); // bottom left: 0
    expect(pixel(image, 3, 3)).toEqual(viridis(1)); // bottom right: 10
    expect(pixel(image, 2, 2)).toEqual(viridis(1)); // same block
    expect(pixel(image, 0, 0)).toEqual(viridis(0)); // top left: null
    expect(pixel(image, 3, 0)).toEqual(viridis(0.5)); // top right: 5
  });

  it('rejects ragged grids and an empty range', () => {
    expect(() => heatmapImage([[1, 2], [3]], 0, 1)).toThrow(/rectangular/);
    expect(() => heatmapImage([[1]], 1, 1)).toThrow(/hi > lo/);
  });
});

describe('imageGrid', () => {
  it('lays images out row by row with grey gaps, ink dark on white, clamping to [0, 1]', () => {
    // Three 2x2 images in 2 columns: a 2 x 2 grid with the last cell empty.
    const pixels = [0, 1, 0.5, 2, /* image 1 */ 1, 1, 1, 1, /* image 2 */ 0, 0, 0, -1];
    const image = imageGrid({ pixels, side: 2, cols: 2, scale: 1, gap: 1 });
    expect([image.width, image.height]).toEqual([2 * 2 + 3, 2 * 2 + 3]);
    expect(pixel(image, 0, 0)).toEqual([150, 150, 150]);
    expect(pixel(image, 1, 1)).toEqual([255, 255, 255]); // image 0, pixel (0, 0) = 0
    expect(pixel(image, 2, 1)).toEqual([0, 0, 0]); // image 0, pixel (1, 0) = 1
    expect(pixel(image, 1, 2)).toEqual([128, 128, 128]); // 0.5
    expect(pixel(image, 2, 2)).toEqual([0, 0, 0]); // 2 clamped to 1
    expect(pixel(image, 4, 1)).toEqual([0, 0, 0]); // image 1 starts after the gap
    expect(pixel(image, 2, 5)).toEqual([255, 255, 255]); // image 2, pixel (1, 1) = -1 clamped to 0
    expect(pixel(image, 4, 4)).toEqual([150, 150, 150]); // no fourth image
  });

  it('rejects a pixel count that is not whole images', () => {
    expect(() => imageGrid({ pixels: new Float32Array(65), side: 8, cols: 4 })).toThrow(/not a whole number of 8x8 images/);
  });
});

describe('rasterPanels', () => {
  const image = heatmapImage([[0, 1]], 0, 1, 10);

  it('embeds each panel as a PNG at its natural size, with its label, and maps points into the box', () => {
    const svg = rasterPanels({
      title: 'a <title>',
      panels: [
        { label: 'truth', image },
        { label: 'model', image, box: { xmin: 0, xmax: 2, ymin: 0, ymax: 1 }, points: [{ xy: [1, 0.5, 5, 5], color: '#f00' }] },
      ],
      colorBar: { lo: 0, hi: 1, label: 'log p' },
    });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('a &lt;title&gt;');
    expect(svg.match(/<image /g)?.length).toBe(3);
    expect(svg.match(/width="20" height="10" style="image-rendering:pixelated" href="data:image\/png;base64,/g)?.length).toBe(2);
    // Second panel at x0 = PAD + cellW = 12 + 32 = 44, y0 = 32 + 18 = 50: (1, 0.5) is its centre; (5, 5) is outside the box.
    expect(svg.match(/<circle /g)?.length).toBe(1);
    expect(svg).toContain('<circle cx="54" cy="55" r="1.5"/>');
    const uri = /href="data:image\/png;base64,([^"]+)"/.exec(svg)![1];
    expect([...decodePng(Buffer.from(uri, 'base64')).rgb]).toEqual([...image.rgb]);
  });

  it('needs a data box for points', () => {
    expect(() => rasterPanels({ title: 't', panels: [{ label: 'p', image, points: [{ xy: [0, 0], color: '#000' }] }] })).toThrow(/no data box/);
  });
});

import { describe, expect, it } from 'vitest';
import { barChart, escapeXml, formatTick, lineChart, linearTicks, logTicks, makeScale } from './svg';

describe('ticks and scales', () => {
  it('linear ticks step by 1, 2 or 5 times a power of ten', () => {
    expect(linearTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(linearTicks(0.4, 1)).toEqual([0.4, 0.6, 0.8, 1]);
    expect(linearTicks(3, 97)).toEqual([20, 40, 60, 80]);
  });

  it('log ticks: decades, with 2 and 5 when the range is short', () => {
    expect(logTicks(1, 1000)).toEqual([1, 10, 100, 1000]);
    expect(logTicks(1, 50)).toEqual([1, 2, 5, 10, 20, 50]);
  });

  it('a log axis widens to 1, 2 or 5 times a power of ten', () => {
    expect(makeScale({ label: 'x', log: true }, [1.3, 17], 0, 1).hi).toBe(20);
    expect(makeScale({ label: 'x', log: true }, [0.014, 0.26], 0, 1).lo).toBe(0.01);
    expect(makeScale({ label: 'x', log: true }, [0.014, 0.26], 0, 1).hi).toBe(0.5);
    expect(makeScale({ label: 'x', log: true }, [2, 128], 0, 1).lo).toBe(2);
  });

  it('a log scale maps the geometric midpoint to the pixel midpoint; a linear one the mean', () => {
    const log = makeScale({ label: 'x', log: true }, [1, 100], 0, 200);
    expect(log.map(10)).toBeCloseTo(100, 9);
    expect([log.lo, log.hi]).toEqual([1, 100]);
    const lin = makeScale({ label: 'y', min: 0, max: 1 }, [0.2], 400, 0);
    expect(lin.map(0.25)).toBeCloseTo(300, 9);
    expect(() => makeScale({ label: 'bad', log: true }, [1, 0], 0, 1)).toThrow(/log scale needs values > 0/);
  });

  it('formats ticks compactly', () => {
    expect([formatTick(0.5), formatTick(20), formatTick(1e-4), formatTick(2e6)]).toEqual(['0.5', '20', '1e-4', '2e6']);
  });
});

describe('charts', () => {
  it('lineChart: one circle per finite point, one path per drawn line, escaped labels, a legend entry per series', () => {
    const svg = lineChart({
      title: 'a < b & c',
      x: { label: 'D', log: true },
      y: { label: 'ms', log: true },
      series: [
        { label: 'sm', points: [{ x: 2, y: 1 }, { x: 8, y: 4 }, { x: 32, y: 16, yLow: 10, yHigh: 20 }] },
        { label: 'dsm', line: false, points: [{ x: 2, y: 1 }, { x: 8, y: NaN }] },
      ],
      references: [{ y: 2, label: 'ref' }],
    });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    // 4 finite points + the dot of the scatter series in the legend.
    expect(svg.match(/<circle /g)!.length).toBe(5);
    expect(svg.match(/stroke-width="2"/g)!.length).toBe(1 + 1); // the sm line + its legend swatch
    expect(svg).toContain('a &lt; b &amp; c');
    expect(svg).not.toContain('a < b');
    expect(svg).toContain('>sm</text>');
    expect(svg).toContain('>dsm</text>');
    expect(svg).toContain('>ref</text>');
  });

  it('lineChart with band: one closed translucent polygon through the upper then the lower edge, no error bars', () => {
    const svg = lineChart({
      title: 't',
      x: { label: 'x', min: 0, max: 2 },
      y: { label: 'y', min: 0, max: 4 },
      series: [{ label: 'a', band: true, points: [{ x: 0, y: 1, yLow: 0, yHigh: 2 }, { x: 2, y: 3, yLow: 2, yHigh: 4 }] }],
      width: 400,
      height: 300,
    });
    const bands = svg.match(/<path d="[^"]*Z" fill="#4e79a7" fill-opacity="0.18"/g) ?? [];
    expect(bands.length).toBe(1);
    // Frame: left 72, right 400 - 16 - legend width (34 + 6.5) = 343.5; top 40, bottom 248. y = 2 -> 144, 4 -> 40, 0 -> 248.
    expect(bands[0]).toContain('M72 144L343.5 40L343.5 144L72 248Z');
    expect(svg).not.toMatch(/h6M/);
  });

  it('barChart: one rect per present value plus background, frame and legend swatches', () => {
    const svg = barChart({
      title: 't',
      groups: ['a', 'b'],
      series: [
        { label: 's1', values: [1, 2] },
        { label: 's2', values: [3, null] },
      ],
      y: { label: 'v' },
    });
    // 3 bars + background + frame + 2 legend swatches.
    expect(svg.match(/<rect /g)!.length).toBe(7);
  });

  it('escapeXml', () => {
    expect(escapeXml('"<&>"')).toBe('&quot;&lt;&amp;&gt;&quot;');
  });
});

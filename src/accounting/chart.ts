import { fileURLToPath } from 'node:url';

/**
 * The digest's bar chart: SVG built here, rendered to PNG in-process by resvg with the DejaVu font
 * shipped in assets/fonts — no system fonts (they differ between machines), no downloads.
 */

export const CHART_FONTS = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'].map((f) => fileURLToPath(new URL(`../../assets/fonts/${f}`, import.meta.url)));
const FONT_FAMILY = 'DejaVu Sans';

export interface Bar {
  label: string;
  value: number;
}

export const CHART_LAYOUT = { width: 800, top: 56, row: 28, bottom: 20, labelWidth: 230, valueWidth: 90 } as const;

/** Pixel size of the chart for `bars` bars. */
export function chartSize(bars: number): { width: number; height: number } {
  const L = CHART_LAYOUT;
  return { width: L.width, height: L.top + Math.max(1, bars) * L.row + L.bottom };
}

function xml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

export function hoursChartSvg(bars: Bar[], title: string): string {
  const L = CHART_LAYOUT;
  const { width, height } = chartSize(bars.length);
  const max = Math.max(...bars.map((b) => b.value), 1e-9);
  const barArea = width - L.labelWidth - L.valueWidth - 20;
  const rows = bars.map((b, i) => {
    const y = L.top + i * L.row;
    const w = Math.max(b.value > 0 ? 2 : 0, Math.round((b.value / max) * barArea));
    return [
      `<text x="${L.labelWidth - 10}" y="${y + 18}" text-anchor="end" font-size="14">${xml(clip(b.label, 28))}</text>`,
      `<rect x="${L.labelWidth}" y="${y + 5}" width="${w}" height="${L.row - 10}" rx="3" fill="#2e7dd7"/>`,
      `<text x="${L.labelWidth + w + 8}" y="${y + 18}" font-size="13" fill="#333">${b.value.toFixed(1)} h</text>`,
    ].join('');
  });
  const empty =
    bars.length === 0 ? `<text x="${width / 2}" y="${L.top + 18}" text-anchor="middle" font-size="14" fill="#666">No VM hours in this period</text>` : '';
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT_FAMILY}">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="20" y="32" font-size="18" font-weight="bold" fill="#111">${xml(clip(title, 70))}</text>`,
    ...rows,
    empty,
    '</svg>',
  ].join('\n');
}

/** PNG bytes of the chart (rendered off the event loop). */
export async function renderHoursChart(bars: Bar[], title: string): Promise<{ png: Buffer; width: number; height: number }> {
  // Loaded on the first digest: the native renderer is not needed by anything else.
  const { renderAsync } = await import('@resvg/resvg-js');
  const image = await renderAsync(hoursChartSvg(bars, title), {
    fitTo: { mode: 'original' },
    font: { fontFiles: CHART_FONTS, loadSystemFonts: false, defaultFontFamily: FONT_FAMILY },
  });
  return { png: image.asPng(), width: image.width, height: image.height };
}

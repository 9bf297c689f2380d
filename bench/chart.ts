/**
 * The HTTP results as an SVG bar chart, written by hand (no dependency): one group of bars per
 * contender, one bar per workload, each the contender's requests per second as a ratio to bare
 * node:http in the same run; a black tick on each bar marks the same ratio computed from
 * server CPU time per request (bare's ÷ the contender's), which is what the bar would show if
 * the server alone had limited throughput.
 */

/** One bar. */
export interface ChartBar {
  /** The workload, one colour each. */
  series: string;
  /** Requests per second ÷ bare node:http's, same workload, same run. */
  ratio: number;
  /** Bare node:http's server CPU per request ÷ this one's. */
  cpuRatio: number;
  /** Server CPU per request, µs. */
  cpuMicros: number;
}

/** One group of bars. */
export interface ChartGroup {
  label: string;
  bars: ChartBar[];
}

/** What the chart shows. */
export interface ChartData {
  title: string;
  /** Lines under the title: when, where, how. */
  notes: string[];
  groups: ChartGroup[];
}

const colours = ['#2563eb', '#f59e0b', '#10b981', '#ef4444'];

/** Text for SVG content and attribute values. */
function escape(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** Rounds to one decimal place, so the file does not change with float noise. */
function px(value: number): string {
  return (Math.round(value * 10) / 10).toString();
}

/** Splits text into lines of at most `width` characters, at spaces. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

/**
 * Renders the chart. The scale runs from 0 to the largest ratio (at least 1.0, bare node:http,
 * drawn as a dashed line), with grid lines every 0.2.
 *
 * @example
 * writeFileSync('docs/benchmark.svg', renderChart({ title: 'HTTP', notes: [], groups }));
 */
export function renderChart(data: ChartData): string {
  const series = [...new Set(data.groups.flatMap((g) => g.bars.map((b) => b.series)))];
  const notes = data.notes.flatMap((note) => wrap(note, 118));
  const width = 820;
  const labelWidth = 250;
  const valueWidth = 170;
  const barHeight = 16;
  const barGap = 3;
  const groupGap = 14;
  const top = 40 + notes.length * 16 + 28;
  const plotWidth = width - labelWidth - valueWidth - 20;
  const max = Math.max(
    1,
    ...data.groups.flatMap((g) => g.bars.flatMap((b) => [b.ratio, b.cpuRatio])),
  );
  const scaleMax = Math.ceil(max * 5) / 5;
  const x = (ratio: number): number => labelWidth + (ratio / scaleMax) * plotWidth;
  const groupHeight = series.length * (barHeight + barGap) - barGap;
  const plotHeight = data.groups.length * (groupHeight + groupGap) - groupGap;
  const height = top + plotHeight + 44;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${px(height)}" viewBox="0 0 ${width} ${px(height)}" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="16" y="26" font-size="16" font-weight="600" fill="#111827">${escape(data.title)}</text>`,
  );
  notes.forEach((note, i) => {
    out.push(`<text x="16" y="${46 + i * 16}" fill="#4b5563">${escape(note)}</text>`);
  });
  // Legend.
  let legendX = labelWidth;
  const legendY = top - 18;
  series.forEach((name, i) => {
    out.push(
      `<rect x="${px(legendX)}" y="${px(legendY - 10)}" width="12" height="12" fill="${colours[i % colours.length]!}"/>`,
      `<text x="${px(legendX + 17)}" y="${px(legendY)}" fill="#111827">${escape(name)}</text>`,
    );
    legendX += 30 + name.length * 7;
  });
  out.push(
    `<line x1="${px(legendX + 6)}" y1="${px(legendY - 12)}" x2="${px(legendX + 6)}" y2="${px(legendY + 3)}" stroke="#111827" stroke-width="2"/>`,
    `<text x="${px(legendX + 14)}" y="${px(legendY)}" fill="#111827">the same ratio by server CPU time per request</text>`,
  );
  // Grid and axis.
  for (let tick = 0; tick <= scaleMax + 1e-9; tick += 0.2) {
    const tx = x(tick);
    const one = Math.abs(tick - 1) < 1e-9;
    out.push(
      `<line x1="${px(tx)}" y1="${px(top - 4)}" x2="${px(tx)}" y2="${px(top + plotHeight + 4)}" stroke="${one ? '#111827' : '#e5e7eb'}"${one ? ' stroke-dasharray="4 3"' : ''}/>`,
      `<text x="${px(tx)}" y="${px(top + plotHeight + 18)}" text-anchor="middle" fill="#4b5563">${tick.toFixed(1)}×</text>`,
    );
  }
  out.push(
    `<text x="${px(labelWidth + plotWidth / 2)}" y="${px(top + plotHeight + 36)}" text-anchor="middle" fill="#4b5563">requests per second ÷ bare node:http (dashed line = 1.0×); label: req/s ratio · CPU ratio (server CPU µs per request)</text>`,
  );
  // Bars.
  data.groups.forEach((group, g) => {
    const groupTop = top + g * (groupHeight + groupGap);
    out.push(
      `<text x="${labelWidth - 10}" y="${px(groupTop + groupHeight / 2 + 4)}" text-anchor="end" fill="#111827">${escape(group.label)}</text>`,
    );
    for (const bar of group.bars) {
      const s = series.indexOf(bar.series);
      const y = groupTop + s * (barHeight + barGap);
      const barWidth = Math.max(1, x(bar.ratio) - labelWidth);
      const tick = x(bar.cpuRatio);
      out.push(
        `<rect x="${labelWidth}" y="${px(y)}" width="${px(barWidth)}" height="${barHeight}" fill="${colours[s % colours.length]!}"><title>${escape(`${group.label}, ${bar.series}: ${bar.ratio.toFixed(2)}× bare node:http in requests per second, ${bar.cpuRatio.toFixed(2)}× by server CPU (${bar.cpuMicros.toFixed(1)} µs per request)`)}</title></rect>`,
        `<line x1="${px(tick)}" y1="${px(y - 2)}" x2="${px(tick)}" y2="${px(y + barHeight + 2)}" stroke="#111827" stroke-width="2"/>`,
        `<text x="${px(Math.max(labelWidth + barWidth, tick) + 6)}" y="${px(y + barHeight - 4)}" fill="#111827">${bar.ratio.toFixed(2)}× · CPU ${bar.cpuRatio.toFixed(2)}× (${bar.cpuMicros.toFixed(0)} µs)</text>`,
      );
    }
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from 'chart.js';
import { createEffect, onCleanup, onMount } from 'solid-js';
import type { TrendInterval } from '../gql/graphql';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

export interface TrendPoint {
  periodStart: string;
  completed: number;
  noShow: number;
  lateCancelled: number;
  cancelled: number;
  booked: number;
  total: number;
}

const SERIES = [
  { key: 'completed', label: 'Completed', color: '#2f855a' },
  { key: 'noShow', label: 'No-show', color: '#c05621' },
  { key: 'lateCancelled', label: 'Late cancel', color: '#b7791f' },
  { key: 'cancelled', label: 'Cancelled', color: '#a0aec0' },
  { key: 'booked', label: 'Booked', color: '#3182ce' },
] as const;

function label(iso: string, interval: TrendInterval): string {
  const d = new Date(iso);
  const text = d.toLocaleDateString(undefined, { day: 'numeric', month: 'short', timeZone: 'UTC' });
  return interval === 'WEEK' ? `Week of ${text}` : text;
}

/** Session trends as stacked bars (Chart.js); a table with the same numbers for screen readers. */
export function TrendChart(props: { points: TrendPoint[]; interval: TrendInterval }) {
  let canvas!: HTMLCanvasElement;
  let chart: Chart | undefined;
  const reduceMotion = typeof matchMedia === 'function' && matchMedia('(prefers-reduced-motion: reduce)').matches;

  const data = () => ({
    labels: props.points.map((p) => label(p.periodStart, props.interval)),
    datasets: SERIES.map((s) => ({
      label: s.label,
      data: props.points.map((p) => p[s.key]),
      backgroundColor: s.color,
      borderRadius: 3,
      maxBarThickness: 36,
    })),
  });

  onMount(() => {
    chart = new Chart(canvas, {
      type: 'bar',
      data: data(),
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: reduceMotion ? false : { duration: 250 },
        interaction: { mode: 'index', intersect: false },
        scales: {
          x: { stacked: true, grid: { display: false } },
          y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } },
        },
        plugins: { legend: { position: 'bottom', labels: { boxWidth: 12, usePointStyle: true } } },
      },
    });
  });
  createEffect(() => {
    const next = data();
    if (!chart) return;
    chart.data = next;
    chart.update();
  });
  onCleanup(() => chart?.destroy());

  return (
    <figure class="chart">
      <div class="chart-canvas">
        <canvas ref={canvas} role="img" aria-label="Sessions per period by status" />
      </div>
      <details class="chart-table">
        <summary>Show as a table</summary>
        <table class="table">
          <thead>
            <tr>
              <th>Period</th>
              {SERIES.map((s) => (
                <th class="num">{s.label}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {props.points.map((p) => (
              <tr>
                <td>{label(p.periodStart, props.interval)}</td>
                {SERIES.map((s) => (
                  <td class="num">{p[s.key]}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}

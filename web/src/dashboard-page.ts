import './styles.css';
import type { DashboardMetrics } from '@shop/api-client';
import { ApiProblem, answerOf, staffApi } from './api-client.js';
import { byId, h } from './dom.js';
import { categoryLabel } from './formatting.js';
import { lineChart } from './line-chart.js';
import { sessionBar } from './session-bar.js';
import { signInForm } from './sign-in-form.js';
import { currentSession, type StaffSession, staffGroups } from './staff-session.js';

const refreshMs = 5000;
const main = byId('main');
const ranges = [
  { minutes: 15, label: 'Last 15 minutes' },
  { minutes: 60, label: 'Last hour' },
  { minutes: 360, label: 'Last 6 hours' },
  { minutes: 1440, label: 'Last 24 hours' },
];

function topCategories(metrics: DashboardMetrics): HTMLElement {
  const top = metrics.topViewedCategories;
  const figure = h('figure', { class: 'chart' }, h('figcaption', {}, 'Most viewed categories'));
  if (top.length === 0) {
    figure.append(h('p', { class: 'empty-state' }, 'No data yet'));
    return figure;
  }
  const most = Math.max(...top.map((entry) => entry.views));
  figure.append(
    h(
      'ol',
      { class: 'bars', id: 'top-categories' },
      ...top.map((entry) => {
        const bar = h('meter', { min: 0, max: most, value: entry.views }, String(entry.views));
        return h(
          'li',
          {},
          h('span', {}, categoryLabel(entry.category)),
          bar,
          h('strong', {}, entry.views.toLocaleString()),
        );
      }),
    ),
  );
  return figure;
}

function charts(metrics: DashboardMetrics): HTMLElement[] {
  const from = Date.parse(metrics.from);
  const to = Date.parse(metrics.to);
  const { charts: c } = metrics;
  return [
    lineChart('Units sold per minute, by category', c.unitsSold, from, to),
    lineChart('Revenue per minute, by category', c.revenue, from, to),
    lineChart('Product views per minute, by category', c.productViews, from, to),
    topCategories(metrics),
    lineChart('Events processed per minute', c.eventsProcessed, from, to),
    lineChart('Low-stock alerts per minute', c.lowStockAlerts, from, to),
    lineChart('Event lag (ms)', c.eventLagMs, from, to),
  ];
}

function dashboard(session: StaffSession): void {
  const grid = h(
    'div',
    { class: 'chart-grid', id: 'charts', 'aria-busy': 'true' },
    h('p', { class: 'status' }, 'Loading metrics…'),
  );
  const updated = h('p', { class: 'updated', role: 'status' });
  const range = h(
    'select',
    { id: 'range' },
    ...ranges.map((option) => h('option', { value: option.minutes, selected: option.minutes === 60 }, option.label)),
  );
  let timer: ReturnType<typeof setTimeout> | undefined;
  const api = staffApi(session.accessToken);

  const refresh = async () => {
    clearTimeout(timer);
    if (!document.hidden) {
      try {
        const { data } = await answerOf(
          api.GET('/api/dashboard/metrics', { params: { query: { minutes: Number(range.value) } } }),
        );
        grid.replaceChildren(...charts(data));
        grid.setAttribute('aria-busy', 'false');
        updated.replaceChildren(`Updated ${new Date().toLocaleTimeString()}; refreshes every ${refreshMs / 1000} s.`);
      } catch (error) {
        if (error instanceof ApiProblem && error.status === 401) {
          location.assign('/staff');
          return;
        }
        updated.replaceChildren(`Could not refresh: ${(error as Error).message}`);
      }
    }
    timer = setTimeout(refresh, refreshMs);
  };
  range.addEventListener('change', () => void refresh());
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden) void refresh();
  });

  main.replaceChildren(
    sessionBar(session, 'dashboard'),
    h('h1', {}, 'Dashboard'),
    h('div', { class: 'dashboard-controls' }, h('label', { for: 'range' }, 'Time range'), range, updated),
    grid,
  );
  void refresh();
}

function start(): void {
  const session = currentSession();
  if (!session) {
    main.replaceChildren(signInForm(start));
    byId('username').focus();
    return;
  }
  if (!session.groups.includes(staffGroups.inventoryStaff)) {
    main.replaceChildren(
      sessionBar(session, 'dashboard'),
      h('p', { class: 'notice' }, 'The dashboard is for inventory staff: ask an administrator for access.'),
    );
    return;
  }
  dashboard(session);
}

start();

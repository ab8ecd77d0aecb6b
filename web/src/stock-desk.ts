import {
  type Adjustment,
  type AdjustmentInput,
  adjustmentReasons,
  type Product,
  type StockLevel,
  type ThresholdInput,
} from '@shop/api-client';
import { ApiProblem, answerOf, publicApi, staffApi } from './api-client.js';
import { availabilityOf } from './availability.js';
import { h } from './dom.js';
import { clearFormErrors, errorNotice, field, formAlert, numberOrText, showFormErrors } from './form-errors.js';
import { formatDateTime } from './formatting.js';

function stockSummary(stock: StockLevel): HTMLElement {
  const { level, text } = availabilityOf(stock);
  return h(
    'dl',
    { class: 'stock-summary', 'aria-live': 'polite' },
    h('dt', {}, 'On hand'),
    h('dd', { 'data-stock': 'on-hand' }, stock.onHand),
    h('dt', {}, 'Reserved'),
    h('dd', {}, stock.reserved),
    h('dt', {}, 'Available'),
    h('dd', { 'data-stock': 'available' }, stock.available),
    h('dt', {}, 'Low-stock threshold'),
    h('dd', { 'data-stock': 'threshold' }, stock.lowStockThreshold),
    h('dt', {}, 'Storefront shows'),
    h('dd', {}, h('span', { class: `availability ${level}` }, text)),
  );
}

function historyTable(items: Adjustment[]): HTMLElement {
  if (items.length === 0) return h('p', { class: 'empty-state' }, 'No adjustments yet.');
  return h(
    'table',
    { class: 'history' },
    h('caption', {}, 'Adjustment history, newest first'),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ...['When', 'Change', 'Reason', 'On hand after', 'Note'].map((title) => h('th', { scope: 'col' }, title)),
      ),
    ),
    h(
      'tbody',
      {},
      ...items.map((item) =>
        h(
          'tr',
          {},
          h('td', {}, formatDateTime(item.createdAt)),
          h('td', { class: 'number' }, item.quantity > 0 ? `+${item.quantity}` : String(item.quantity)),
          h('td', {}, item.reason),
          h('td', { class: 'number' }, item.onHandAfter),
          h('td', {}, item.note ?? ''),
        ),
      ),
    ),
  );
}

/**
 * The stock desk for one product: its levels, an adjustment with a reason, the low-stock threshold
 * and the adjustment history. Every change re-reads the level, so the desk never shows a stale count.
 */
export function stockDesk(token: string, product: Product, onChanged: () => void): HTMLElement {
  const summary = h('div', {}, h('p', { class: 'status' }, 'Loading stock…'));
  const history = h('div', {});
  let etag: string | null = null;
  const api = staffApi(token);
  const path = { productId: product.id };

  const load = async () => {
    try {
      const [{ data: stock, etag: tag }, { data: page }] = await Promise.all([
        answerOf(publicApi.GET('/api/inventory/{productId}', { params: { path } })),
        answerOf(api.GET('/api/inventory/{productId}/adjustments', { params: { path, query: { limit: 20 } } })),
      ]);
      etag = tag;
      summary.replaceChildren(stockSummary(stock));
      threshold.value = String(stock.lowStockThreshold);
      history.replaceChildren(historyTable(page.items));
    } catch (error) {
      summary.replaceChildren(errorNotice(error));
    }
  };

  const quantity = h('input', { name: 'quantity', inputmode: 'numeric' });
  const reason = h('select', { name: 'reason' }, ...adjustmentReasons.map((value) => h('option', { value }, value)));
  const note = h('input', { name: 'note' });
  const adjustForm = h(
    'form',
    { class: 'adjust-form', 'aria-label': 'Adjust stock', novalidate: true },
    h('h4', {}, 'Adjust stock'),
    formAlert(),
    h(
      'div',
      { class: 'field-row' },
      field('Quantity', 'quantity', quantity, 'Negative for units leaving stock (sale, damage)'),
      field('Reason', 'reason', reason),
    ),
    field('Note', 'note', note),
    h('button', { type: 'submit' }, 'Record adjustment'),
  );
  adjustForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearFormErrors(adjustForm);
    const body: Record<string, unknown> = { quantity: numberOrText(quantity.value), reason: reason.value };
    if (note.value.trim()) body.note = note.value;
    try {
      // Sent as typed, so that the API's 422 names the field at fault (see productForm).
      await answerOf(
        api.POST('/api/inventory/{productId}/adjustments', { params: { path }, body: body as AdjustmentInput }),
      );
      quantity.value = '';
      note.value = '';
      await load();
      onChanged();
    } catch (error) {
      showFormErrors(adjustForm, error);
    }
  });

  const threshold = h('input', { name: 'lowStockThreshold', inputmode: 'numeric' });
  const thresholdForm = h(
    'form',
    { class: 'threshold-form', 'aria-label': 'Low-stock threshold', novalidate: true },
    h('h4', {}, 'Low-stock threshold'),
    formAlert(),
    field('Alert when available units are at or below', 'lowStockThreshold', threshold),
    h('button', { type: 'submit' }, 'Set threshold'),
  );
  thresholdForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearFormErrors(thresholdForm);
    try {
      // Sent as typed too: text that is not a number is the API's to name.
      const body = { lowStockThreshold: numberOrText(threshold.value) } as ThresholdInput;
      await answerOf(
        api.PATCH('/api/inventory/{productId}', { params: { path, header: { 'If-Match': etag ?? undefined } }, body }),
      );
      await load();
      onChanged();
    } catch (error) {
      if (error instanceof ApiProblem && error.status === 412) await load();
      showFormErrors(thresholdForm, error);
    }
  });

  void load();
  return h(
    'section',
    { class: 'stock-desk', 'aria-labelledby': 'stock-desk-title' },
    h('h3', { id: 'stock-desk-title' }, 'Stock: ', product.name),
    summary,
    h('div', { class: 'desk-forms' }, adjustForm, thresholdForm),
    history,
  );
}

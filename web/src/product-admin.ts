import type { Product, ProductInput } from '@shop/api-client';
import { ApiProblem, answerOf, publicApi, staffApi } from './api-client.js';
import { h } from './dom.js';
import { clearFormErrors, field, formAlert, numberOrText, showFormErrors } from './form-errors.js';

/**
 * The product an admin has open, as last read, and the ETag a save of the form sends. The images
 * section moves `etag` on with each version its own writes make (they change no field of the
 * form), so a save after adding an image still applies; a version made by anyone else is a 412.
 */
export interface EditedProduct {
  product: Product;
  etag: string | null;
}

/**
 * The product form for catalog admins: creates a product, or replaces one (with If-Match, so an
 * edit never overwrites a change made meanwhile). Errors from the API appear next to their fields.
 * `existing.etag` is read when the form is sent.
 */
export function productForm(
  token: string,
  onSaved: (product: Product) => void,
  existing?: EditedProduct,
): HTMLFormElement {
  const value = existing?.product;
  const name = h('input', { name: 'name', value: value?.name ?? '', autocomplete: 'off' });
  const description = h('textarea', { name: 'description', rows: 3 }, value?.description ?? '');
  const price = h('input', { name: 'price', inputmode: 'decimal', value: value?.price ?? '' });
  const currency = h('input', { name: 'currency', value: value?.currency ?? 'USD', maxlength: 3, size: 4 });
  const category = h('input', { name: 'category', value: value?.category ?? '' });
  const sku = h('input', { name: 'sku', value: value?.sku ?? '' });
  const supplierName = h('input', { name: 'supplier-name', value: value?.supplier?.name ?? '' });
  const supplierEmail = h('input', { name: 'supplier-email', type: 'email', value: value?.supplier?.email ?? '' });
  const submit = h('button', { type: 'submit' }, value ? 'Save changes' : 'Create product');
  const form = h(
    'form',
    { class: 'product-form', 'aria-label': value ? `Edit ${value.name}` : 'New product', novalidate: true },
    h('h3', {}, value ? 'Edit product' : 'New product'),
    formAlert(),
    field('Name', 'name', name),
    field('Description', 'description', description),
    h('div', { class: 'field-row' }, field('Price', 'price', price), field('Currency', 'currency', currency)),
    h(
      'div',
      { class: 'field-row' },
      field('Category', 'category', category, 'A slug such as garden-tools'),
      field('SKU', 'sku', sku),
    ),
    h(
      'fieldset',
      {},
      h('legend', {}, 'Supplier (gets low-stock alerts)'),
      field('Name', 'supplier.name', supplierName),
      field('Email', 'supplier.email', supplierEmail),
    ),
    submit,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearFormErrors(form);
    const body: Record<string, unknown> = {
      name: name.value,
      description: description.value,
      price: numberOrText(price.value),
      currency: currency.value.trim().toUpperCase(),
    };
    if (category.value.trim()) body.category = category.value.trim();
    if (sku.value.trim()) body.sku = sku.value.trim();
    if (supplierName.value.trim() || supplierEmail.value.trim()) {
      body.supplier = { name: supplierName.value, email: supplierEmail.value.trim() };
    }
    // What was typed is sent unchecked (a price may still be text), so that the API's 422 names
    // each field at fault; the contract's type describes valid input only.
    const input = body as ProductInput;
    const api = staffApi(token);
    submit.disabled = true;
    try {
      const { data } = value
        ? await answerOf(
            api.PUT('/api/products/{id}', {
              params: { path: { id: value.id }, header: { 'If-Match': existing?.etag ?? undefined } },
              body: input,
            }),
          )
        : await answerOf(api.POST('/api/products', { body: input }));
      onSaved(data);
    } catch (error) {
      if (error instanceof ApiProblem && error.status === 412) {
        showFormErrors(
          form,
          new ApiProblem(
            412,
            'Changed meanwhile',
            'Someone changed this product meanwhile. Reopen it to see the current version.',
          ),
        );
      } else {
        showFormErrors(form, error);
      }
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

/** Deletes a product after the admin confirms; resolves whether it was deleted. */
export async function deleteProduct(token: string, product: Product): Promise<boolean> {
  if (!confirm(`Delete "${product.name}"? It leaves the storefront at once.`)) return false;
  const path = { id: product.id };
  const { etag } = await answerOf(publicApi.GET('/api/products/{id}', { params: { path } }));
  await answerOf(
    staffApi(token).DELETE('/api/products/{id}', { params: { path, header: { 'If-Match': etag ?? undefined } } }),
  );
  return true;
}

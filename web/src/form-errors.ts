import { ApiProblem } from './api-client.js';
import { h } from './dom.js';

/**
 * Shows an API's validation errors next to the inputs they name (`data-field` on the input's
 * wrapper, e.g. `price` or `supplier.email`); errors naming no input, and any other failure, go to
 * the form's own alert. Returns the first input at fault, to be focused.
 */
export function showFormErrors(form: HTMLFormElement, error: unknown): void {
  clearFormErrors(form);
  const alert = form.querySelector<HTMLElement>('.form-alert');
  const unplaced: string[] = [];
  let first: HTMLElement | undefined;
  if (error instanceof ApiProblem && error.fieldErrors.length > 0) {
    for (const fieldError of error.fieldErrors) {
      const wrapper = form.querySelector<HTMLElement>(`[data-field="${CSS.escape(fieldError.field)}"]`);
      const input = wrapper?.querySelector<HTMLElement>('input, select, textarea');
      if (!wrapper || !input) {
        unplaced.push(fieldError.message);
        continue;
      }
      const message = h('p', { class: 'field-error', id: `${input.id}-error` }, fieldError.message);
      wrapper.append(message);
      input.setAttribute('aria-invalid', 'true');
      input.setAttribute('aria-describedby', message.id);
      first ??= input;
    }
    if (unplaced.length > 0 || !first) unplaced.unshift(error.message);
  } else {
    unplaced.push(error instanceof Error ? error.message : 'Something went wrong.');
  }
  if (alert && unplaced.length > 0) {
    alert.replaceChildren(...unplaced.map((text) => h('p', {}, text)));
    alert.hidden = false;
  }
  (first ?? alert)?.focus();
}

export function clearFormErrors(form: HTMLFormElement): void {
  for (const message of form.querySelectorAll('.field-error')) message.remove();
  for (const input of form.querySelectorAll('[aria-invalid]')) {
    input.removeAttribute('aria-invalid');
    input.removeAttribute('aria-describedby');
  }
  const alert = form.querySelector<HTMLElement>('.form-alert');
  if (alert) {
    alert.hidden = true;
    alert.replaceChildren();
  }
}

let fieldCount = 0;

/** A labelled input inside a wrapper that names the API field it sends. */
export function field(
  label: string,
  apiField: string,
  input: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement,
  hint?: string,
): HTMLElement {
  fieldCount += 1;
  input.id ||= `field-${apiField.replaceAll('.', '-')}-${fieldCount}`;
  return h(
    'div',
    { class: 'field', 'data-field': apiField },
    h('label', { for: input.id }, label),
    hint ? h('p', { class: 'hint' }, hint) : null,
    input,
  );
}

/** A failure shown in place of what could not be loaded or done. */
export function errorNotice(error: unknown): HTMLElement {
  return h(
    'p',
    { class: 'notice error', role: 'alert' },
    error instanceof Error ? error.message : 'Something went wrong.',
  );
}

export function formAlert(): HTMLElement {
  return h('div', { class: 'form-alert notice error', role: 'alert', tabindex: '-1', hidden: true });
}

/** A number from an input; text that is not a number is sent as it is, so the API names the fault. */
export function numberOrText(value: string): number | string | undefined {
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  const number = Number(trimmed);
  return Number.isFinite(number) ? number : trimmed;
}

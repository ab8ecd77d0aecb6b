import { h } from './dom.js';
import { formAlert } from './form-errors.js';
import { completeNewPassword, SignInError, type StaffSession, signIn } from './staff-session.js';

/** The staff sign-in form; calls `onSignedIn` once the user pool has issued a token. */
export function signInForm(onSignedIn: (session: StaffSession) => void): HTMLElement {
  const username = h('input', { id: 'username', name: 'username', autocomplete: 'username', required: true });
  const password = h('input', {
    id: 'password',
    name: 'password',
    type: 'password',
    autocomplete: 'current-password',
    required: true,
  });
  const alert = formAlert();
  const submit = h('button', { type: 'submit' }, 'Sign in');
  const form = h(
    'form',
    { class: 'sign-in', 'aria-labelledby': 'sign-in-title' },
    h('h1', { id: 'sign-in-title' }, 'Staff sign-in'),
    alert,
    h('div', { class: 'field' }, h('label', { for: 'username' }, 'User name'), username),
    h('div', { class: 'field' }, h('label', { for: 'password' }, 'Password'), password),
    submit,
  );
  const fail = (error: unknown) => {
    alert.replaceChildren(h('p', {}, error instanceof SignInError ? error.message : 'Sign-in failed.'));
    alert.hidden = false;
    alert.focus();
  };
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    submit.disabled = true;
    try {
      const result = await signIn(username.value.trim(), password.value);
      if ('newPasswordRequired' in result) {
        form.replaceWith(newPasswordForm(result.newPasswordRequired, onSignedIn));
        return;
      }
      onSignedIn(result);
    } catch (error) {
      fail(error);
    } finally {
      submit.disabled = false;
      password.value = '';
    }
  });
  return form;
}

function newPasswordForm(
  challenge: { username: string; session: string },
  onSignedIn: (session: StaffSession) => void,
): HTMLElement {
  const password = h('input', {
    id: 'new-password',
    type: 'password',
    autocomplete: 'new-password',
    required: true,
  });
  const alert = formAlert();
  const form = h(
    'form',
    { class: 'sign-in' },
    h('h1', {}, 'Choose a new password'),
    alert,
    h('div', { class: 'field' }, h('label', { for: 'new-password' }, 'New password'), password),
    h('button', { type: 'submit' }, 'Set password and sign in'),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      onSignedIn(await completeNewPassword(challenge, password.value));
    } catch (error) {
      alert.replaceChildren(h('p', {}, error instanceof Error ? error.message : 'Could not set the password.'));
      alert.hidden = false;
    }
  });
  return form;
}

import { h } from './dom.js';
import { type StaffSession, signOut } from './staff-session.js';

/** The bar every staff page shows once signed in: who, with which roles, and the way out. */
export function sessionBar(session: StaffSession, current: 'console' | 'dashboard'): HTMLElement {
  return h(
    'div',
    { class: 'session-bar' },
    h(
      'p',
      {},
      'Signed in as ',
      h('strong', { id: 'signed-in-user' }, session.username),
      ` (${session.groups.join(', ') || 'no staff role'})`,
    ),
    h(
      'nav',
      { 'aria-label': 'Staff' },
      current === 'console' ? h('span', { 'aria-current': 'page' }, 'Console') : h('a', { href: '/staff' }, 'Console'),
      current === 'dashboard'
        ? h('span', { 'aria-current': 'page' }, 'Dashboard')
        : h('a', { href: '/staff/dashboard' }, 'Dashboard'),
      h(
        'button',
        {
          type: 'button',
          class: 'link-button',
          onclick: () => {
            signOut();
            location.assign('/staff');
          },
        },
        'Sign out',
      ),
    ),
  );
}

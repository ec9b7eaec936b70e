// Aanmelden: sign in with a token made by the node's administrator
// (`kaart admin tokens create`). The token stays in this browser tab only
// (sessionStorage) and goes to the node as "Authorization: Bearer".
import { api, h, ctx, token, setToken, setTitle, notice, errorText, ROLE_LABELS } from '/static/app.js';

export async function render(view) {
  setTitle('Aanmelden');
  const back = new URLSearchParams(location.search).get('terug');
  const safeBack = back && back.startsWith('/') && !back.startsWith('//') ? back : '/';
  view.append(h('h1', {}, 'Aanmelden'));
  if (ctx.me.role !== 'anonymous') {
    view.append(notice('ok', h('p', {}, `U bent aangemeld als ${ROLE_LABELS[ctx.me.role] || ctx.me.role}`,
      ctx.me.organisationId ? ` van ${ctx.me.organisationId}` : '', '.')),
    h('div', { class: 'actions' },
      h('a', { class: 'button', href: safeBack }, 'Verder'),
      h('button', { type: 'button', class: 'secondary', id: 'logout',
        onclick: () => { setToken(''); location.assign('/aanmelden'); } }, 'Afmelden')));
  } else if (ctx.me.tokenRejected) {
    view.append(notice('warn', h('p', {}, 'Uw token wordt niet (meer) geaccepteerd: het is verlopen of ingetrokken. Meld u opnieuw aan.')));
    setToken('');
  }

  const input = h('input', { type: 'password', id: 'token', name: 'token', autocomplete: 'off', spellcheck: 'false',
    'aria-describedby': 'token-hint' });
  const error = h('p', { class: 'field-error', id: 'token-error', hidden: true });
  const form = h('form', { onsubmit: async (ev) => {
    ev.preventDefault();
    const value = input.value.trim();
    const fail = (text) => {
      error.textContent = text;
      error.hidden = false;
      input.setAttribute('aria-invalid', 'true');
      input.setAttribute('aria-describedby', 'token-hint token-error');
      input.focus();
    };
    if (!value) return fail('Vul uw token in.');
    try {
      await api('/api/v1/me', { withToken: value });
    } catch (err) {
      return fail(err.httpStatus === 401 ? 'Dit token is onbekend, verlopen of ingetrokken.' : errorText(err));
    }
    setToken(value);
    location.assign(safeBack);
  } },
  h('div', { class: 'field' },
    h('label', { for: 'token' }, ctx.me.role === 'anonymous' ? 'Uw token' : 'Ander token'),
    h('p', { class: 'hint', id: 'token-hint' },
      'U krijgt een token van de beheerder van dit knooppunt. Het blijft alleen in dit tabblad bewaard.'),
    input, error),
  h('button', { type: 'submit' }, 'Aanmelden'));
  view.append(form);
  if (!token()) input.focus();
}

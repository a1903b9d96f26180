import { ALL_SCOPES, type Scope, SCOPE_DESCRIPTIONS, scopeSatisfies } from '../auth/scope.js';
import { DEMO_TENANTS, DEMO_USERS } from './demo-identities.js';

export interface LoginPageModel {
  formAction: string;
  clientName: string;
  resource: string;
  scopes: string[];
  error?: string;
}

const OIDC_SCOPE_DESCRIPTIONS: Record<string, string> = {
  openid: 'Know who you are (an ID token)',
  offline_access: 'Keep access after you leave (a refresh token)',
};

/** What a granted scope lets the client do, in words, from the catalog. */
export function describeScope(scope: string): string {
  if (scope in OIDC_SCOPE_DESCRIPTIONS) return OIDC_SCOPE_DESCRIPTIONS[scope];
  if (scope in SCOPE_DESCRIPTIONS) return SCOPE_DESCRIPTIONS[scope as Scope];
  const children = ALL_SCOPES.filter((child) => scopeSatisfies(scope, child));
  return `All of: ${children.map((child) => SCOPE_DESCRIPTIONS[child]).join('; ')}`;
}

/**
 * The demo login and consent page: pick a person of a demo tenant (no password: there is nothing
 * to check it against), see the scopes being granted, allow or deny. No script, one form.
 */
export function renderLoginPage(model: LoginPageModel): string {
  const scopes = model.scopes.length
    ? model.scopes.map((scope) => `<li><code>${html(scope)}</code> — ${html(describeScope(scope))}</li>`).join('')
    : '<li>No scopes were requested: the token will allow nothing.</li>';
  const tenants = DEMO_TENANTS.map((tenant) => {
    const users = DEMO_USERS.filter((user) => user.tenantId === tenant.id)
      .map(
        (user, index) =>
          `<label><input type="radio" name="user" value="${html(user.id)}"${tenant === DEMO_TENANTS[0] && index === 0 ? ' checked' : ''}> ` +
          `${html(user.name)} <small>(${html(user.role)}, <code>${html(user.id)}</code>)</small></label>`,
      )
      .join('');
    return `<fieldset><legend>${html(tenant.name)} <small>tenant <code>${html(tenant.id)}</code></small></legend>${users}</fieldset>`;
  }).join('');
  return page(
    'Sign in (demo)',
    `<h1>Sign in to Sales Analytics</h1>
    <p class="note">Demo authorization server for local use: pick the person the client will act for. Their tenant goes into the token.</p>
    ${model.error ? `<p class="error">${html(model.error)}</p>` : ''}
    <p><strong>${html(model.clientName)}</strong> asks for access to <code>${html(model.resource)}</code> with these scopes:</p>
    <ul>${scopes}</ul>
    <form method="post" action="${html(model.formAction)}">
      ${tenants}
      <button type="submit" name="action" value="allow">Allow</button>
      <button type="submit" name="action" value="deny" class="secondary">Deny</button>
    </form>`,
  );
}

export function renderErrorPage(message: string): string {
  return page('Sign-in error', `<h1>Sign-in could not continue</h1><p class="error">${html(message)}</p><p>Start again from the application.</p>`);
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${html(title)}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#222}
fieldset{margin:1rem 0;border:1px solid #ccc;border-radius:6px}label{display:block;margin:.4rem 0}
button{font-size:1rem;padding:.5rem 1.2rem;margin-right:.5rem;border:0;border-radius:4px;background:#1f6feb;color:#fff;cursor:pointer}
button.secondary{background:#eee;color:#222}.note{color:#555}.error{color:#b00020}code{background:#f4f4f4;padding:0 .2rem}
</style></head><body>${body}</body></html>`;
}

function html(value: string): string {
  return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

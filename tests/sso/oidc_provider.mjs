// A real OpenID provider for the tests (npm `oidc-provider`, OpenID Certified), on loopback.
//
//   node tests/sso/oidc_provider.mjs CONFIG.json
//
// CONFIG: {"port": 0-65535, "client": {"client_id", "client_secret", "redirect_uris",
// "post_logout_redirect_uris"}, "accounts": {"login": {"password", "given_name",
// "family_name", "email", "groups": [...]}}}. Prints "READY <issuer>" when it listens.
// Its login and logout pages are plain German HTML (no external fonts, no scripts), like a
// Keycloak theme would be; consent is skipped for the one first-party client.
import { readFileSync } from 'node:fs';
import { parse } from 'node:querystring';

import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const issuer = `http://127.0.0.1:${config.port}`;
const accounts = config.accounts;

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (title, body) => `<!doctype html>
<html lang="de"><head><meta charset="utf-8"><title>${escape(title)} – Test-Anmeldedienst</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><h1>${escape(title)}</h1>${body}</main></body></html>`;

const provider = new Provider(issuer, {
  clients: [{
    ...config.client,
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_post',
  }],
  async findAccount(ctx, id) {
    const account = accounts[id];
    if (!account) return undefined;
    return {
      accountId: id,
      async claims() {
        return {
          sub: id,
          preferred_username: id,
          given_name: account.given_name,
          family_name: account.family_name,
          email: account.email,
          groups: account.groups,
        };
      },
    };
  },
  claims: {
    openid: ['sub'],
    email: ['email'],
    profile: ['preferred_username', 'given_name', 'family_name', 'groups'],
  },
  cookies: { keys: ['test-only-cookie-key-0123456789abcdef'] },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: {
      enabled: true,
      async logoutSource(ctx, form) {
        ctx.body = page('Abmelden', `${form}
<p>Möchten Sie sich beim Anmeldedienst abmelden?</p>
<button type="submit" form="op.logoutForm" value="yes" name="logout">Ja, abmelden</button>
<button type="submit" form="op.logoutForm">Nein, angemeldet bleiben</button>`);
      },
      async postLogoutSuccessSource(ctx) {
        ctx.body = page('Abgemeldet', '<p>Sie sind abgemeldet.</p>');
      },
    },
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  // The first-party client needs no consent screen.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile');
    await grant.save();
    return grant;
  },
  pkce: { required: () => true },
  renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = page('Fehler', `<p>${escape(out.error)}: ${escape(out.error_description || '')}</p>`);
  },
});

const readBody = (req) => new Promise((resolve, reject) => {
  let data = '';
  req.on('data', (chunk) => { data += chunk; });
  req.on('end', () => resolve(parse(data)));
  req.on('error', reject);
});

const loginForm = (uid, error) => page('Anmeldung beim Anmeldedienst', `
${error ? `<p role="alert">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${uid}/login">
<p><label for="login">Benutzername</label><br><input id="login" name="login" autocomplete="username" required></p>
<p><label for="password">Passwort</label><br><input id="password" name="password" type="password" autocomplete="current-password" required></p>
<p><button type="submit">Anmelden</button></p>
</form>`);

provider.use(async (ctx, next) => {
  const match = ctx.path.match(/^\/interaction\/([^/]+)(\/login)?$/);
  if (!match) return next();
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  if (ctx.method === 'GET' && !match[2]) {
    ctx.type = 'html';
    ctx.body = loginForm(details.uid);
    return undefined;
  }
  if (ctx.method === 'POST' && match[2]) {
    const form = await readBody(ctx.req);
    const account = accounts[form.login];
    if (!account || account.password !== form.password) {
      ctx.type = 'html';
      ctx.body = loginForm(details.uid, 'Benutzername oder Passwort ist falsch.');
      return undefined;
    }
    await provider.interactionFinished(ctx.req, ctx.res, { login: { accountId: form.login } });
    ctx.respond = false;
    return undefined;
  }
  return next();
});

provider.listen(config.port, '127.0.0.1', () => {
  process.stdout.write(`READY ${issuer}\n`);
});

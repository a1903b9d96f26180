import { Controller, Get, Logger, Param, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { InteractionResults } from 'oidc-provider';
import { Public } from '../auth/public.decorator.js';
import { demoUser, type DemoUser } from './demo-identities.js';
import { EmbeddedAuthorizationServer } from './embedded-authorization-server.js';
import { readFormBody } from './form-body.js';
import { renderErrorPage, renderLoginPage } from './login-page.js';
import { AS_MOUNT_PATH, INTERACTION_PATH, publicBasePath } from './oidc-configuration.js';
import { offeredScopes } from './offered-scopes.js';

type Interaction = Awaited<ReturnType<EmbeddedAuthorizationServer['provider']['interactionDetails']>>;

const OIDC_SCOPES = new Set(['openid', 'offline_access']);

/**
 * The login/consent step of the authorization code flow. The provider redirects the browser here
 * with an interaction cookie (SameSite=Lax, so a cross-site form cannot drive this page); a person
 * picks a demo user and allows or denies; the result goes back to the provider.
 */
@ApiExcludeController()
@Public()
@Controller(`${AS_MOUNT_PATH.slice(1)}${INTERACTION_PATH}`)
export class InteractionController {
  private readonly logger = new Logger('AuthorizationServer');

  constructor(private readonly server: EmbeddedAuthorizationServer) {}

  @Get(':uid')
  async show(@Param('uid') uid: string, @Req() request: FastifyRequest, @Res() response: FastifyReply): Promise<void> {
    const interaction = await this.interaction(uid, request, response);
    if (interaction) await this.sendLoginPage(interaction, response);
  }

  @Post(':uid/login')
  async submit(@Param('uid') uid: string, @Req() request: FastifyRequest, @Res() response: FastifyReply): Promise<void> {
    const form = await readFormBody(request.raw).catch(() => undefined);
    const interaction = form && (await this.interaction(uid, request, response));
    if (!form) return sendHtml(response, 400, renderErrorPage('The form could not be read.'));
    if (!interaction) return;
    if (form.get('action') === 'deny') {
      return this.finish(request, response, { error: 'access_denied', error_description: 'The person denied the request' });
    }
    const user = demoUser(form.get('user') ?? '');
    if (!user) return this.sendLoginPage(interaction, response, 'Pick one of the demo users.', 400);
    const grantId = await this.grant(interaction, user);
    await this.finish(request, response, { login: { accountId: user.id, remember: false }, consent: { grantId } });
  }

  /** The interaction behind the cookie, or an error page when it is missing, expired or another one. */
  private async interaction(uid: string, request: FastifyRequest, response: FastifyReply): Promise<Interaction | undefined> {
    try {
      const interaction = await this.server.provider.interactionDetails(request.raw, response.raw);
      if (interaction.uid === uid) return interaction;
    } catch (error) {
      this.logger.debug(`interaction ${uid}: ${(error as Error).message}`);
    }
    sendHtml(response, 400, renderErrorPage('This sign-in request has expired or belongs to another window.'));
    return undefined;
  }

  private async sendLoginPage(interaction: Interaction, response: FastifyReply, error?: string, status = 200): Promise<void> {
    const clientId = String(interaction.params.client_id);
    const client = await this.server.provider.Client.find(clientId);
    allowFormRedirectTo(response, String(interaction.params.redirect_uri ?? ''));
    const html = renderLoginPage({
      formAction: `${publicBasePath(this.server.config)}${AS_MOUNT_PATH}${INTERACTION_PATH}/${interaction.uid}/login`,
      clientName: client?.clientName ? `${client.clientName} (${clientId})` : clientId,
      resource: this.resourceOf(interaction),
      scopes: grantedScopes(interaction),
      error,
    });
    sendHtml(response, status, html);
  }

  /** Consent is given on the login page itself: a new grant for the picked person, with the requested scopes we offer. */
  private async grant(interaction: Interaction, user: DemoUser): Promise<string> {
    const { Grant } = this.server.provider;
    const grant = new Grant({ accountId: user.id, clientId: String(interaction.params.client_id) });
    const scopes = grantedScopes(interaction);
    const resourceScopes = scopes.filter((scope) => !OIDC_SCOPES.has(scope));
    // The catalog scopes are also the provider's own scopes (its metadata lists them and it checks
    // clients' allowed scopes against them), so the grant holds them at both levels; the access
    // token gets the resource-level ones.
    if (scopes.length) grant.addOIDCScope(scopes.join(' '));
    if (resourceScopes.length) grant.addResourceScope(this.resourceOf(interaction), resourceScopes.join(' '));
    return grant.save();
  }

  private resourceOf(interaction: Interaction): string {
    const resource = interaction.params.resource;
    const first = Array.isArray(resource) ? resource[0] : resource;
    return typeof first === 'string' ? first : this.server.config.resourceUrl;
  }

  private async finish(request: FastifyRequest, response: FastifyReply, result: InteractionResults): Promise<void> {
    // The provider writes its redirect to Node's response itself.
    response.hijack();
    await this.server.provider.interactionFinished(request.raw, response.raw, result, { mergeWithLastSubmission: false });
  }
}

/** The requested scopes this server offers (others are not granted, and not shown as granted). */
function grantedScopes(interaction: Interaction): string[] {
  const offered = new Set([...OIDC_SCOPES, ...offeredScopes()]);
  const requested = typeof interaction.params.scope === 'string' ? interaction.params.scope.split(' ') : [];
  return [...new Set(requested.filter((scope) => offered.has(scope)))];
}

/**
 * Browsers apply the page's CSP `form-action` to the redirects after the form is posted, and the
 * last one goes to the client's (already validated) redirect URI: allow that origin too.
 */
function allowFormRedirectTo(response: FastifyReply, redirectUri: string): void {
  const csp = response.getHeader('content-security-policy');
  const url = URL.parse(redirectUri);
  if (typeof csp !== 'string' || !url) return;
  const source = url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : url.protocol;
  response.header('content-security-policy', csp.replace(/form-action 'self'/, `form-action 'self' ${source}`));
}

function sendHtml(response: FastifyReply, status: number, body: string): void {
  void response.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body);
}

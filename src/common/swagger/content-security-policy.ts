import type { ContentSecurityPolicyOptions } from '@nestjs/common';
import type { AppConfig } from '../../config/app-config.js';

/**
 * helmet's default CSP (as `app.useSecurityHeaders()` sends it) with what our HTML needs: Swagger UI (scripts and styles from /docs, data: images,
 * token requests to the issuer from the page) and the embedded login page (a plain form; its
 * controller widens `form-action` to the client's redirect origin for that one response).
 */
export function contentSecurityPolicy(config: AppConfig): ContentSecurityPolicyOptions {
  const connect = ["'self'"];
  // An external issuer's token endpoint is fetched by Swagger UI from the /docs page.
  if (!config.auth.embeddedIssuer) connect.push(new URL(config.auth.issuer).origin);
  return {
    directives: {
      'upgrade-insecure-requests': null,
      'connect-src': connect,
    },
  };
}

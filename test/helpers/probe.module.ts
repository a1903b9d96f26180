import { Controller, Get, Module, Post } from '@nestjs/common';
import { CurrentPrincipal } from '../../src/auth/current-principal.decorator.js';
import type { Principal } from '../../src/auth/principal.js';
import { Public } from '../../src/auth/public.decorator.js';
import { RequireScopes } from '../../src/auth/require-scopes.decorator.js';
import { Scope } from '../../src/auth/scope.js';

/** Probe routes, one per scope, so the auth tests do not depend on any business module. */
@Controller('probe')
class ProbeController {
  @Get('sales')
  @RequireScopes(Scope.SalesDataRead)
  sales(@CurrentPrincipal() principal: Principal) {
    return { ok: true, principal };
  }

  @Get('crm')
  @RequireScopes(Scope.CrmRead)
  crmRead(@CurrentPrincipal() principal: Principal) {
    return { ok: true, principal };
  }

  @Post('crm')
  @RequireScopes(Scope.CrmWrite)
  crmWrite() {
    return { ok: true };
  }

  @Get('insights')
  @RequireScopes(Scope.CustomerInsightsRead)
  insights() {
    return { ok: true };
  }

  @Get('public')
  @Public()
  open() {
    return { ok: true };
  }

  /** Declares no policy: must be refused by default. */
  @Get('undeclared')
  undeclared() {
    return { ok: true };
  }
}

@Module({ controllers: [ProbeController] })
export class ProbeModule {}

import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'auth:public';

/**
 * Marks a route as reachable without a token (discovery, health, docs). Everything else is denied
 * by default by the global auth guard; writing `@Public()` out is the only way to opt out.
 */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);

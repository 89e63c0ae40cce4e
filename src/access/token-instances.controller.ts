import { Controller, Get, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { bearerToken } from '../core/auth/bearer';
import { UnauthorizedError } from '../core/errors/domain-errors';
import { ApiErrors, PUBLIC_AUTH } from '../core/openapi/api-errors';
import { InstanceResponse } from '../instances/dto/instance.response';
import { TokensService } from '../tokens/tokens.service';
import { AccessRepository } from './access.repository';

/**
 * Which instances an access token opens, so that a client (the dashboard) can show them
 * without being told their ids. Not one of the a9s routes: this service's own addition.
 */
@Controller('v1/instances')
@ApiTags('instances')
@ApiBearerAuth(PUBLIC_AUTH)
export class TokenInstancesController {
  constructor(
    private readonly tokens: TokensService,
    private readonly access: AccessRepository,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'The registered instances this access token is granted',
    description: 'Not part of the a9s Public API: an addition of this service.',
  })
  @ApiOkResponse({ type: [InstanceResponse] })
  @ApiErrors(401, 503)
  async list(@Req() req: Request): Promise<InstanceResponse[]> {
    const secret = bearerToken(req);
    const token = secret === null ? null : await this.tokens.authenticate(secret);
    if (!token) throw new UnauthorizedError('The access token is unknown, revoked or expired.');
    return this.access.granted(token.instances);
  }
}

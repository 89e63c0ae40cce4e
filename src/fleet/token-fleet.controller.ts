import { Controller, Get, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { TokensService } from '../tokens/tokens.service';
import { bearerToken } from '../core/auth/bearer';
import { UnauthorizedError } from '../core/errors/domain-errors';
import { ApiErrors, PUBLIC_AUTH } from '../core/openapi/api-errors';
import { FleetInstance } from './dto/fleet.response';
import { FleetRepository } from './fleet.repository';

/**
 * An access token's own fleet: the instances it is granted, each with what the operator's fleet
 * shows of it (newest success, failure, verification, work under way), for the dashboard's home
 * of a token. Not one of the a9s routes: this service's own addition.
 */
@Controller('v1/fleet')
@ApiTags('instances')
@ApiBearerAuth(PUBLIC_AUTH)
export class TokenFleetController {
  constructor(
    private readonly tokens: TokensService,
    private readonly fleet: FleetRepository,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'The instances this access token is granted, with their newest backup and work',
    description: 'Not part of the a9s Public API: an addition of this service.',
  })
  @ApiOkResponse({ type: [FleetInstance] })
  @ApiErrors(401, 503)
  async list(@Req() req: Request): Promise<FleetInstance[]> {
    const secret = bearerToken(req);
    const token = secret === null ? null : await this.tokens.authenticate(secret);
    if (!token) throw new UnauthorizedError('The access token is unknown, revoked or expired.');
    return this.fleet.instances(token.instances);
  }
}

import { Body, Controller, Delete, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ADMIN_AUTH, ApiErrors } from '../core/openapi/api-errors';
import { AdminGuard } from '../core/auth/admin.guard';
import { CreateTokenDto } from './dto/create-token.dto';
import { CreatedTokenResponse, TokenResponse } from './dto/token.response';
import { TokensService, tokenNotFound } from './tokens.service';
import { UuidPipe } from '../core/validation/uuid';

@Controller('admin/v1/tokens')
@UseGuards(AdminGuard)
@ApiTags('admin')
@ApiBearerAuth(ADMIN_AUTH)
export class TokensController {
  constructor(private readonly tokens: TokensService) {}

  @Post()
  @ApiOperation({ summary: 'Mint an access token (its secret is shown this once)' })
  @ApiCreatedResponse({ type: CreatedTokenResponse })
  @ApiErrors(401, 422, 503)
  create(@Body() dto: CreateTokenDto): Promise<CreatedTokenResponse> {
    return this.tokens.create(dto);
  }

  @Get()
  @ApiOperation({ summary: 'List access tokens (never their secrets)' })
  @ApiOkResponse({ type: [TokenResponse] })
  @ApiErrors(401, 503)
  list(): Promise<TokenResponse[]> {
    return this.tokens.list();
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke an access token' })
  @ApiNoContentResponse({ description: 'Revoked.' })
  @ApiErrors(401, 404, 503)
  async revoke(@Param('id', new UuidPipe(tokenNotFound)) id: string): Promise<void> {
    await this.tokens.revoke(id);
  }
}

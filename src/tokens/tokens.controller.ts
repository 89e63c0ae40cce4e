import { Body, Controller, Delete, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { AdminGuard } from '../core/auth/admin.guard';
import { CreateTokenDto } from './dto/create-token.dto';
import { TokenResponse } from './dto/token.response';
import { TokensService, tokenNotFound } from './tokens.service';
import { UuidPipe } from '../core/validation/uuid';

@Controller('admin/v1/tokens')
@UseGuards(AdminGuard)
export class TokensController {
  constructor(private readonly tokens: TokensService) {}

  @Post()
  create(@Body() dto: CreateTokenDto): Promise<TokenResponse & { token: string }> {
    return this.tokens.create(dto);
  }

  @Get()
  list(): Promise<TokenResponse[]> {
    return this.tokens.list();
  }

  @Delete(':id')
  @HttpCode(204)
  async revoke(@Param('id', new UuidPipe(tokenNotFound)) id: string): Promise<void> {
    await this.tokens.revoke(id);
  }
}

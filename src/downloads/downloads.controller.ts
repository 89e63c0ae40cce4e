import type { AccessedInstance } from '../access/access.repository';
import { Controller, Get, Req, Res, UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import {
  ApiInstanceRoutes,
  ApiNumberParam,
  CurrentInstance,
  InstanceAccessGuard,
} from '../access/instance-access.guard';
import { ApiOperation, ApiProduces, ApiResponse } from '@nestjs/swagger';
import { ApiDownloadErrors } from '../core/openapi/api-errors';
import {
  BackupNotFoundError,
  RangeNotSatisfiableError,
  UpstreamError,
} from '../core/errors/domain-errors';
import { SinkClosedError } from '../storage/storage-driver';
import { RouteNumber } from '../core/validation/route-number';
import { parseRange } from './byte-range';
import { ErrorAnswerOf } from '../core/errors/error-answer';
import { downloadErrorAnswer } from './download-error.answer';
import { DownloadableArchive, DownloadsService } from './downloads.service';

/**
 * Streams a backup's archive: constant memory whatever its size, single byte ranges (206) so an
 * interrupted download resumes with `curl -C -`, and an ETag that is the archive's SHA-256.
 */
@Controller('v1/instances/:instance_id/backups/:id/download')
@UseGuards(InstanceAccessGuard)
@ErrorAnswerOf(downloadErrorAnswer)
@ApiInstanceRoutes('backups')
export class DownloadsController {
  constructor(private readonly downloads: DownloadsService) {}

  @Get()
  @ApiOperation({
    summary: 'Download a backup’s archive',
    description:
      "The archive opens with `openssl enc -aes256 -md md5 -d -pass 'pass:<encryption-key>' | gunzip`. Single byte ranges resume an interrupted download.",
  })
  @ApiNumberParam('backup')
  @ApiProduces('application/octet-stream')
  @ApiResponse({
    status: 200,
    description: 'The whole archive.',
    content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
  })
  @ApiResponse({
    status: 206,
    description: 'The requested byte range.',
    content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
  })
  @ApiDownloadErrors(401, 403, 412, 416, 502, 503, 504)
  async download(
    @CurrentInstance() instance: AccessedInstance,
    @RouteNumber(BackupNotFoundError) id: number,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const archive = await this.downloads.find(instance, id);
    const etag = `"${archive.sha256}"`;
    let range = parseRange(req.headers.range, archive.size);
    if (range !== 'full' && !ifRangeHolds(req.get('if-range'), etag, archive)) range = 'full';
    if (range === 'unsatisfiable') throw new RangeNotSatisfiableError(archive.size);

    const part = range === 'full' ? undefined : range;
    const body = await this.downloads.open(archive, part);
    const length = part ? part.end - part.start + 1 : archive.size;
    const headers: Record<string, string> = {
      'Content-Type': 'application/octet-stream',
      'Content-Length': String(length),
      'Content-Disposition': `attachment; filename="${archive.filename}"`,
      'Accept-Ranges': 'bytes',
      ETag: etag,
      'Last-Modified': archive.finishedAt.toUTCString(),
      'Cache-Control': 'private, no-transform',
    };
    if (part) headers['Content-Range'] = `bytes ${part.start}-${part.end}/${archive.size}`;
    res.status(part ? 206 : 200).set(headers);
    if (req.method === 'HEAD') {
      body.close();
      res.end();
      return;
    }
    try {
      // exactly `length` bytes or an error, which cuts the connection (see DownloadErrorFilter)
      await body.copyTo(res);
    } catch (err) {
      // the client hung up: nothing to answer, nothing to log
      if (err instanceof SinkClosedError) return;
      if (res.headersSent) throw err;
      // storage failed before the first byte went out: still time for a proper 502
      for (const name of Object.keys(headers)) res.removeHeader(name);
      throw new UpstreamError('The archive could not be read from storage.');
    }
    res.end();
  }
}

/** `If-Range`: serve the range only if the client's copy is this very archive (RFC 9110 §13.1.5). */
function ifRangeHolds(
  header: string | undefined,
  etag: string,
  archive: DownloadableArchive,
): boolean {
  if (header === undefined) return true;
  if (header.startsWith('"') || header.startsWith('W/')) return header === etag;
  const date = Date.parse(header);
  return !Number.isNaN(date) && Math.floor(archive.finishedAt.getTime() / 1000) * 1000 <= date;
}

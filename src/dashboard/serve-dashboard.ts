import { existsSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import express from 'express';

/** Where `npm run build` puts the dashboard (web/): dist/ui, from dist/dashboard or src/dashboard. */
export const DASHBOARD_DIR = join(__dirname, '..', '..', 'dist', 'ui');

/**
 * The dashboard's pages may run only the script and style they were built with: no inline
 * script, nothing from another origin, no frames, and requests to this API only.
 */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

function secure(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader('Content-Security-Policy', DASHBOARD_CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  next();
}

/**
 * Serves the dashboard at /ui from the same origin as the API it calls (so no CORS). It talks
 * only to the documented HTTP API with the token the user typed, so it can do nothing the API
 * forbids. When it was not built, /ui says so.
 */
export function serveDashboard(app: INestApplication, dir = DASHBOARD_DIR): void {
  const http = app as NestExpressApplication;
  if (!existsSync(join(dir, 'index.html'))) {
    http.use('/ui', (_req: Request, res: Response) => {
      res.status(503).json({
        error: 'DashboardNotBuilt',
        description: 'The dashboard was not built: run `npm run build`.',
      });
    });
    return;
  }
  http.use('/ui', secure, express.static(dir, { index: 'index.html', maxAge: 0 }));
  // every other address under /ui is one of the dashboard's pages: the page's script routes it
  http.use('/ui', (req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    if (extname(req.path) !== '') return next();
    res.sendFile(join(dir, 'index.html'));
  });
}

import type { Request, Response } from 'express';
import { setActor } from '../core/auth/actor';
import { auditRecordOf } from './audit-recorder';

function answered(req: Partial<Request>, status = 202, requestId = 'req-1') {
  const res = { statusCode: status, getHeader: () => requestId } as unknown as Response;
  const full = {
    method: 'POST',
    baseUrl: '',
    params: {},
    ip: '127.0.0.1',
    socket: {},
    ...req,
  } as unknown as Request;
  return { req: full, res };
}

describe('auditRecordOf', () => {
  it('names the route, the instance, the target and the token that acted', () => {
    const { req, res } = answered({
      method: 'DELETE',
      route: { path: '/v1/instances/:instance_id/backups/:id' },
      params: { instance_id: 'inst-1', id: '3' },
      path: '/v1/instances/inst-1/backups/3',
    });
    setActor(req, { kind: 'token', tokenId: 't-1', tokenName: 'ci' });
    expect(auditRecordOf(req, res)).toEqual({
      actor: 'token',
      tokenId: 't-1',
      tokenName: 'ci',
      action: 'DELETE /v1/instances/:instance_id/backups/:id',
      instanceId: 'inst-1',
      target: 'id=3',
      requestId: 'req-1',
      clientAddress: '127.0.0.1',
      status: 202,
    });
  });

  it('reads an admin route’s :id as the instance, and a Backup Manager route’s :iid', () => {
    const admin = answered({
      route: { path: '/admin/v1/instances/:id/restores' },
      params: { id: 'inst-2' },
    });
    setActor(admin.req, { kind: 'admin' });
    expect(auditRecordOf(admin.req, admin.res)).toMatchObject({
      actor: 'admin',
      instanceId: 'inst-2',
      target: null,
    });
    const tokens = answered({ route: { path: '/admin/v1/tokens/:id' }, params: { id: 'tok-9' } });
    expect(auditRecordOf(tokens.req, tokens.res)).toMatchObject({
      instanceId: null,
      target: 'id=tok-9',
    });
    const manager = answered({
      route: { path: '/backup-manager/instances/:iid/backups/:id' },
      params: { iid: 'inst-3', id: '7' },
    });
    expect(auditRecordOf(manager.req, manager.res)).toMatchObject({
      actor: 'anonymous',
      instanceId: 'inst-3',
      target: 'id=7',
    });
  });

  it('keeps no more than 200 characters of a path that matched no route, and no query', () => {
    const { req, res } = answered({ path: `/${'x'.repeat(500)}`, params: { ignored: 'yes' } }, 404);
    const record = auditRecordOf(req, res);
    expect(record.action).toBe(`POST /${'x'.repeat(199)}`);
    expect(record.instanceId).toBeNull();
    expect(record.target).toBeNull();
  });
});

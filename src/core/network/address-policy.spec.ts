import { AddressPolicy } from './address-policy';

describe('AddressPolicy', () => {
  const external = new AddressPolicy('external');

  it.each([
    '127.0.0.1',
    '127.255.0.9',
    '::1',
    '[::1]',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '10.1.2.3',
    '172.20.0.1',
    '192.168.1.1',
    'fd12::1',
    '169.254.169.254',
    'fe80::1',
    '0.0.0.0',
    '::',
    '224.0.0.1',
    '::ffff:169.254.169.254',
  ])('external alone refuses %s', (address) => {
    expect(external.allowsAddress(address)).toBe(false);
  });

  it.each(['8.8.8.8', '2606:4700::1111', '::ffff:8.8.8.8'])('external allows %s', (address) => {
    expect(external.allowsAddress(address)).toBe(true);
  });

  it('loopback and private allow only their own, never link-local', () => {
    const p = new AddressPolicy('loopback, private');
    expect(p.allowsAddress('127.0.0.1')).toBe(true);
    expect(p.allowsAddress('::ffff:7f00:1')).toBe(true);
    expect(p.allowsAddress('10.0.0.1')).toBe(true);
    expect(p.allowsAddress('169.254.169.254')).toBe(false);
    expect(p.allowsAddress('8.8.8.8')).toBe(false);
  });

  it('CIDRs, names, subdomains and * ', () => {
    const p = new AddressPolicy('10.1.0.0/16,hooks.example.com,*.corp.example');
    expect(p.allowsAddress('10.1.200.3')).toBe(true);
    expect(p.allowsAddress('10.2.0.1')).toBe(false);
    expect(p.allowsName('hooks.example.com')).toBe(true);
    expect(p.allowsName('a.corp.example')).toBe(true);
    expect(p.allowsName('corp.example')).toBe(false);
    expect(p.allowsName('evil.example.com')).toBe(false);
    expect(new AddressPolicy('*').allowsAddress('169.254.169.254')).toBe(true);
  });

  it.each(['', 'loopback,10.0.0.0/33', 'http://x', 'a b'])('refuses the setting %j', (setting) => {
    expect(() => new AddressPolicy(setting)).toThrow();
  });
});

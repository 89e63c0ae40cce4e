import { connectionUrlProblem } from './connection-url';

describe('connectionUrlProblem: TLS parameters', () => {
  it.each([
    ['postgresql', 'postgresql://u@h/db?sslmode=verify-full&sslrootcert=/etc/ca.pem', null],
    ['postgresql', 'postgresql://u@h/db?sslmode=require', null],
    ['postgresql', 'postgresql://u@h/db?sslmode=verify-full', /needs sslrootcert/],
    ['postgresql', 'postgresql://u@h/db?sslmode=sometimes', /sslmode must be one of/],
    ['postgresql', 'postgresql://u@h/db?sslrootcert=ca.pem', /absolute path/],
    ['postgresql', 'postgresql://u@h/db?sslcert=/c.pem', /sslcert and sslkey go together/],
    ['postgresql', 'postgresql://u@h/db?ssl=true', /takes no parameter "ssl"/],
    ['mariadb', 'mariadb://u@h/db?ssl-ca=/ca.pem&ssl-verify-server-cert=true', null],
    ['mariadb', 'mariadb://u@h/db?ssl-verify-server-cert=true', /needs ssl-ca/],
    ['mariadb', 'mariadb://u@h/db?ssl=false&ssl-ca=/ca.pem', /contradicts/],
    ['mariadb', 'mariadb://u@h/db?sslmode=require', /takes no parameter "sslmode"/],
    ['redis', 'rediss://h:6380?cacert=/ca.pem', null],
    ['redis', 'redis://h:6380?cacert=/ca.pem', /need the rediss:\/\/ scheme/],
    ['redis', 'rediss://h?cacert=/a.pem&cacert=/b.pem', /twice/],
    ['redis', 'redis://h:6379/0', null],
    ['redis', 'redis://h:6379/3', /whole server/],
    ['redis', 'redis://h:6379/x', /whole server/],
  ] as const)('%s %s', (type, url, problem) => {
    const found = connectionUrlProblem(type, url);
    if (problem === null) expect(found).toBeNull();
    else expect(found).toMatch(problem);
  });
});

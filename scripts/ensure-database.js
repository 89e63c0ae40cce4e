#!/usr/bin/env node
// Creates the database named in DATABASE_URL when it does not exist yet, so that a
// newcomer's first start (and a fresh CI machine) needs no manual `createdb`.
'use strict';
const { Client } = require('pg');

const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/backup_manager';

async function ensureDatabase(url = process.env.DATABASE_URL || DEFAULT_DATABASE_URL) {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  if (!name) throw new Error('DATABASE_URL names no database');
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount === 0) {
      await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`).catch((err) => {
        // Two processes starting at once may both try; the loser sees duplicate_database.
        if (err.code !== '42P04') throw err;
      });
      console.log(`created database ${name}`);
    }
  } finally {
    await client.end();
  }
}

module.exports = { ensureDatabase };

if (require.main === module) {
  ensureDatabase().catch((err) => {
    console.error(`cannot prepare the database: ${err.message}`);
    process.exit(1);
  });
}

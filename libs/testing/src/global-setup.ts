import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { TEST_DATABASE_URL } from './test-env';

/**
 * Jest global setup for integration and end-to-end tests: creates the test database when missing and runs the
 * migrations into it, exactly as `npm run migrate` does for the real one (no synchronize, ever).
 */
export default function globalSetup(): void {
  const root = resolve(__dirname, '../../..');
  const url = new URL(TEST_DATABASE_URL);
  const database = url.pathname.slice(1);
  const adminUrl = new URL(TEST_DATABASE_URL);
  adminUrl.pathname = '/postgres';
  const exists = execFileSync(
    'psql',
    [
      adminUrl.toString(),
      '-tAc',
      `select 1 from pg_database where datname = '${database.replace(/'/g, "''")}'`,
    ],
    {
      encoding: 'utf8',
    },
  ).trim();
  if (exists !== '1')
    execFileSync('psql', [adminUrl.toString(), '-c', `create database "${database.replace(/"/g, '""')}"`]);
  execFileSync('npm', ['run', '-s', 'migrate'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: TEST_DATABASE_URL },
    stdio: 'inherit',
  });
}

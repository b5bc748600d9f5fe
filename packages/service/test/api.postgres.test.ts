import { postgresUnavailable } from '@lifeguard/storage/testing';
import { apiSuite } from './api.suite.ts';

const unavailable = await postgresUnavailable();
if (unavailable) console.log(`# skipping PostgreSQL API tests: ${unavailable}`);
apiSuite('postgres', unavailable ?? undefined);

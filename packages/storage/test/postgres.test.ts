import { openTestPostgres, postgresSkip } from '../src/testing.ts';
import { storageContract } from './contract/index.ts';

const skip = await postgresSkip();
storageContract('PostgreSQL (fresh schema)', openTestPostgres, skip);

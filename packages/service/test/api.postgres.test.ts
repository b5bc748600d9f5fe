import { postgresSkip } from '@lifeguard/storage/testing';
import { apiSuite } from './api.suite.ts';

apiSuite('postgres', await postgresSkip());

import { postgresSkip } from '@lifeguard/storage/testing';
import { retentionSuite } from './retention.suite.ts';

retentionSuite('postgres', await postgresSkip());

import { postgresSkip } from '@lifeguard/storage/testing';
import { consoleSuite } from './console.suite.ts';

consoleSuite('postgres', await postgresSkip());

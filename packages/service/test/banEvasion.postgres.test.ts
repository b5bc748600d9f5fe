import { postgresSkip } from '@lifeguard/storage/testing';
import { banEvasionSuite } from './banEvasion.suite.ts';

banEvasionSuite('postgres', await postgresSkip());

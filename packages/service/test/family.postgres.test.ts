import { postgresUnavailable } from '@lifeguard/storage/testing';
import { familySuite } from './family.suite.ts';

const unavailable = await postgresUnavailable();
familySuite('postgres', unavailable ?? undefined);

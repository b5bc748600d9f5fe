// Tests that need a part a fresh machine may lack (PostgreSQL, Chromium, NATS JetStream) skip, saying
// why and how to install it, so `npm install && npm test` on a bare Node machine ends with 0 failed.
// CI sets LIFEGUARD_REQUIRE_ALL=1: each such skip then also adds one failing test naming what is missing,
// so a CI machine that lost a part cannot pass by skipping the tests that need it.
import { test } from 'node:test';
import assert from 'node:assert/strict';

export const REQUIRE_ALL = process.env.LIFEGUARD_REQUIRE_ALL === '1';

/**
 * The skip option for tests needing `what`: undefined (run them) when `missing` is null, otherwise
 * the reason. Under LIFEGUARD_REQUIRE_ALL=1 a missing part also fails one test of its own.
 */
export function environmentSkip(what: string, missing: string | null): string | undefined {
  if (missing === null) return undefined;
  if (REQUIRE_ALL) {
    test(`${what} is present (LIFEGUARD_REQUIRE_ALL=1 forbids skipping the tests that need it)`, () => {
      assert.fail(missing);
    });
  }
  return missing;
}
